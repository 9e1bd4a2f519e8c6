import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertExit, assertStderr, assertStdout, eventually, useSandbox } from './helpers.ts';

/**
 * Health checks, image defaults overridden at run time, and restart policies, through the stock docker CLI.
 */
const sandbox = useSandbox({ label: 'health' });

async function state(name: string, what = '{{json .State.Health}}'): Promise<string> {
  return sandbox().dockerOk(['inspect', '-f', what, name]);
}

describe('health checks', () => {
  test('a failing check makes the container unhealthy after 3 tries; fixing it makes it healthy; events and ps', async () => {
    const sb = sandbox();
    const since = (Date.now() / 1000).toFixed(3);
    await sb.dockerOk(['run', '-d', '--name', 'h1', '--health-cmd', 'cat /tmp/ok', '--health-interval', '200ms', 'bb', 'sleep', '1000']);
    assert.match(await sb.dockerOk(['ps', '--filter', 'name=h1', '--format', '{{.Status}}']), /\((health: starting|unhealthy)\)$/);
    await eventually(async () => (await state('h1', '{{.State.Health.Status}}')) === 'unhealthy', 10_000, async () => `never unhealthy: ${await state('h1')}`);
    const h = JSON.parse(await state('h1'));
    assert.ok(h.FailingStreak >= 3, `FailingStreak ${h.FailingStreak}`);
    assert.ok(h.Log.length >= 3 && h.Log.length <= 5, `Log keeps at most 5: ${h.Log.length}`);
    const last = h.Log.at(-1);
    assert.equal(last.ExitCode, 1);
    assert.match(last.Output, /cat: can't open '\/tmp\/ok': No such file or directory/);
    assert.ok(Date.parse(last.End) >= Date.parse(last.Start));
    assert.match(await sb.dockerOk(['ps', '--filter', 'name=h1', '--format', '{{.Status}}']), /^Up .* \(unhealthy\)$/);
    assert.equal(await sb.dockerOk(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}']), 'h1');
    // written whole at once: a check running between the create and the write of `>` would see an empty file
    await sb.dockerOk(['exec', 'h1', 'sh', '-c', 'echo fine > /tmp/ok.new && mv /tmp/ok.new /tmp/ok']);
    await eventually(async () => (await state('h1', '{{.State.Health.Status}}')) === 'healthy', 5000, async () => `never healthy: ${await state('h1')}`);
    assert.equal(JSON.parse(await state('h1')).FailingStreak, 0);
    assert.equal(JSON.parse(await state('h1')).Log.at(-1).Output, 'fine\n');
    assert.match(await sb.dockerOk(['ps', '--filter', 'name=h1', '--format', '{{.Status}}']), /^Up .* \(healthy\)$/);
    assert.equal(await sb.dockerOk(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}']), 'h1');
    assert.equal(await sb.dockerOk(['ps', '--filter', 'health=none', '--filter', 'name=h1', '--format', '{{.Names}}']), '');
    const until = (Date.now() / 1000).toFixed(3);
    const ev = await sb.dockerOk(['events', '--since', since, '--until', until, '--filter', 'container=h1', '--filter', 'event=health_status', '--format', '{{.Action}}']);
    assert.deepEqual(ev.split('\n'), ['health_status: unhealthy', 'health_status: healthy']);
    await sb.dockerOk(['rm', '-f', 'h1']);
  });

  test('a check that exceeds its timeout fails with exit -1 and dockerd\'s message', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'h2', '--health-cmd', 'echo partial; sleep 10', '--health-interval', '200ms', '--health-timeout', '300ms', '--health-retries', '1', 'bb', 'sleep', '1000']);
    await eventually(async () => (await state('h2', '{{.State.Health.Status}}')) === 'unhealthy', 10_000, async () => `never unhealthy: ${await state('h2')}`);
    const last = JSON.parse(await state('h2')).Log.at(-1);
    assert.equal(last.ExitCode, -1);
    assert.equal(last.Output, 'Health check exceeded timeout (300ms): partial\n');
    await sb.dockerOk(['rm', '-f', 'h2']);
  });

  test('failures in the start period do not count', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'h3', '--health-cmd', 'false', '--health-interval', '200ms', '--health-start-period', '30s', '--health-start-interval', '200ms', '--health-retries', '1', 'bb', 'sleep', '1000']);
    await eventually(async () => JSON.parse(await state('h3')).Log.length >= 2, 10_000, async () => `no probes: ${await state('h3')}`);
    const h = JSON.parse(await state('h3'));
    assert.equal(h.Status, 'starting');
    assert.equal(h.FailingStreak, 0);
    await sb.dockerOk(['rm', '-f', 'h3']);
  });

  test('image HEALTHCHECK is used, merged with --health-* and disabled by --no-healthcheck', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '--name', 'hseed', 'bb', 'true']);
    await sb.dockerOk(['commit', '-c', 'HEALTHCHECK --interval=30s --retries=7 CMD ["true"]', 'hseed', 'bbhc']);
    await sb.dockerOk(['rm', 'hseed']);
    await sb.dockerOk(['run', '-d', '--name', 'h4', '--health-interval', '200ms', 'bbhc', 'sleep', '1000']);
    assert.equal(await state('h4', '{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Retries}}'), '["CMD","true"] 200ms 7');
    await eventually(async () => (await state('h4', '{{.State.Health.Status}}')) === 'healthy', 5000, async () => `never healthy: ${await state('h4')}`);
    await sb.dockerOk(['run', '-d', '--name', 'h5', '--no-healthcheck', 'bbhc', 'sleep', '1000']);
    assert.equal(await state('h5'), 'null', 'no health state with --no-healthcheck');
    assert.equal(await state('h5', '{{json .Config.Healthcheck.Test}}'), '["NONE"]');
    assert.match(await sb.dockerOk(['ps', '--filter', 'name=h5', '--format', '{{.Status}}']), /^Up [^(]*$/);
    await sb.dockerOk(['rm', '-f', 'h4', 'h5']);
    await sb.dockerOk(['rmi', 'bbhc']);
  });

  test('health state is kept after the container stops and reset to starting at the next start', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'h6', '--health-cmd', 'true', '--health-interval', '200ms', 'bb', 'sleep', '1000']);
    await eventually(async () => (await state('h6', '{{.State.Health.Status}}')) === 'healthy', 5000, async () => `never healthy: ${await state('h6')}`);
    await sb.dockerOk(['stop', '-t', '0', 'h6']);
    assert.equal(await state('h6', '{{.State.Health.Status}}'), 'healthy');
    await sb.dockerOk(['start', 'h6']);
    assert.match(await state('h6', '{{.State.Health.Status}}'), /^(starting|healthy)$/);
    await sb.dockerOk(['rm', '-f', 'h6']);
  });

  test('invalid health options are refused with exit 125', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', '--health-cmd', 'true', '--health-interval', '500us', 'bb', 'true']);
    assertExit(sb, r, 125);
    assertStderr(sb, r, 'Interval in Healthcheck cannot be less than 1ms');
    const t = await sb.docker(['run', '--rm', '--health-cmd', 'true', '--health-timeout', '10us', 'bb', 'true']);
    assertExit(sb, t, 125);
    assertStderr(sb, t, 'Timeout in Healthcheck cannot be less than 1ms');
  });
});

