import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertExit, assertStderr, assertStdout, useSandbox } from './helpers.ts';

/**
 * The engine's acceptance checks for `docker run` and the container lifecycle, through the stock docker CLI
 * against berthd in a sandbox. Exit codes follow the CLI's rules: 125 for errors of docker itself, 126 when the
 * command cannot be invoked, 127 when it cannot be found, otherwise the container's own exit code.
 */
const sandbox = useSandbox({ label: 'run' });

describe('docker run', () => {
  test('run --rm bb echo hi prints hi and removes the container', async () => {
    const sb = sandbox();
    const before = (await sb.dockerOk(['ps', '-aq'])).split('\n').filter(Boolean).length;
    const r = await sb.docker(['run', '--rm', 'bb', 'echo', 'hi']);
    assertExit(sb, r, 0);
    assertStdout(sb, r, 'hi');
    assert.equal(r.stderr, '', sb.explain(r, 'nothing on stderr'));
    const afterIds = (await sb.dockerOk(['ps', '-aq'])).split('\n').filter(Boolean);
    assert.equal(afterIds.length, before, `--rm left a container: ${afterIds.join(' ')}`);
  });

  test("the container's exit code is docker's exit code", async () => {
    const sb = sandbox();
    assertExit(sb, await sb.docker(['run', '--rm', 'bb', 'sh', '-c', 'exit 3']), 3);
    assertExit(sb, await sb.docker(['run', '--rm', 'bb', 'false']), 1);
    assertExit(sb, await sb.docker(['run', '--rm', 'bb', 'true']), 0);
  });

  test('stdout and stderr are kept apart', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', 'bb', 'sh', '-c', 'echo out; echo err >&2']);
    assertExit(sb, r, 0);
    assertStdout(sb, r, 'out');
    assert.equal(r.stderr.trim(), 'err', sb.explain(r, 'stderr'));
  });

  test('stdin reaches the container with -i', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', '-i', 'bb', 'sh', '-c', 'tr a-z A-Z'], { input: 'hello stdin\n' });
    assertExit(sb, r, 0);
    assertStdout(sb, r, 'HELLO STDIN');
  });

  test('an unknown flag is exit 125', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--foo', 'bb']);
    assertExit(sb, r, 125);
    assertStderr(sb, r, 'unknown flag: --foo');
  });

  test('running a directory is exit 126', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', 'bb', '/etc']);
    assertExit(sb, r, 126);
    assertStderr(sb, r, /permission denied|is a directory/);
  });

  test('a missing command is exit 127', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', 'bb', 'nosuchcommand']);
    assertExit(sb, r, 127);
    assertStderr(sb, r, /executable file not found|no such file or directory/);
  });

  test('a missing image is exit 125 and says so', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', '--pull', 'never', 'nosuchimage:1', 'true']);
    assertExit(sb, r, 125);
    assertStderr(sb, r, /No such image: nosuchimage:1/);
  });

  test('env, workdir, user and hostname reach the process', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', '-e', 'FOO=bar', '-w', '/tmp', '-u', '65534', '-h', 'box1', 'bb', 'sh', '-c', 'echo "$FOO $(pwd) $(id -u) $(hostname)"']);
    assertExit(sb, r, 0);
    assertStdout(sb, r, 'bar /tmp 65534 box1');
  });
});

