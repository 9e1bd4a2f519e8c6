import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Sandbox } from '../support/sandbox.ts';
import { assertExit, assertStderr } from './helpers.ts';

/**
 * A daemon started with `--userns-remap default`, through the stock docker CLI: containers run in a user namespace
 * whose root is the first ID of `dockremap`'s subordinate ranges, image layers and volumes belong to that range,
 * `--userns=host` opts out, and what needs the host's namespaces is refused. `docker cp` shifts owners both ways,
 * bind sources the daemon makes belong to the remapped root, and runtime dirs let only that root through.
 *
 * The daemon creates `dockremap` (useradd, usermod --add-subuids) as dockerd does. So that this changes nothing on
 * the machine, /etc is an overlay inside the sandbox's private mount namespace: the new user and its ranges
 * exist only there, and go with the sandbox.
 */
let sb: Sandbox | undefined;
const sandbox = (): Sandbox => {
  if (!sb) throw new Error('sandbox not created (see the before hook)');
  return sb;
};

/** dockremap's first subordinate uid and gid and their count, as the daemon found or made them. */
let range = { uid: 0, gid: 0, size: 0 };

/**
 * Mounts an overlay on /etc in the sandbox's private mount namespace, its upper dir in the sandbox dir: whatever
 * the daemon's useradd and usermod write there stays in the sandbox. Every daemon of this file that may create
 * `dockremap` gets one before it starts.
 */
