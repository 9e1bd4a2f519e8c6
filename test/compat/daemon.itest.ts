import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../support/sandbox.ts';
import { assertExit, assertStderr, assertStdout, useSandbox } from './helpers.ts';

const BERTHD = join(REPO_ROOT, 'bin/berthd');

function berthd(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BERTHD, args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('berthd flags and daemon.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('unknown daemon.json keys are refused, as dockerd does', () => {
    const f = join(dir, 'unknown.json');
    writeFileSync(f, '{"debug": true, "no-such-key": 1}');
    const r = berthd(['--config-file', f, '--validate']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the following directives don't match any configuration option: no-such-key/);
  });

  test('a directive given as a flag and in the file conflicts', () => {
    const f = join(dir, 'conflict.json');
    writeFileSync(f, '{"debug": true}');
    const r = berthd(['--config-file', f, '-D', '--validate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /specified both as a flag and in the configuration file: debug: \(from flag: true, from file: true\)/);
  });

  test('unknown flags and bad values are refused; --validate accepts a good file', () => {
    assert.match(berthd(['--bogus']).stderr, /unknown flag: --bogus/);
    assert.match(berthd(['--storage-driver', 'vfs', '--validate', '--config-file', join(dir, 'none.json')]).stderr, /no such file or directory/);
    const f = join(dir, 'good.json');
    writeFileSync(f, JSON.stringify({ 'log-level': 'warn', 'log-opts': { 'max-size': '1m' }, runtimes: { myrunc: { path: '/usr/sbin/runc' } }, 'default-runtime': 'myrunc' }));
    const ok = berthd(['--config-file', f, '--validate']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'configuration OK');
    assert.match(berthd(['--help']).stdout, /--data-root string/);
  });
});

describe('daemon behaviour', () => {
  const sb = useSandbox({ label: 'daemon', daemonConfig: { 'log-level': 'info' } });

  test('/info and /version describe berthd', async () => {
    const v = JSON.parse(await sb().dockerOk(['version', '--format', '{{json .Server}}']));
    assert.equal(v.ApiVersion, '1.47');
    assert.equal(v.MinAPIVersion, '1.24');
    const info = JSON.parse(await sb().dockerOk(['info', '--format', '{{json .}}']));
    assert.equal(info.Driver, 'overlay2');
    assert.equal(info.DockerRootDir, sb().dataRoot);
    assert.ok(info.Runtimes.runc || info.Runtimes.crun, 'a runtime is listed');
  });

  test('SIGHUP reloads the reloadable keys and emits a daemon reload event', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    writeFileSync(sb().configFile, JSON.stringify({ 'log-level': 'debug' }));
    process.kill(sb().daemonPid!, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 800));
    assert.match(sb().daemonLogText(), /Reloaded configuration.*log-level/);
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = await sb().dockerOk(['events', '--since', String(since), '--until', String(until), '--filter', 'type=daemon', '--format', '{{.Type}} {{.Action}}']);
    assert.match(ev, /daemon reload/);
    writeFileSync(sb().configFile, JSON.stringify({ 'log-level': 'info' }));
    process.kill(sb().daemonPid!, 'SIGHUP');
  });

  test('events: --since/--until replay with filters, container attributes and exit code', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    await sb().dockerOk(['run', '--rm', '--name', 'ev1', '-l', 'app=x', 'bb', 'sh', '-c', 'exit 4']).catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    const until = (Date.now() / 1000).toFixed(3);
    const out = await sb().dockerOk(['events', '--since', since, '--until', until, '--filter', 'container=ev1', '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.app}} {{.Actor.Attributes.exitCode}}']);
    const actions = out.trim().split('\n');
    assert.deepEqual(
      actions.map((l) => l.split(' ')[0]),
      ['create', 'attach', 'start', 'die', 'destroy'],
    );
    assert.ok(actions.includes('create ev1 x <no value>'), out);
    assert.ok(actions.includes('die ev1 x 4'), out);
    assert.ok(actions.some((l) => l.startsWith('destroy ev1')), out);
    const dies = await sb().dockerOk(['events', '--since', since, '--until', until, '--filter', 'event=die', '--format', '{{.Action}}']);
    assert.equal(dies.trim(), 'die');
  });

  test('restart policy on-failure:2 restarts twice with back-off, then stays exited', async () => {
    const id = await sb().dockerOk(['run', '-d', '--name', 'rp1', '--restart', 'on-failure:2', 'bb', 'sh', '-c', 'exit 3']);
    let state = '';
    for (let i = 0; i < 60; i++) {
      state = (await sb().dockerOk(['inspect', '-f', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}', id.trim()])).trim();
      if (state === 'exited 2 3') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, 'exited 2 3');
    await sb().dockerOk(['rm', 'rp1']);
    const r = await sb().docker(['run', '--rm', '--restart', 'always', 'bb', 'true']);
    assertExit(sb(), r, 125);
  });

  test('restart policy always restarts a container that exits, and docker stop ends it', async () => {
    await sb().dockerOk(['run', '-d', '--name', 'rp2', '--restart', 'always', 'bb', 'sh', '-c', 'sleep 0.2']);
    let count = 0;
    for (let i = 0; i < 60 && count < 2; i++) {
      count = Number((await sb().dockerOk(['inspect', '-f', '{{.RestartCount}}', 'rp2'])).trim());
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(count >= 2, `restarted ${count} times`);
    await sb().dockerOk(['stop', '-t', '1', 'rp2']);
    await new Promise((r) => setTimeout(r, 500));
    assertStdout(sb(), await sb().docker(['inspect', '-f', '{{.State.Status}}', 'rp2']), 'exited');
    await sb().dockerOk(['rm', 'rp2']);
  });

  test('top, rename, pause/unpause', async () => {
    await sb().dockerOk(['run', '-d', '--name', 'tp1', 'bb', 'sleep', '1000']);
    const top = await sb().dockerOk(['top', 'tp1']);
    assert.match(top, /PID/);
    assert.match(top, /sleep 1000/);
    await sb().dockerOk(['rename', 'tp1', 'tp2']);
    assertStdout(sb(), await sb().docker(['inspect', '-f', '{{.Name}}', 'tp2']), '/tp2');
    await sb().dockerOk(['pause', 'tp2']);
    assertStdout(sb(), await sb().docker(['inspect', '-f', '{{.State.Status}}', 'tp2']), 'paused');
    assertStderr(sb(), await sb().docker(['pause', 'tp2']), /is already paused/);
    await sb().dockerOk(['unpause', 'tp2']);
    assertStdout(sb(), await sb().docker(['inspect', '-f', '{{.State.Status}}', 'tp2']), 'running');
    await sb().dockerOk(['rm', '-f', 'tp2']);
  });

  test('a failed run leaves nothing behind: no mount, no process, no lease', async () => {
    const before = { mounts: sb().mountsInside().length, procs: sb().processes().length };
    const r = await sb().docker(['run', '--name', 'bad1', 'bb', '/nonexistent']);
    assertExit(sb(), r, 127);
    const r2 = await sb().docker(['run', '--rm', '-p', '8181:80', 'bb', '/nonexistent']);
    assertExit(sb(), r2, 127);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sb().mountsInside().length, before.mounts, `mounts: ${sb().mountsInside().join(' ')}`);
    assert.equal(sb().processes().length, before.procs, 'processes');
    // the port of the failed --rm run is free again
    const id = (await sb().dockerOk(['run', '-d', '-p', '8181:80', 'bb', 'sleep', '100'])).trim();
    await sb().dockerOk(['rm', '-f', id, 'bad1']);
  });
});

