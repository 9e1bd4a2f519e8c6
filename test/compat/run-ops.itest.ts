import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Sandbox } from '../support/sandbox.ts';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';

/**
 * Container operations through the stock docker CLI and through berth's own CLI: `cp` both ways (running and
 * stopped containers, volumes, symlinks, ownership, errors), `system df`, `system prune`, `stats` and `update`,
 * and the words of a start that fails. The logging drivers are in run-logs.itest.ts.
 */
const sandbox = useSandbox({ label: 'ops' });

function hostDir(prefix: string): string {
  return mkdtempSync(join(sandbox().dir, `${prefix}-`));
}

/** A local tree: d/a.txt (0640, 1234:5678), d/sub/b.txt (setuid 0755), d/link → a.txt. */
function sourceTree(): string {
  const root = hostDir('src');
  const d = join(root, 'd');
  mkdirSync(join(d, 'sub'), { recursive: true });
  writeFileSync(join(d, 'a.txt'), 'alpha\n');
  chmodSync(join(d, 'a.txt'), 0o640);
  chownSync(join(d, 'a.txt'), 1234, 5678);
  writeFileSync(join(d, 'sub', 'b.txt'), 'beta\n');
  chmodSync(join(d, 'sub', 'b.txt'), 0o4755);
  symlinkSync('a.txt', join(d, 'link'));
  return root;
}

async function inspectStat(sb: Sandbox, ctr: string, path: string): Promise<Record<string, unknown>> {
  const r = await sb.request('HEAD', `/containers/${ctr}/archive?path=${encodeURIComponent(path)}`);
  assert.equal(r.status, 200, `HEAD ${path}: ${r.status}`);
  return JSON.parse(Buffer.from(r.headers['x-docker-container-path-stat']!, 'base64').toString('utf8'));
}

type Cli = 'docker' | 'berth';

function cli(sb: Sandbox, which: Cli) {
  return (args: string[]) => (which === 'docker' ? sb.docker(args) : sb.berth(args));
}