async function overlayEtc(s: Sandbox): Promise<void> {
  const upper = join(s.dir, 'etc-upper');
  const work = join(s.dir, 'etc-work');
  mkdirSync(upper);
  mkdirSync(work);
  const m = await s.exec(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=/etc,upperdir=${upper},workdir=${work}`, '/etc']);
  assert.equal(m.code, 0, `overlay on /etc: ${m.stderr}`);
  const seen = await s.exec(['sh', '-c', `touch /etc/.berth-overlay-probe && test -e ${upper}/.berth-overlay-probe`]);
  assert.equal(seen.code, 0, 'writes to /etc land in the overlay');
  assert.ok(!existsSync('/etc/.berth-overlay-probe'), 'the machine\'s /etc is untouched');
}

/** The machine's own user files when the file started: they must be the same at the end. */
const HOST_FILES = ['/etc/passwd', '/etc/group', '/etc/subuid', '/etc/subgid'];
const hostFiles = (): string => HOST_FILES.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\0');
const hostBefore = hostFiles();

before(async () => {
  sb = await Sandbox.create({ label: 'userns', startDaemon: false, daemonArgs: ['--userns-remap', 'default'] });
  // the remapped root must get through the sandbox dir to reach layers and volumes (dockerd checks the same)
  chmodSync(sb.dir, 0o711);
  // berthd makes its exec root 0700 (as /run/berth): the daemon must open it to the remapped root itself
  chmodSync(sb.execRoot, 0o700);
  await overlayEtc(sb);
  await sb.start();
  await sb.importBusybox('bb');
  const entry = async (file: string) => {
    const text = (await sb!.exec(['cat', file])).stdout;
    const line = text.split('\n').find((l) => l.startsWith('dockremap:'));
    assert.ok(line, `dockremap has a range in ${file}:\n${text}`);
    const [, start, size] = line.split(':');
    return { start: Number(start), size: Number(size) };
  };
  const u = await entry('/etc/subuid');
  const g = await entry('/etc/subgid');
  range = { uid: u.start, gid: g.start, size: u.size };
});

after(async () => {
  await sb?.close();
  assert.equal(hostFiles(), hostBefore, "the machine's /etc/passwd, group, subuid and subgid are untouched");
});

async function run(args: string[], script: string) {
  return sandbox().docker(['run', '--rm', ...args, 'bb', 'sh', '-c', script]);
}

describe('the daemon', () => {
  test('created dockremap in the sandbox only, with a range of 65536', async () => {
    const s = sandbox();
    assert.equal(range.size, 65536);
    assertExit(s, await s.exec(['id', 'dockremap']), 0);
    const inside = (await s.exec(['grep', '-c', '^dockremap:', '/etc/passwd'])).stdout.trim();
    assert.equal(inside, '1');
    assert.equal(hostFiles(), hostBefore, "the machine's /etc/passwd, group, subuid and subgid are untouched");
  });

  test('docker info: the userns security option and the remapped root dir', async () => {
    const s = sandbox();
    const opts = await s.dockerOk(['info', '--format', '{{json .SecurityOptions}}']);
    assert.ok((JSON.parse(opts) as string[]).includes('name=userns'), opts);
    const root = await s.dockerOk(['info', '--format', '{{.DockerRootDir}}']);
    assert.equal(root, join(s.dataRoot, `${range.uid}.${range.gid}`));
    const st = (await s.exec(['stat', '-c', '%a %u %g', root])).stdout.trim();
    assert.equal(st, `710 0 ${range.gid}`);
  });
});

describe('daemon start-up', () => {
  test('an unknown remap user or group and a missing seccomp profile stop it; root turns remapping off', async () => {
    const cases: [Parameters<typeof Sandbox.create>[0], boolean, string][] = [
      [{ daemonArgs: ['--userns-remap', 'nosuchuser'] }, false, 'failed to start daemon: Error during uid lookup for "nosuchuser": no matching entries in passwd file'],
      [{ daemonArgs: ['--userns-remap', 'default:4242'] }, false, 'Gid 4242 has no entry in /etc/passwd'],
      [{ daemonArgs: ['--userns-remap', '0:0'] }, true, 'User namespaces: root cannot be remapped with itself; user namespaces are OFF'],
      [{ daemonConfig: { 'seccomp-profile': '/nonexistent/profile.json' } }, false, 'failed to start daemon: opening seccomp profile (/nonexistent/profile.json) failed: open /nonexistent/profile.json: no such file or directory'],
    ];
    for (const [opts, starts, want] of cases) {
      const sb = await Sandbox.create({ label: 'userns-bad', startDaemon: false, ...opts });
      try {
        await overlayEtc(sb);
        const failure = await sb.start().then(
          () => undefined,
          (err: Error) => err.message,
        );
        assert.equal(failure === undefined, starts, `${JSON.stringify(opts)}: ${failure ?? 'it started'}`);
        const log = sb.daemonLogText().replaceAll('\\"', '"');
        assert.ok(log.includes(want), `${JSON.stringify(opts)}: expected "${want}" in the daemon log\n${log.slice(-3000)}`);
        if (starts) assert.equal((await sb.dockerOk(['info', '--format', '{{json .SecurityOptions}}'])).includes('name=userns'), false);
      } finally {
        await sb.close();
      }
    }
  });

  test('a data root the remapped root cannot reach is refused, as dockerd does', async () => {
    const sb = await Sandbox.create({ label: 'userns-0700', startDaemon: false, daemonArgs: ['--userns-remap', 'default'] });
    try {
      await overlayEtc(sb);
      await assert.rejects(sb.start(), /a subdirectory in your graphroot path \(.*\) restricts access to the remapped root uid\/gid; please fix by allowing 'o\+x' permissions on existing directories/);
    } finally {
      await sb.close();
    }
  });
});

describe('containers', () => {
  test('root inside is the range\'s first ID outside: id -u is 0, uid_map shows the range', async () => {
    const s = sandbox();
    const r = await run([], 'id -u; cat /proc/self/uid_map; cat /proc/self/gid_map');
    assertExit(s, r, 0);
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    assert.deepEqual(lines, ['0', `0 ${range.uid} ${range.size}`, `0 ${range.gid} ${range.size}`]);
  });

  test('the container\'s process has the remapped uid on the host', async () => {
    const s = sandbox();
    await s.dockerOk(['run', '-d', '--name', 'u-sleep', 'bb', 'sleep', '300']);
    await s.dockerOk(['run', '-d', '--name', 'u-sleep1000', '-u', '1000:1000', 'bb', 'sleep', '300']);
    try {
      for (const [name, uid, gid] of [['u-sleep', range.uid, range.gid], ['u-sleep1000', range.uid + 1000, range.gid + 1000]] as const) {
        const pid = await s.dockerOk(['inspect', '-f', '{{.State.Pid}}', name]);
        const status = (await s.exec(['cat', `/proc/${pid}/status`])).stdout;
        assert.match(status, new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'), name);
        assert.match(status, new RegExp(`^Gid:\\s+${gid}\\s+${gid}\\s+${gid}\\s+${gid}$`, 'm'), name);
      }
    } finally {
      await s.docker(['rm', '-f', 'u-sleep', 'u-sleep1000']);
    }
  });

  test('image files belong to the container\'s root, inside and (shifted) on the host', async () => {
    const s = sandbox();
    const r = await run([], 'stat -c "%u:%g" /bin/busybox /etc; touch /etc/new && echo writable');
    assertExit(s, r, 0);
    assert.equal(r.stdout.trim(), '0:0\n0:0\nwritable');
    const upper = await s.dockerOk(['image', 'inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', 'bb']);
    const st = (await s.exec(['stat', '-c', '%u:%g', join(upper, 'bin/busybox')])).stdout.trim();
    assert.equal(st, `${range.uid}:${range.gid}`);
  });

  test('the engine\'s files are usable by the remapped root: workdir, /etc/hosts, /etc/hostname, /dev/shm', async () => {
    const s = sandbox();
    const r = await run(['-w', '/made/by/engine', '--hostname', 'h1'], 'stat -c "%u:%g" /made /made/by/engine /etc/hosts; touch f && echo "1.2.3.4 x" >> /etc/hosts && cat /etc/hostname && echo x > /dev/shm/x && echo ok');
    assertExit(s, r, 0);
    assert.equal(r.stdout.trim(), '0:0\n0:0\n0:0\nh1\nok');
    const shared = await run(['--ipc', 'shareable'], 'stat -c "%u:%g" /dev/shm && echo x > /dev/shm/x && echo ok');
    assertExit(s, shared, 0);
    assert.equal(shared.stdout.trim(), '0:0\nok');
  });

  test('a file made in a named volume belongs to the remapped root on the host', async () => {
    const s = sandbox();
    const r = await run(['-v', 'u-vol:/data'], 'echo hi > /data/f && stat -c "%u:%g" /data /data/f');
    assertExit(s, r, 0);
    assert.equal(r.stdout.trim(), '0:0\n0:0');
    const mp = await s.dockerOk(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'u-vol']);
    assert.ok(mp.startsWith(join(s.dataRoot, `${range.uid}.${range.gid}`, 'volumes')), mp);
    const st = (await s.exec(['stat', '-c', '%u:%g', mp, join(mp, 'f')])).stdout.trim();
    assert.equal(st, `${range.uid}:${range.gid}\n${range.uid}:${range.gid}`);
    await s.docker(['volume', 'rm', 'u-vol']);
    // a new volume over image content gets a copy of it, owners kept
    const pop = await run(['-v', 'u-pop:/etc'], 'stat -c "%u:%g" /etc /etc/passwd && echo x >> /etc/passwd && echo ok');
    assertExit(s, pop, 0);
    assert.equal(pop.stdout.trim(), '0:0\n0:0\nok');
    await s.docker(['volume', 'rm', 'u-pop']);
  });

  test('export and commit write the container\'s IDs, not the host\'s', async () => {
    const s = sandbox();
    await s.dockerOk(['run', '--name', 'u-commit', 'bb', 'sh', '-c', 'echo x > /made && chown 7:8 /made && mkdir /d && rm /bin/true']);
    try {
      const tv = await s.sh(`docker export u-commit | tar -tvf - --numeric-owner | grep -E " (made|bin/busybox)$"`);
      assertExit(s, tv, 0);
      assert.match(tv.stdout, /^\S+ 7\/8 .* made$/m);
      assert.match(tv.stdout, /^\S+ 0\/0 .* bin\/busybox$/m);
      await s.dockerOk(['commit', 'u-commit', 'u-committed']);
      const r = await s.docker(['run', '--rm', 'u-committed', 'sh', '-c', 'stat -c "%u:%g" /made /d; test -e /bin/true || echo whiteout']);
      assertExit(s, r, 0);
      assert.equal(r.stdout.trim(), '7:8\n0:0\nwhiteout');
    } finally {
      await s.docker(['rm', '-f', 'u-commit']);
      await s.docker(['rmi', 'u-committed']);
    }
  });

  test('--userns=host opts out: the host\'s ID map, and --privileged works with it', async () => {
    const s = sandbox();
    const r = await run(['--userns=host'], 'cat /proc/self/uid_map');
    assertExit(s, r, 0);
    assert.equal(r.stdout.trim().split(/\s+/).join(' '), '0 0 4294967295');
    const p = await run(['--userns=host', '--privileged'], 'grep -c . /proc/self/uid_map');
    assertExit(s, p, 0);
  });

  test('what needs the host\'s namespaces is refused without --userns=host (exit 125, dockerd\'s messages)', async () => {
    const s = sandbox();
    const cases: [string[], string][] = [
      [['--privileged'], 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode'],
      [['--network', 'host'], "cannot share the host's network namespace when user namespaces are enabled"],
      [['--pid', 'host'], 'cannot share the host PID namespace when user namespaces are enabled'],
    ];
    for (const [args, msg] of cases) {
      const r = await s.docker(['run', '--rm', '--name', 'u-refused', ...args, 'bb', 'true']);
      assertExit(s, r, 125, args.join(' '));
      assertStderr(s, r, msg);
      assertExit(s, await s.docker(['inspect', 'u-refused']), 1, 'nothing is left behind');
    }
  });

  test('networking works in a user namespace: an address, a user-defined network, its DNS', async () => {
    const s = sandbox();
    await s.dockerOk(['network', 'create', 'u-net']);
    try {
      await s.dockerOk(['run', '-d', '--name', 'u-peer', '--network', 'u-net', 'bb', 'sleep', '300']);
      const r = await run(['--network', 'u-net'], 'ip -4 -o addr show eth0 | grep -c inet; ping -c1 -W5 u-peer >/dev/null && echo reached');
      assertExit(s, r, 0);
      assert.equal(r.stdout.trim(), '1\nreached');
    } finally {
      await s.docker(['rm', '-f', 'u-peer']);
      await s.docker(['network', 'rm', 'u-net']);
    }
  });

  test('joining another container\'s network namespace joins its user namespace', async () => {
    const s = sandbox();
    await s.dockerOk(['run', '-d', '--name', 'u-donor', 'bb', 'sleep', '300']);
    try {
      const donorPid = await s.dockerOk(['inspect', '-f', '{{.State.Pid}}', 'u-donor']);
      const donorNs = (await s.exec(['readlink', `/proc/${donorPid}/ns/user`])).stdout.trim();
      const r = await run(['--network', 'container:u-donor'], 'readlink /proc/self/ns/user; id -u');
      assertExit(s, r, 0);
      assert.equal(r.stdout.trim(), `${donorNs}\n0`);
    } finally {
      await s.docker(['rm', '-f', 'u-donor']);
    }
  });
});

/** A local dir in the sandbox dir (the remapped root can get through it: see the before hook). */
function localDir(prefix: string): string {
  return mkdtempSync(join(sandbox().dir, `${prefix}-`));
}

/** `stat -c "%u:%g"` of host paths, run in the sandbox's mount namespace. */
async function hostOwners(paths: string[]): Promise<string> {
  const r = await sandbox().exec(['stat', '-c', '%u:%g', ...paths]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

describe('docker cp', () => {
  /** d/ (0:0), d/a.txt (0:0), d/b.txt (1234:5678) */
  function tree(): string {
    const root = localDir('cp');
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'a.txt'), 'alpha\n');
    writeFileSync(join(root, 'd', 'b.txt'), 'beta\n');
    chownSync(join(root, 'd', 'b.txt'), 1234, 5678);
    return root;
  }

  test('into a running container: the archive\'s owners are the container\'s, shifted into the range on the host', async () => {
    const s = sandbox();
    await s.dockerOk(['run', '-d', '--name', 'u-cp', 'bb', 'sleep', '300']);
    try {
      const src = tree();
      assertExit(s, await s.docker(['cp', join(src, 'd'), 'u-cp:/tmp/']), 0);
      const inside = await s.dockerOk(['exec', 'u-cp', 'stat', '-c', '%n %u:%g', '/tmp/d', '/tmp/d/a.txt', '/tmp/d/b.txt']);
      assert.equal(inside, '/tmp/d 0:0\n/tmp/d/a.txt 0:0\n/tmp/d/b.txt 1234:5678');
      const pid = await s.dockerOk(['inspect', '-f', '{{.State.Pid}}', 'u-cp']);
      const root = `/proc/${pid}/root/tmp/d`;
      assert.equal(await hostOwners([root, `${root}/a.txt`, `${root}/b.txt`]), `${range.uid}:${range.gid}\n${range.uid}:${range.gid}\n${range.uid + 1234}:${range.gid + 5678}`);
      // parents the archive does not list are made for the container's root
      const implied = await s.sh(`tar -C ${JSON.stringify(src)} -cf - d/a.txt | docker cp - u-cp:/root/`);
      assertExit(s, implied, 0);
      assert.equal(await s.dockerOk(['exec', 'u-cp', 'stat', '-c', '%u:%g', '/root/d', '/root/d/a.txt']), '0:0\n0:0');
    } finally {
      await s.docker(['rm', '-f', 'u-cp']);
    }
  });

  test('out of a container: the archive says the container\'s IDs; a file owned outside the range is left out', async () => {
    const s = sandbox();
    const bind = localDir('cp-out');
    chownSync(bind, range.uid, range.gid);
    writeFileSync(join(bind, 'ours'), 'o\n');
    chownSync(join(bind, 'ours'), range.uid + 1, range.gid + 2);
    writeFileSync(join(bind, 'theirs'), 't\n');
    chownSync(join(bind, 'theirs'), 5, 5);
    await s.dockerOk(['run', '-d', '--name', 'u-cpo', '-v', `${bind}:/mnt`, 'bb', 'sh', '-c', 'mkdir /d && echo x > /d/f && chown 7:8 /d/f && sleep 300']);
    try {
      await waitFor(async () => (await s.docker(['exec', 'u-cpo', 'test', '-e', '/d/f'])).code === 0);
      const tv = await s.sh('docker cp u-cpo:/d - | tar -tvf - --numeric-owner');
      assertExit(s, tv, 0);
      assert.match(tv.stdout, /^d\S+ 0\/0 .* d\/$/m);
      assert.match(tv.stdout, /^-\S+ 7\/8 .* d\/f$/m);
      const mnt = await s.sh('docker cp u-cpo:/mnt - | tar -tvf - --numeric-owner');
      assertExit(s, mnt, 0);
      assert.match(mnt.stdout, /^d\S+ 0\/0 .* mnt\/$/m);
      assert.match(mnt.stdout, /^-\S+ 1\/2 .* mnt\/ours$/m);
      assert.doesNotMatch(mnt.stdout, /theirs/);
      assert.ok(s.daemonLogText().includes(`to tar: Host ID 5 cannot be mapped to a container ID`), 'the left-out file is logged');
      // the stopped container's layers say the same
      await s.dockerOk(['stop', '-t', '0', 'u-cpo']);
      const stopped = await s.sh('docker cp u-cpo:/d/f - | tar -tvf - --numeric-owner');
      assert.match(stopped.stdout, /^-\S+ 7\/8 .* f$/m);
    } finally {
      await s.docker(['rm', '-f', 'u-cpo']);
    }
  });

  test('an archive owner the range cannot hold is refused, nothing is written', async () => {
    const s = sandbox();
    await s.dockerOk(['create', '--name', 'u-cpbad', 'bb', 'true']);
    try {
      const src = localDir('cp-bad');
      writeFileSync(join(src, 'far.txt'), 'far\n');
      chownSync(join(src, 'far.txt'), 70000, 70000);
      const r = await s.docker(['cp', join(src, 'far.txt'), 'u-cpbad:/tmp/']);
      assertExit(s, r, 1);
      assertStderr(s, r, 'Error response from daemon: Container ID 70000 cannot be mapped to a host ID');
      const out = await s.sh('docker cp u-cpbad:/tmp - | tar -tf -');
      assert.doesNotMatch(out.stdout, /far\.txt/);
    } finally {
      await s.docker(['rm', '-f', 'u-cpbad']);
    }
  });

  test('-a into a stopped container: its user owns the files inside (shifted on the host)', async () => {
    const s = sandbox();
    await s.dockerOk(['create', '--name', 'u-cpa', '--user', 'nobody', 'bb', 'stat', '-c', '%n %u:%g', '/tmp/d/a.txt', '/tmp/d/b.txt']);
    try {
      assertExit(s, await s.docker(['cp', '-a', join(tree(), 'd'), 'u-cpa:/tmp/']), 0);
      // the container's writable layer: <DockerRootDir>/overlay2/<id>/diff
      const id = await s.dockerOk(['inspect', '-f', '{{.Id}}', 'u-cpa']);
      const upper = join(await s.dockerOk(['info', '--format', '{{.DockerRootDir}}']), 'overlay2', id, 'diff');
      assert.equal(await hostOwners([join(upper, 'tmp/d/a.txt')]), `${range.uid + 65534}:${range.gid + 65534}`);
      const r = await s.docker(['start', '-a', 'u-cpa']);
      assertExit(s, r, 0);
      assert.equal(r.stdout, '/tmp/d/a.txt 65534:65534\n/tmp/d/b.txt 65534:65534\n');
    } finally {
      await s.docker(['rm', '-f', 'u-cpa']);
    }
  });
});

describe('bind mounts', () => {
  test('a missing bind source the daemon makes belongs to the remapped root', async () => {
    const s = sandbox();
    const base = localDir('bind');
    const src = join(base, 'made', 'deeper');
    const r = await run(['-v', `${src}:/mnt`], 'stat -c "%u:%g" /mnt && touch /mnt/f && echo ok');
    assertExit(s, r, 0);
    assert.equal(r.stdout.trim(), '0:0\nok');
    assert.equal(await hostOwners([base, join(base, 'made'), src, join(src, 'f')]), `0:0\n${range.uid}:${range.gid}\n${range.uid}:${range.gid}\n${range.uid}:${range.gid}`);
  });
});

describe('runtime dirs', () => {
  test('0710 with the remapped group in a user namespace, 0700 with --userns=host; specs are root\'s alone', async () => {
    const s = sandbox();
    await s.dockerOk(['run', '-d', '--name', 'u-rt', 'bb', 'sleep', '300']);
    await s.dockerOk(['run', '-d', '--name', 'u-rt-host', '--userns=host', 'bb', 'sleep', '300']);
    try {
      const dir = async (name: string) => join(s.execRoot, 'containers', await s.dockerOk(['inspect', '-f', '{{.Id}}', name]));
      const userns = await dir('u-rt');
      const hostns = await dir('u-rt-host');
      const st = (await s.exec(['stat', '-c', '%a %u %g', userns, hostns, join(userns, 'config.json')])).stdout.trim();
      assert.equal(st, `710 0 ${range.gid}\n700 0 0\n600 0 0`);
      // the remapped root gets through to the rootfs, and no further: no listing, no spec, not the other dir
      const as = (cmd: string) => s.exec(['setpriv', `--reuid=${range.uid}`, `--regid=${range.gid}`, '--clear-groups', 'sh', '-c', cmd]);
      assertExit(s, await as(`test -x ${userns}/rootfs/bin/busybox`), 0, 'through to the rootfs');
      assert.notEqual((await as(`ls ${userns}`)).code, 0, 'no listing');
      assert.notEqual((await as(`cat ${userns}/config.json`)).code, 0, 'no spec');
      assert.notEqual((await as(`test -w ${userns}/attach || test -w ${userns}/ctl`)).code, 0, 'no attach socket, no control FIFO');
      assert.notEqual((await as(`ls ${hostns}/rootfs`)).code, 0, 'not into a --userns=host container');
      // both work: exec joins the user namespace
      assert.equal(await s.dockerOk(['exec', 'u-rt', 'sh', '-c', 'id -u; stat -c %u /proc/1']), '0\n0');
      assert.equal(await s.dockerOk(['exec', 'u-rt-host', 'id', '-u']), '0');
    } finally {
      await s.docker(['rm', '-f', 'u-rt', 'u-rt-host']);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