describe('image defaults overridden at run time', () => {
  test('ENV, USER, WORKDIR (created), EXPOSE, STOPSIGNAL, ONBUILD ignored', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '--name', 'dseed', 'bb', 'true']);
    await sb.dockerOk([
      'commit',
      '-c', 'ENV FOO=from-image BAR=img',
      '-c', 'USER 65534',
      '-c', 'WORKDIR /made/by/image',
      '-c', 'EXPOSE 8080',
      '-c', 'STOPSIGNAL SIGUSR1',
      '-c', 'ONBUILD RUN false',
      'dseed',
      'bbdef',
    ]);
    await sb.dockerOk(['rm', 'dseed']);
    const r = await sb.docker(['run', '--rm', '-e', 'FOO=from-run', 'bbdef', 'sh', '-c', 'echo "$FOO $BAR $(id -u) $(pwd) $HOME $PATH"']);
    assertStdout(sb, r, 'from-run img 65534 /made/by/image /nonexistent /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    const o = await sb.docker(['run', '--rm', '-u', '0', '-w', '/other/dir', 'bbdef', 'sh', '-c', 'echo "$(id -u) $(pwd) $HOME"']);
    assertStdout(sb, o, '0 /other/dir /root');
    const env = await sb.dockerOk(['run', '--rm', '-h', 'envbox', '-e', 'deep=purple', 'bb', 'env']);
    assert.deepEqual(env.split('\n'), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=envbox', 'deep=purple', 'HOME=/root']);
    const tty = await sb.dockerOk(['run', '--rm', '-t', 'bb', 'sh', '-c', 'echo $TERM']);
    assert.equal(tty.trim(), 'xterm', 'TERM=xterm with -t');
    assert.equal(await sb.dockerOk(['run', '--rm', 'bb', 'sh', '-c', 'echo "[$TERM]"']), '[]', 'no TERM without -t');
    await sb.dockerOk(['create', '--name', 'd1', '--expose', '9090', '--expose', '7000-7001/udp', 'bbdef', 'true']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{json .Config.ExposedPorts}} {{.Config.StopSignal}} {{json .Config.OnBuild}}', 'd1']), '{"7000/udp":{},"7001/udp":{},"8080/tcp":{},"9090/tcp":{}} SIGUSR1 null');
    await sb.dockerOk(['rm', 'd1']);
    // STOPSIGNAL: docker stop sends SIGUSR1, which the process traps
    await sb.dockerOk(['run', '-d', '--name', 'd2', '-u', '0', 'bbdef', 'sh', '-c', 'trap "exit 42" USR1; while :; do sleep 0.1; done']);
    await new Promise((res) => setTimeout(res, 300));
    await sb.dockerOk(['stop', '-t', '10', 'd2']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.ExitCode}}', 'd2']), '42');
    const s = await sb.docker(['run', '--rm', '--stop-signal', 'SIGBOGUS', 'bb', 'true']);
    assertExit(sb, s, 125);
    assertStderr(sb, s, /Invalid signal: SIGBOGUS|invalid signal/i);
    await sb.dockerOk(['rm', 'd2']);
    await sb.dockerOk(['rmi', 'bbdef']);
  });

  test('CMD and ENTRYPOINT: args replace CMD, --entrypoint replaces the entrypoint and clears CMD, "" resets it', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '--name', 'eseed', 'bb', 'true']);
    await sb.dockerOk(['commit', '-c', 'ENTRYPOINT ["echo", "ep"]', '-c', 'CMD ["default-cmd"]', 'eseed', 'bbep']);
    await sb.dockerOk(['rm', 'eseed']);
    assert.equal(await sb.dockerOk(['run', '--rm', 'bbep']), 'ep default-cmd');
    assert.equal(await sb.dockerOk(['run', '--rm', 'bbep', 'a', 'b']), 'ep a b');
    assert.equal(await sb.dockerOk(['run', '--rm', '--entrypoint', 'echo', 'bbep']), '', "--entrypoint clears the image's CMD");
    assert.equal(await sb.dockerOk(['run', '--rm', '--entrypoint', 'echo', 'bbep', 'x']), 'x');
    assert.equal(await sb.dockerOk(['run', '--rm', '--entrypoint', '', 'bbep', 'echo', 'no-ep']), 'no-ep');
    const none = await sb.docker(['run', '--rm', '--entrypoint', '', 'bbep']);
    assertExit(sb, none, 125);
    assertStderr(sb, none, 'no command specified');
    const id = await sb.dockerOk(['create', '--entrypoint', '', 'bbep', 'true']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Path}}', id]), 'null ["true"] true');
    await sb.dockerOk(['rm', id]);
    await sb.dockerOk(['rmi', 'bbep']);
  });
});

describe('restart policies', () => {
  test('always restarts after an exit; unless-stopped stays stopped after docker stop; --restart with --rm is refused', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'ra', '--restart', 'always', 'bb', 'sh', '-c', 'sleep 0.3; exit 5']);
    await eventually(async () => Number(await state('ra', '{{.RestartCount}}')) >= 2, 15_000, async () => `no restarts: ${await state('ra', '{{json .State}} {{.RestartCount}}')}`);
    assert.equal(await state('ra', '{{.HostConfig.RestartPolicy.Name}}'), 'always');
    await sb.dockerOk(['rm', '-f', 'ra']);
    await sb.dockerOk(['run', '-d', '--name', 'ru', '--restart', 'unless-stopped', 'bb', 'sleep', '1000']);
    await sb.dockerOk(['stop', '-t', '0', 'ru']);
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(await state('ru', '{{.State.Status}} {{.RestartCount}}'), 'exited 0');
    await sb.dockerOk(['rm', 'ru']);
    const rm = await sb.docker(['run', '--rm', '--restart', 'always', 'bb', 'true']);
    assertExit(sb, rm, 125);
    assertStderr(sb, rm, /conflicting options: cannot specify both --restart and --rm/);
  });
});