for (const which of ['docker', 'berth'] as Cli[]) {
  describe(`${which} cp`, () => {
    test('a directory into a running container and back out: content, modes, owners, symlinks', async () => {
      const sb = sandbox();
      const run = cli(sb, which);
      const c = `cp-run-${which}`;
      await sb.dockerOk(['run', '-d', '--name', c, 'bb', 'sleep', '1000']);
      const src = sourceTree();
      assertExit(sb, await run(['cp', join(src, 'd'), `${c}:/tmp/`]), 0, 'cp into the container');
      const listing = await sb.dockerOk(['exec', c, 'sh', '-c', 'cd /tmp/d && stat -c "%n %a %u:%g" a.txt sub/b.txt && readlink link && cat a.txt sub/b.txt']);
      assert.equal(listing, 'a.txt 640 1234:5678\nsub/b.txt 4755 0:0\na.txt\nalpha\nbeta');
      // a file to a new name, a directory's content with "/."
      assertExit(sb, await run(['cp', join(src, 'd', 'a.txt'), `${c}:/tmp/renamed.txt`]), 0);
      assertExit(sb, await run(['cp', `${join(src, 'd')}/.`, `${c}:/root/`]), 0);
      assert.equal(await sb.dockerOk(['exec', c, 'sh', '-c', 'cat /tmp/renamed.txt; ls /root | sort | tr "\\n" " "']), 'alpha\na.txt link sub');
      // out again, into a new local dir
      await sb.dockerOk(['exec', c, 'sh', '-c', 'echo generated > /tmp/d/sub/new.txt']);
      const out = hostDir('out');
      assertExit(sb, await run(['cp', `${c}:/tmp/d`, join(out, 'copy')]), 0, 'cp out of the container');
      assert.equal(readFileSync(join(out, 'copy', 'sub', 'new.txt'), 'utf8'), 'generated\n');
      assert.equal(readFileSync(join(out, 'copy', 'a.txt'), 'utf8'), 'alpha\n');
      assert.equal(statSync(join(out, 'copy', 'sub', 'b.txt')).mode & 0o7777, 0o4755);
      assert.equal(readlinkSync(join(out, 'copy', 'link')), 'a.txt');
      // a single file to stdout as a tar
      const tar = await sb.sh(`${which === 'docker' ? 'docker' : join(process.cwd(), 'bin/berth')} cp ${c}:/etc/hostname - | tar -tvf -`);
      assertExit(sb, tar, 0);
      assert.match(tar.stdout, /^-rw-r--r-- 0\/0\s+13 .* hostname\n$/);
      await sb.dockerOk(['rm', '-f', c]);
    });

    test('symlinks: -L follows the source link, a link destination is followed', async () => {
      const sb = sandbox();
      const run = cli(sb, which);
      const c = `cp-link-${which}`;
      await sb.dockerOk(['run', '-d', '--name', c, 'bb', 'sh', '-c', 'ln -s /etc/hostname /hn; mkdir /target; ln -s /target /dl; sleep 1000']);
      await waitForPath(sb, c, '/dl');
      const out = hostDir('lnk');
      assertExit(sb, await run(['cp', `${c}:/hn`, join(out, 'plain')]), 0);
      assert.ok(lstatSync(join(out, 'plain')).isSymbolicLink(), 'without -L the link itself is copied');
      assertExit(sb, await run(['cp', '-L', `${c}:/hn`, join(out, 'followed')]), 0);
      assert.ok(lstatSync(join(out, 'followed')).isFile(), 'with -L the file it points to');
      assert.equal(readFileSync(join(out, 'followed'), 'utf8').length, 13);
      const src = sourceTree();
      assertExit(sb, await run(['cp', join(src, 'd', 'a.txt'), `${c}:/dl`]), 0);
      assert.equal(await sb.dockerOk(['exec', c, 'cat', '/target/a.txt']), 'alpha', 'a link to a directory is followed');
      await sb.dockerOk(['rm', '-f', c]);
    });

    test('stopped containers: into a created one, out of an exited one (its deletions stay deleted), volumes', async () => {
      const sb = sandbox();
      const run = cli(sb, which);
      const c1 = `cp-created-${which}`;
      await sb.dockerOk(['create', '--name', c1, '-v', `cpvol-${which}:/data`, 'bb', 'sh', '-c', 'cat /tmp/d/a.txt /data/a.txt; stat -c "%u" /tmp/d/a.txt']);
      const src = sourceTree();
      assertExit(sb, await run(['cp', join(src, 'd'), `${c1}:/tmp/`]), 0);
      assertExit(sb, await run(['cp', join(src, 'd', 'a.txt'), `${c1}:/data/`]), 0, 'into a volume of a container never started');
      const started = await sb.docker(['start', '-a', c1]);
      assertExit(sb, started, 0);
      assert.equal(started.stdout, 'alpha\nalpha\n1234\n');
      assert.equal(await sb.dockerOk(['run', '--rm', '-v', `cpvol-${which}:/v`, 'bb', 'cat', '/v/a.txt']), 'alpha');
      const c2 = `cp-exited-${which}`;
      await sb.dockerOk(['run', '--name', c2, 'bb', 'sh', '-c', 'rm /bin/vi; echo up > /etc/motd; ln /etc/motd /etc/motd2']);
      const bin = await sb.sh(`docker cp ${c2}:/bin - | tar -tf - | grep -c -e '^bin/vi$' -e '^bin/sh$'`);
      assert.equal(bin.stdout.trim(), '1', 'bin/sh is there, the deleted bin/vi is not');
      const out = hostDir('stopped');
      assertExit(sb, await run(['cp', `${c2}:/etc`, out]), 0);
      assert.equal(readFileSync(join(out, 'etc', 'motd'), 'utf8'), 'up\n');
      assert.equal(statSync(join(out, 'etc', 'motd2')).ino, statSync(join(out, 'etc', 'motd')).ino, 'hardlinks stay hardlinks');
      assert.ok(readFileSync(join(out, 'etc', 'passwd'), 'utf8').includes('root:'), 'files of the image come along');
      await sb.dockerOk(['rm', '-v', c1, c2]);
    });

    test('-a: files take the container user\'s uid and gid', async () => {
      const sb = sandbox();
      const run = cli(sb, which);
      const c = `cp-user-${which}`;
      await sb.dockerOk(['create', '--name', c, '--user', 'nobody', 'bb', 'sh', '-c', 'stat -c "%n %u:%g" /tmp/d/a.txt /tmp/d/sub']);
      const src = sourceTree();
      assertExit(sb, await run(['cp', '-a', join(src, 'd'), `${c}:/tmp/`]), 0);
      const r = await sb.docker(['start', '-a', c]);
      assert.equal(r.stdout, '/tmp/d/a.txt 65534:65534\n/tmp/d/sub 65534:65534\n');
      await sb.dockerOk(['rm', c]);
    });

    test('errors as dockerd words them', async () => {
      const sb = sandbox();
      const run = cli(sb, which);
      const c = `cp-err-${which}`;
      await sb.dockerOk(['run', '-d', '--name', c, '--read-only', '-v', `cpro-${which}:/ro:ro`, '-v', `cprw-${which}:/rw`, 'bb', 'sh', '-c', 'mkdir -p /tmp 2>/dev/null; sleep 1000']);
      const out = hostDir('err');
      const missing = await run(['cp', `${c}:/nonexist`, out]);
      assertExit(sb, missing, 1);
      assertStderr(sb, missing, `Error response from daemon: Could not find the file /nonexist in container ${c}`);
      const src = sourceTree();
      const ro = await run(['cp', join(src, 'd', 'a.txt'), `${c}:/etc/`]);
      assertExit(sb, ro, 1);
      assertStderr(sb, ro, 'container rootfs is marked read-only');
      const roVol = await run(['cp', join(src, 'd', 'a.txt'), `${c}:/ro/`]);
      assertExit(sb, roVol, 1);
      assertStderr(sb, roVol, 'mounted volume is marked read-only');
      assertExit(sb, await run(['cp', join(src, 'd', 'a.txt'), `${c}:/rw/`]), 0, 'a read-write volume of a read-only container');
      writeFileSync(join(out, 'etc'), 'not a dir');
      const over = await run(['cp', join(out, 'etc'), `${c}:/rw/`]);
      assertExit(sb, over, 0);
      await sb.dockerOk(['exec', c, 'mkdir', '/rw/dir']);
      writeFileSync(join(out, 'dir'), 'x');
      const dirOver = await run(['cp', join(out, 'dir'), `${c}:/rw/`]);
      assertExit(sb, dirOver, 1);
      assertStderr(sb, dirOver, 'cannot overwrite directory "dir" with non-directory "/rw"');
      const noParent = await run(['cp', join(src, 'd', 'a.txt'), `${c}:/rw/no/such/dir/`]);
      assertExit(sb, noParent, 1);
      const noCtr = await run(['cp', join(src, 'd', 'a.txt'), 'no-such-ctr:/tmp/x']);
      assertExit(sb, noCtr, 1);
      assertStderr(sb, noCtr, 'No such container: no-such-ctr');
      const both = await run(['cp', `${c}:/a`, `${c}:/b`]);
      assertExit(sb, both, 1);
      assertStderr(sb, both, 'copying between containers is not supported');
      await sb.dockerOk(['rm', '-f', '-v', c]);
    });
  });
}