describe('container lifecycle', () => {
  test('create, ps, inspect, start -a, logs, rm', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['create', '--name', 'flow1', 'bb', 'echo', 'from-create']);
    assert.match(id, /^[0-9a-f]{64}$/, `create prints the full id, got ${JSON.stringify(id)}`);

    const row = await sb.dockerOk(['ps', '-a', '--no-trunc', '--filter', 'name=flow1', '--format', '{{.ID}}|{{.Names}}|{{.Status}}|{{.Image}}|{{.Command}}']);
    assert.equal(row, `${id}|flow1|Created|bb|"echo from-create"`);

    const created = await sb.dockerOk(['inspect', '-f', '{{.State.Status}} {{.Name}} {{.Config.Image}} {{json .Config.Cmd}}', 'flow1']);
    assert.equal(created, 'created /flow1 bb ["echo","from-create"]');

    const started = await sb.docker(['start', '-a', 'flow1']);
    assertExit(sb, started, 0);
    assertStdout(sb, started, 'from-create');

    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}', id]), 'exited 0 false');
    assert.equal(await sb.dockerOk(['logs', 'flow1']), 'from-create');
    assert.equal(await sb.dockerOk(['ps', '-q', '--filter', 'name=flow1']), '', 'an exited container is not in ps');
    assert.match(await sb.dockerOk(['ps', '-a', '--filter', 'name=flow1', '--format', '{{.Status}}']), /^Exited \(0\) /);

    assert.equal(await sb.dockerOk(['rm', 'flow1']), 'flow1');
    const gone = await sb.docker(['inspect', 'flow1']);
    assertExit(sb, gone, 1);
    assertStderr(sb, gone, 'No such object: flow1');
  });

  test('run -d, stop, start, restart, kill, rm -f', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['run', '-d', '--name', 'life1', 'bb', 'sleep', '1000']);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Running}}', 'life1']), 'true');
    assert.equal(await sb.dockerOk(['ps', '--filter', 'name=life1', '--format', '{{.Names}} {{.Command}}']), 'life1 "sleep 1000"');

    const running = await sb.docker(['rm', 'life1']);
    assertExit(sb, running, 1, 'rm of a running container');
    assertStderr(sb, running, /container is running|cannot remove a running container/i);

    assert.equal(await sb.dockerOk(['stop', '-t', '1', 'life1']), 'life1');
    assert.match(await sb.dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'life1']), /^exited (137|143)$/);
    assert.equal(await sb.dockerOk(['start', 'life1']), 'life1');
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Running}}', 'life1']), 'true');
    assert.equal(await sb.dockerOk(['restart', '-t', '1', 'life1']), 'life1');
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Running}} {{.RestartCount}}', 'life1']), 'true 0');
    assert.equal(await sb.dockerOk(['kill', 'life1']), 'life1');
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'life1']), 'exited 137');
    assert.equal(await sb.dockerOk(['start', 'life1']), 'life1');
    assert.equal(await sb.dockerOk(['rm', '-f', 'life1']), 'life1');
    assert.equal(await sb.dockerOk(['ps', '-aq', '--filter', 'name=life1']), '');
  });

  test("inspect's GraphDriver.Data names the container's layer: a file written in the container is in UpperDir", async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'gd1', 'bb', 'sleep', '1000']);
    await sb.dockerOk(['exec', 'gd1', 'sh', '-c', 'echo written > /written-here']);
    const data = JSON.parse(await sb.dockerOk(['inspect', '-f', '{{json .GraphDriver}}', 'gd1'])) as { Name: string; Data: Record<string, string> };
    assert.equal(data.Name, 'overlay2');
    assert.deepEqual(Object.keys(data.Data).sort(), ['LowerDir', 'MergedDir', 'UpperDir', 'WorkDir']);
    const r = await sb.exec(['cat', `${data.Data.UpperDir}/written-here`]);
    assertStdout(sb, r, 'written', 'the file in UpperDir');
    assertStdout(sb, await sb.exec(['cat', `${data.Data.MergedDir}/written-here`]), 'written', 'the file in MergedDir');
    await sb.dockerOk(['rm', '-f', 'gd1']);
  });

  test('a name in use is a conflict that names the holder (create: exit 1, run: exit 125)', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['create', '--name', 'dup1', 'bb', 'true']);
    const msg = `Conflict. The container name "/dup1" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`;
    const created = await sb.docker(['create', '--name', 'dup1', 'bb', 'true']);
    assertExit(sb, created, 1);
    assertStderr(sb, created, `Error response from daemon: ${msg}`);
    const run = await sb.docker(['run', '-d', '--name', 'dup1', 'bb', 'true']);
    assertExit(sb, run, 125);
    assertStderr(sb, run, msg);
    await sb.dockerOk(['rm', 'dup1']);
  });
});

describe('bad input', () => {
  for (const verb of ['stop', 'start', 'rm', 'logs', 'restart', 'wait', 'port']) {
    test(`docker ${verb} of an unknown container: exit 1, "No such container"`, async () => {
      const sb = sandbox();
      const r = await sb.docker([verb, 'x']);
      assertExit(sb, r, 1);
      assertStderr(sb, r, 'Error response from daemon: No such container: x');
    });
  }

  test('docker kill of an unknown container: exit 1, "No such container"', async () => {
    const sb = sandbox();
    const r = await sb.docker(['kill', 'x']);
    assertExit(sb, r, 1);
    // dockerd words it "Cannot kill container: x: No such container: x"
    assertStderr(sb, r, /^Error response from daemon: (.*: )?No such container: x$/im);
  });

  test('docker inspect of an unknown name: exit 1, "No such object"', async () => {
    const sb = sandbox();
    const r = await sb.docker(['inspect', 'x']);
    assertExit(sb, r, 1);
    assertStderr(sb, r, 'No such object: x');
  });

  test('kill with a bogus signal is refused', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'sig1', 'bb', 'sleep', '1000']);
    const r = await sb.docker(['kill', '-s', 'BOGUS', 'sig1']);
    assertExit(sb, r, 1);
    assertStderr(sb, r, 'Invalid signal: BOGUS');
    await sb.dockerOk(['rm', '-f', 'sig1']);
  });

  test('a bogus restart policy is exit 125', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '-d', '--restart=bogus', 'bb', 'true']);
    assertExit(sb, r, 125);
    assertStderr(sb, r, "invalid restart policy 'bogus'");
  });
});