describe('TCP with mutual TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  const sh = (cmd: string) => {
    const r = spawnSync('sh', ['-c', cmd], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  };
  sh('openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=test-ca 2>/dev/null');
  sh('openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out server.csr -subj /CN=localhost 2>/dev/null');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sh('openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem -days 2 -extfile ext.cnf 2>/dev/null');
  sh('mkdir -p client && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client/key.pem -out client.csr -subj /CN=client 2>/dev/null');
  writeFileSync(join(dir, 'cext.cnf'), 'extendedKeyUsage=clientAuth\n');
  sh('openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out client/cert.pem -days 2 -extfile cext.cnf 2>/dev/null && cp ca.pem client/ca.pem');
  // a client certificate from another CA must be refused too
  sh('mkdir -p rogue && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue/key.pem -out rogue/cert.pem -days 2 -subj /CN=rogue 2>/dev/null && cp ca.pem rogue/ca.pem');
  after(() => rmSync(dir, { recursive: true, force: true }));

  const sb = useSandbox({
    label: 'tls',
    image: false,
    daemonArgs: ['-H', 'tcp://127.0.0.1:2376', '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server-cert.pem'), '--tlskey', join(dir, 'key.pem')],
  });

  test('a client with a certificate signed by the CA is served; others are refused', async () => {
    const docker = (certDir: string | null, extra: string[] = []) =>
      sb().exec(['/usr/local/bin/docker', '-H', 'tcp://127.0.0.1:2376', ...(certDir ? ['--tlsverify', '--tlscacert', join(dir, certDir, 'ca.pem'), '--tlscert', join(dir, certDir, 'cert.pem'), '--tlskey', join(dir, certDir, 'key.pem')] : extra), 'version', '--format', '{{.Server.APIVersion}}'], { env: { DOCKER_CONFIG: sb().dockerConfig } });
    const ok = await docker('client');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), '1.47');
    const noCert = await docker(null, ['--tls', '--tlscacert', join(dir, 'ca.pem')]);
    assert.notEqual(noCert.code, 0, 'a client without a certificate must be refused');
    const rogue = await docker('rogue');
    assert.notEqual(rogue.code, 0, 'a client certificate from another CA must be refused');
    const plain = await docker(null, []);
    assert.notEqual(plain.code, 0, 'plain HTTP must be refused');
  });
});