describe('archive API', () => {
  test('HEAD stat header, events archive-path and extract-to-dir, an empty path', async () => {
    const sb = sandbox();
    const since = (Date.now() / 1000).toFixed(3);
    await sb.dockerOk(['run', '-d', '--name', 'arch1', 'bb', 'sh', '-c', 'ln -s hostname /etc/hn; sleep 1000']);
    await waitForPath(sb, 'arch1', '/etc/hn');
    const f = await inspectStat(sb, 'arch1', '/etc/hostname');
    assert.deepEqual(Object.keys(f), ['name', 'size', 'mode', 'mtime', 'linkTarget']);
    assert.deepEqual([f.name, f.size, f.mode, f.linkTarget], ['hostname', 13, 0o644, '']);
    assert.match(String(f.mtime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const d = await inspectStat(sb, 'arch1', '/etc/');
    assert.deepEqual([d.name, d.mode], ['etc', 2 ** 31 + 0o755]);
    const l = await inspectStat(sb, 'arch1', '/etc/hn');
    assert.deepEqual([l.name, l.mode, l.linkTarget], ['hn', 2 ** 27 + 0o777, '/etc/hostname']);
    assert.equal((await inspectStat(sb, 'arch1', '/')).name, '/');
    const missing = await sb.request('HEAD', '/containers/arch1/archive?path=/nope');
    assert.equal(missing.status, 404);
    const empty = await sb.request('GET', '/containers/arch1/archive');
    assert.equal(empty.status, 400);
    assert.match(empty.body, /bad parameter: path cannot be empty/);
    const notDir = await sb.request('PUT', '/containers/arch1/archive?path=/etc/hostname', { body: '' });
    assert.equal(notDir.status, 400);
    assert.match(notDir.body, /extraction point is not a directory/);
    await sb.dockerOk(['cp', '/etc/hostname', 'arch1:/tmp/']);
    await sb.dockerOk(['cp', 'arch1:/tmp/hostname', hostDir('ev')]);
    const until = (Date.now() / 1000 + 0.5).toFixed(3);
    const ev = await sb.dockerOk(['events', '--since', since, '--until', until, '--filter', 'container=arch1', '--format', '{{.Action}}']);
    assert.ok(ev.split('\n').includes('extract-to-dir'), ev);
    assert.ok(ev.split('\n').includes('archive-path'), ev);
    await sb.dockerOk(['rm', '-f', 'arch1']);
  });
});

async function waitForPath(sb: Sandbox, ctr: string, path: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await sb.request('HEAD', `/containers/${ctr}/archive?path=${encodeURIComponent(path)}`);
    if (r.status === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`${path} did not appear in ${ctr}`);
}

/** Removes every container and volume, so that the counts of a test are its own. */
async function cleanSlate(sb: Sandbox): Promise<void> {
  await sb.sh('docker rm -f -v $(docker ps -aq) >/dev/null 2>&1; docker volume prune -af >/dev/null 2>&1; true');
}

for (const which of ['docker', 'berth'] as Cli[]) {
  describe(`${which} system df / prune`, () => {
    test('df: the summary rows, -v sections, --format', async () => {
      const sb = sandbox();
      const run = cli(sb, which);
      await cleanSlate(sb);
      await sb.dockerOk(['run', '-d', '--name', `df-run-${which}`, '-v', `dfvol-${which}:/data`, 'bb', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1k count=300 2>/dev/null; echo x > /data/f; sleep 1000']);
      await sb.dockerOk(['run', '--name', `df-exit-${which}`, 'bb', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1k count=100 2>/dev/null']);
      await sb.dockerOk(['volume', 'create', `dforphan-${which}`]);
      await waitForPath(sb, `df-run-${which}`, '/data/f');
      const r = await run(['system', 'df']);
      assertExit(sb, r, 0);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
      assert.match(lines[1]!, /^Images\s+1\s+1\s+1\.9\d+MB\s+0B \(0%\)$/);
      assert.match(lines[2]!, /^Containers\s+2\s+1\s+409\.6kB\s+102\.4kB \(25%\)$/);
      assert.match(lines[3]!, /^Local Volumes\s+2\s+1\s+2B\s+0B \(0%\)$/);
      assert.match(lines[4]!, /^Build Cache\s+0\s+0\s+0B\s+0B$/);
      const v = await run(['system', 'df', '-v']);
      assertExit(sb, v, 0);
      assert.match(v.stdout, /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\nbb\s+latest\s+[0-9a-f]{12}\s.*\s2\n/);
      assert.match(v.stdout, new RegExp(`\\n[0-9a-f]{12}\\s+bb\\s+"sh -c .*"\\s+1\\s+307kB\\s+.*\\s+df-run-${which}\\n`));
      assert.match(v.stdout, new RegExp(`\\nLocal Volumes space usage:\\n\\nVOLUME NAME\\s+LINKS\\s+SIZE\\n(.*\\n)*dfvol-${which}\\s+1\\s+2B\\n`));
      assert.match(v.stdout, /\nBuild cache usage: 0B\n/);
      const j = await run(['system', 'df', '--format', '{{json .}}']);
      assert.equal(j.stdout.split('\n')[1], '{"Active":"1","Reclaimable":"102.4kB (25%)","Size":"409.6kB","TotalCount":"2","Type":"Containers"}');
      const t = await run(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}']);
      assert.equal(t.stdout, 'Images=1\nContainers=2\nLocal Volumes=2\nBuild Cache=0\n');
      // the API's sections
      const vols = JSON.parse((await sb.request('GET', '/system/df?type=volume')).body);
      assert.equal(vols.Images, null);
      assert.equal(vols.Volumes.find((x: { Name: string }) => x.Name === `dfvol-${which}`).UsageData.Size, 2);
      const bad = await sb.request('GET', '/system/df?type=bogus');
      assert.equal(bad.status, 400);
      assert.match(bad.body, /unknown object type: bogus/);
      await cleanSlate(sb);
    });

    test('prune: stopped containers, unused networks, dangling images, anonymous volumes with --volumes; prune events', async () => {
      const sb = sandbox();
      const run = cli(sb, which);
      await cleanSlate(sb);
      const since = (Date.now() / 1000).toFixed(3);
      await sb.dockerOk(['run', '-d', '--name', `pr-keep-${which}`, 'bb', 'sleep', '1000']);
      const exited = await sb.dockerOk(['create', '--name', `pr-gone-${which}`, '-v', '/anon', 'bb', 'sh', '-c', 'echo x > /big']);
      await sb.dockerOk(['start', '-a', exited]);
      const anon = await sb.dockerOk(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', exited]);
      await sb.dockerOk(['network', 'create', `prnet-${which}`]);
      const dangling = await sb.dockerOk(['commit', `pr-keep-${which}`]);
      await sb.dockerOk(['volume', 'create', `prnamed-${which}`]);
      const r = await run(['system', 'prune', '-f']);
      assertExit(sb, r, 0);
      assert.match(r.stdout, new RegExp(`^Deleted Containers:\\n${exited}\\n\\nDeleted Networks:\\nprnet-${which}\\n\\nDeleted Images:\\ndeleted: ${dangling}\\n(deleted: sha256:[0-9a-f]{64}\\n)*\\nTotal reclaimed space: \\d`));
      assert.equal(await sb.dockerOk(['ps', '-aq', '--no-trunc']), await sb.dockerOk(['inspect', '-f', '{{.Id}}', `pr-keep-${which}`]), 'the running container stays');
      assert.match(await sb.dockerOk(['volume', 'ls', '-q']), new RegExp(anon), 'volumes stay without --volumes');
      const rv = await run(['system', 'prune', '-f', '--volumes']);
      assertExit(sb, rv, 0);
      assert.match(rv.stdout, new RegExp(`Deleted Volumes:\\n${anon}\\n`));
      assert.equal(await sb.dockerOk(['volume', 'ls', '-q']), `prnamed-${which}`, 'named volumes stay (API ≥ 1.42)');
      const until = (Date.now() / 1000 + 0.5).toFixed(3);
      const ev = await sb.dockerOk(['events', '--since', since, '--until', until, '--filter', 'event=prune', '--format', '{{.Type}} {{.Actor.ID}}{{.Actor.Attributes.reclaimed}}']);
      const kinds = ev.split('\n').map((l) => l.split(' ')[0]);
      for (const k of ['container', 'network', 'image', 'volume', 'builder']) assert.ok(kinds.includes(k), `a ${k} prune event: ${ev}`);
      assert.match(ev, /^container \d+$/m, 'no actor id, the reclaimed bytes');
      await cleanSlate(sb);
    });
  });
}

describe('berth stats and update', () => {
  test('stats --no-stream: Docker\'s columns with plausible values, --format, a missing container', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'bst1', '-m', '64m', 'bb', 'sh', '-c', 'while :; do :; done']);
    await sb.dockerOk(['run', '-d', '--name', 'bst2', 'bb', 'sleep', '1000']);
    const r = await sb.berth(['stats', '--no-stream']);
    assertExit(sb, r, 0);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    const f = lines.find((l) => /\sbst1\s/.test(l))!.split(/\s{2,}/);
    const cpu = Number.parseFloat(f[2]!);
    assert.ok(cpu > 30 && cpu < 110, `a busy loop uses about one CPU: ${f.join('|')}`);
    assert.match(f[3]!, /^\d+(\.\d+)?(B|KiB|MiB) \/ 64MiB$/);
    assert.match(f[5]!, /^\d+(\.\d+)?k?B \/ \d+(\.\d+)?k?B$/);
    assert.equal(f[7], '1');
    assert.match(lines.find((l) => /\sbst2\s/.test(l))!, /\s0\.00%\s.*\/ \d+(\.\d+)?GiB\s/);
    assert.equal((await sb.berth(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'bst2'])).stdout, 'bst2 1\n');
    const missing = await sb.berth(['stats', '--no-stream', 'nope']);
    assertExit(sb, missing, 1);
    assertStderr(sb, missing, 'Error response from daemon: No such container: nope');
    await sb.dockerOk(['rm', '-f', 'bst1', 'bst2']);
  });

  test('update: memory reaches the cgroup, restart policy and pids limit, dockerd\'s errors', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'bup1', '-m', '64m', 'bb', 'sleep', '1000']);
    const limit = () => sb.dockerOk(['exec', 'bup1', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']);
    const r = await sb.berth(['update', '-m', '48m', 'bup1']);
    assertExit(sb, r, 0);
    assert.equal(r.stdout, 'bup1\n');
    assert.equal(await limit(), '50331648');
    const big = await sb.berth(['update', '-m', '256m', 'bup1']);
    assertExit(sb, big, 1);
    assertStderr(sb, big, /Cannot update container [0-9a-f]{64}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time/);
    assertExit(sb, await sb.berth(['update', '--restart', 'on-failure:3', '--pids-limit', '40', '--cpus', '0.5', 'bup1']), 0);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}', 'bup1']), 'on-failure:3 40 500000000');
    assert.equal(await sb.dockerOk(['exec', 'bup1', 'cat', '/sys/fs/cgroup/pids/pids.max', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us']), '40\n50000');
    const none = await sb.berth(['update', 'bup1']);
    assertExit(sb, none, 1);
    assertStderr(sb, none, 'you must provide one or more flags when using this command');
    await sb.dockerOk(['rm', '-f', 'bup1']);
  });
});

describe('a start that fails', () => {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const cases: [cmd: string, exit: number, detail: string][] = [
    ['/nonexistent', 127, 'exec: "/nonexistent": stat /nonexistent: no such file or directory'],
    ['nonexistent', 127, 'exec: "nonexistent": executable file not found in $PATH'],
    ['/etc', 126, 'exec: "/etc": permission denied'],
  ];

  test('dockerd 20.10\'s words ("failed to create shim task: OCI runtime create failed: … : unknown"), exit 127/126', async () => {
    const sb = sandbox();
    for (const [cmd, exit, detail] of cases) {
      const r = await sb.docker(['run', '--rm', 'bb', cmd]);
      assertExit(sb, r, exit, cmd);
      // the runtime's own name: runc with dockerd, crun or runc with berth
      const text = `failed to create shim task: OCI runtime create failed: (runc|crun) create failed: unable to start container process: ${esc(detail)}: unknown`;
      assertStderr(sb, r, new RegExp(`^docker: Error response from daemon: ${text}\\n`), cmd);
    }
    const r = await sb.docker(['run', '--name', 'sfail', 'bb', '/nonexistent']);
    assertExit(sb, r, 127);
    const state = await sb.dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}', 'sfail']);
    assert.match(state, /^created 127 failed to create shim task: OCI runtime create failed: (runc|crun) create failed: .*no such file or directory: unknown$/);
    const again = await sb.docker(['start', 'sfail']);
    assertExit(sb, again, 1);
    assertStderr(sb, again, /^Error response from daemon: failed to create shim task: OCI runtime create failed: .*: unknown\nError: failed to start containers: sfail\n$/);
    await sb.dockerOk(['rm', 'sfail']);
  });

  test('an exec that cannot start: "OCI runtime exec failed: exec failed: … : unknown", exit 126', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'sfexec', 'bb', 'sleep', '1000']);
    for (const [cmd, , detail] of cases) {
      const r = await sb.docker(['exec', 'sfexec', cmd]);
      assertExit(sb, r, 126, `exec ${cmd}`);
      assert.equal(r.stdout.trim(), `OCI runtime exec failed: exec failed: unable to start container process: ${detail}: unknown`, sb.explain(r));
    }
    await sb.dockerOk(['rm', '-f', 'sfexec']);
  });
});
