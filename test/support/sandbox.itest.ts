import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkLeaks } from './leak-check.ts';
import { parseMountinfo } from './leak-scan.ts';
import { runPrefix, uniqueName } from './names.ts';
import { isAlive, nsOf, runCmd, waitFor } from './proc.ts';
import { PtySession } from './pty.ts';
import { REPO_ROOT, Sandbox } from './sandbox.ts';

/** The sandbox itself, driven with a stub daemon (test/support/stub-daemon.ts) instead of berthd. */
const stub = [process.execPath, join(REPO_ROOT, 'test/support/stub-daemon.ts')];

function rootMountsUnder(dir: string): string[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p.startsWith(dir));
}

describe('Sandbox', () => {
  test('runs the daemon in its own netns, mount and pid namespaces and removes everything at teardown', async () => {
    const sb = await Sandbox.create({ daemonCommand: stub, label: 'self' });
    let orphan = 0;
    try {
      assert.ok(await sb.ping(), 'stub answers /_ping');
      const pid = sb.daemonPid!;
      assert.ok(pid > 0);
      assert.notEqual(nsOf(pid, 'net'), nsOf('self', 'net'), 'daemon is not in the root netns');
      assert.notEqual(nsOf(pid, 'mnt'), nsOf('self', 'mnt'), 'daemon is not in the root mount ns');
      assert.notEqual(nsOf(pid, 'pid'), nsOf('self', 'pid'), 'daemon is not in the root pid ns');
      assert.notEqual(nsOf(pid, 'mnt'), nsOf(sb.initPid, 'mnt'), "daemon's mount ns is not pid 1's (as after unshare -m on a host)");
      assert.equal(nsOf(pid, 'mnt'), nsOf(sb.nsPid, 'mnt'));
      const netns = await runCmd(['ip', 'netns', 'list']);
      assert.match(netns.stdout, new RegExp(`^${sb.name}\\b`, 'm'));

      // the daemon's tmpfs is visible inside, not in the root mount namespace
      assert.ok(sb.mountsInside().some((m) => m.endsWith('/data/stub-mnt')), `inside: ${sb.mountsInside().join(', ')}`);
      assert.deepEqual(rootMountsUnder(sb.dir), []);

      // exec runs inside the netns: only lo, and it is up
      const links = await sb.exec(['ip', '-o', 'link', 'show']);
      assert.equal(links.code, 0, links.stderr);
      assert.deepEqual(
        links.stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim()),
        ['lo'],
      );
      assert.match(links.stdout, /LOOPBACK,UP/);
      const cg = await sb.exec(['sh', '-c', 'ls /sys/fs/cgroup | wc -l; ls /sys/class/net']);
      assert.match(cg.stdout, /^[1-9]\d*\nlo\n$/, 'cgroup tree present, sysfs of the netns');

      // the docker CLI talks to it with its own config dir
      const v = await sb.docker(['version', '--format', '{{.Server.APIVersion}}']);
      assert.equal(v.stdout.trim(), '1.47', sb.explain(v));

      // an orphan of the daemon (like conmon) lives on in the sandbox
      await waitFor(() => existsSync(join(sb.execRoot, 'orphan.pid')), 5000);
      assert.ok(sb.processes().length >= 2, 'daemon and orphan are in the sandbox');
      orphan = sb.processes().find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\u00001000'))!;
      assert.ok(orphan, 'found the orphan by its place in the sandbox');

      // kill -9 and restart: the orphan survives, the daemon comes back
      await sb.kill9();
      assert.equal(await sb.ping(), false);
      assert.ok(isAlive(orphan), 'orphan survives a daemon kill -9');
      await sb.start();
      assert.ok(await sb.ping());
      assert.notEqual(sb.daemonPid, pid);
    } finally {
      await sb.close();
    }
    assert.equal(existsSync(sb.dir), false, 'state dir removed');
    assert.equal(isAlive(orphan), false, 'orphan killed with the namespaces');
    assert.doesNotMatch((await runCmd(['ip', 'netns', 'list'])).stdout, new RegExp(sb.name));
    assert.deepEqual(rootMountsUnder(sb.dir), []);
    const { leaks } = await checkLeaks(sb.name);
    assert.deepEqual(leaks, []);
  });

  test('a daemon that fails to start leaves nothing behind and the error shows its log', async () => {
    let err: unknown;
    try {
      await Sandbox.create({ daemonCommand: stub, env: { STUB_FAIL: '1' }, label: 'fail' });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error);
    assert.match(err.message, /failing on purpose/);
    const left = (await runCmd(['ip', 'netns', 'list'])).stdout;
    assert.doesNotMatch(left, /-fail\b/);
  });

  test('a test process that dies takes its sandbox with it', async () => {
    // a child node process creates a sandbox and is killed -9 before any teardown
    const script = `
      import { Sandbox } from ${JSON.stringify(join(REPO_ROOT, 'test/support/sandbox.ts'))};
      const sb = await Sandbox.create({ daemonCommand: ${JSON.stringify(stub)}, label: 'orphaned' });
      console.log(JSON.stringify({ pid: sb.daemonPid, init: sb.initPid, dir: sb.dir, netns: sb.netns }));
      setInterval(() => {}, 1000);
    `;
    const { startCmd } = await import('./running-cmd.ts');
    const child = startCmd([process.execPath, '--input-type=module', '-e', script], { timeoutMs: 60_000 });
    await child.waitForStdout(/\}\n/, 30_000);
    const info = JSON.parse(child.stdout().trim()) as { pid: number; init: number; dir: string; netns: string };
    assert.ok(isAlive(info.pid));
    child.kill('SIGKILL');
    await child.done;
    assert.ok(await waitFor(() => !isAlive(info.pid) && !isAlive(info.init), 10_000), 'daemon and pid 1 died with the test process');
    // what remains is the netns and the dir: the suite's cleaner removes them by name
    await runCmd(['ip', 'netns', 'del', info.netns]);
    await runCmd(['rm', '-rf', info.dir]);
  });

  test('leak check fails on a netns left behind and passes once it is gone', async () => {
    const name = uniqueName('leak');
    const add = await runCmd(['ip', 'netns', 'add', name]);
    assert.equal(add.code, 0, add.stderr);
    try {
      const cli = [process.execPath, join(REPO_ROOT, 'test/support/leak-check.ts'), 'check', '--prefix', `${name}`];
      const bad = await runCmd(cli);
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout, new RegExp(`LEAK netns: ${name}`));
    } finally {
      await runCmd(['ip', 'netns', 'del', name]);
    }
    const good = await runCmd([process.execPath, join(REPO_ROOT, 'test/support/leak-check.ts'), 'check', '--prefix', name]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /no leaks/);
    assert.ok(runPrefix().startsWith('berth-t-'));
  });

  test('pty sessions type and read like a terminal and pass the exit code through', async () => {
    const s = new PtySession(['sh', '-c', 'printf "name? "; read x; echo "got-$x"; tty; exit 4']);
    await s.expect('name? ');
    s.send('berth\r');
    await s.expect('got-berth');
    await s.expect(/\/dev\/pts\/\d+/);
    const r = await s.wait();
    assert.equal(r.code, 4, r.text);
  });
});
