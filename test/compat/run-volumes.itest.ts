import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertExit, assertStderr, assertStdout, useSandbox } from './helpers.ts';

/**
 * Storage through the stock docker CLI: `docker volume` verbs with Docker's JSON, `-v` and `--mount` for volumes,
 * binds and tmpfs, copy of the image's content into new volumes, `--volumes-from`, image VOLUMEs, `rm -v`, prune,
 * a volume in use, and the volume events.
 */
const sandbox = useSandbox({ label: 'vol' });

function hostDir(prefix: string): string {
  return mkdtempSync(join(sandbox().dir, `${prefix}-`));
}

describe('docker volume', () => {
  test('create, inspect, ls, rm with labels, Docker JSON shape', async () => {
    const sb = sandbox();
    assert.equal(await sb.dockerOk(['volume', 'create', '--label', 'k=v', '--label', 'team=a', 'vc1']), 'vc1');
    const v = JSON.parse(await sb.dockerOk(['volume', 'inspect', 'vc1']))[0];
    assert.deepEqual(Object.keys(v), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.equal(v.Name, 'vc1');
    assert.equal(v.Driver, 'local');
    assert.equal(v.Scope, 'local');
    assert.equal(v.Options, null);
    assert.deepEqual(v.Labels, { k: 'v', team: 'a' });
    assert.equal(v.Mountpoint, join(sb.dataRoot, 'volumes', 'vc1', '_data'));
    assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    // creating it again returns the same volume
    assert.equal(await sb.dockerOk(['volume', 'create', 'vc1']), 'vc1');
    assert.deepEqual(JSON.parse(await sb.dockerOk(['volume', 'inspect', 'vc1']))[0].Labels, { k: 'v', team: 'a' });
    assert.match(await sb.dockerOk(['volume', 'ls']), /^DRIVER\s+VOLUME NAME\n(.*\n)*local\s+vc1$/m);
    assert.match(await sb.dockerOk(['volume', 'ls', '-q']), /^vc1$/m);
    assert.equal(await sb.dockerOk(['volume', 'inspect', '-f', '{{.Labels.team}} {{.Driver}}', 'vc1']), 'a local');
    assert.equal(await sb.dockerOk(['volume', 'rm', 'vc1']), 'vc1');
    const gone = await sb.docker(['volume', 'inspect', 'vc1']);
    assertExit(sb, gone, 1);
    assertStderr(sb, gone, /no such volume|No such volume/);
    const rm = await sb.docker(['volume', 'rm', 'vc1']);
    assertExit(sb, rm, 1);
    assertStderr(sb, rm, 'get vc1: no such volume');
    assertExit(sb, await sb.docker(['volume', 'rm', '-f', 'vc1']), 0, 'rm -f of a missing volume');
  });

  test('create: anonymous name, driver options, bad names and options', async () => {
    const sb = sandbox();
    const anon = await sb.dockerOk(['volume', 'create']);
    assert.match(anon, /^[0-9a-f]{64}$/);
    await sb.dockerOk(['volume', 'rm', anon]);
    await sb.dockerOk(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', 'vopt1']);
    assert.equal(await sb.dockerOk(['volume', 'inspect', '-f', '{{json .Options}}', 'vopt1']), '{"device":"tmpfs","o":"size=1m","type":"tmpfs"}');
    const out = await sb.dockerOk(['run', '--rm', '-v', 'vopt1:/t', 'bb', 'sh', '-c', 'grep " /t " /proc/mounts']);
    assert.match(out, /^tmpfs \/t tmpfs .*size=1024k/, 'a local volume with type/device/o is mounted with them');
    await sb.dockerOk(['volume', 'rm', 'vopt1']);
    const bad = await sb.docker(['volume', 'create', 'a/b']);
    assertExit(sb, bad, 1);
    assertStderr(sb, bad, 'create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    const short = await sb.docker(['volume', 'create', 'x']);
    assertStderr(sb, short, 'create x: volume name is too short, names should be at least two alphanumeric characters');
    const opt = await sb.docker(['volume', 'create', '-o', 'foo=bar', 'vbad']);
    assertExit(sb, opt, 1);
    assertStderr(sb, opt, 'create vbad: invalid option: "foo"');
    const missing = await sb.docker(['volume', 'create', '-o', 'o=bind', 'vbad2']);
    assertStderr(sb, missing, /create vbad2: missing required option: "(device|type)"/);
    const drv = await sb.docker(['volume', 'create', '-d', 'nosuchdriver', 'vbad3']);
    assertExit(sb, drv, 1);
    assertStderr(sb, drv, /plugin "nosuchdriver" not found/);
  });

  test('ls filters: dangling, name, driver, label', async () => {
    const sb = sandbox();
    await sb.dockerOk(['volume', 'create', '--label', 'tier=web', 'lf-web']);
    await sb.dockerOk(['volume', 'create', '--label', 'tier=db', 'lf-db']);
    await sb.dockerOk(['create', '--name', 'lf-user', '-v', 'lf-db:/d', 'bb', 'true']);
    const ls = async (...f: string[]) =>
      (await sb.dockerOk(['volume', 'ls', '-q', ...f.flatMap((x) => ['--filter', x])]))
        .split('\n')
        .filter((n) => n.startsWith('lf-'))
        .sort();
    assert.deepEqual(await ls('name=lf-'), ['lf-db', 'lf-web']);
    assert.deepEqual(await ls('name=lf-w'), ['lf-web']);
    assert.deepEqual(await ls('label=tier'), ['lf-db', 'lf-web']);
    assert.deepEqual(await ls('label=tier=db'), ['lf-db']);
    assert.deepEqual(await ls('dangling=true'), ['lf-web']);
    assert.deepEqual(await ls('dangling=false'), ['lf-db']);
    assert.deepEqual(await ls('driver=local', 'label=tier=web'), ['lf-web']);
    assert.deepEqual(await ls('driver=other'), []);
    const bad = await sb.docker(['volume', 'ls', '--filter', 'color=red']);
    assertExit(sb, bad, 1);
    assertStderr(sb, bad, "invalid filter 'color'");
    const badBool = await sb.docker(['volume', 'ls', '--filter', 'dangling=maybe']);
    assertStderr(sb, badBool, "invalid filter 'dangling=[maybe]'");
    await sb.dockerOk(['rm', 'lf-user']);
    await sb.dockerOk(['volume', 'rm', 'lf-web', 'lf-db']);
  });

  test('a volume in use cannot be removed (409 naming the container)', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['create', '--name', 'iu1', '-v', 'inuse1:/data', 'bb', 'true']);
    const r = await sb.docker(['volume', 'rm', 'inuse1']);
    assertExit(sb, r, 1);
    assertStderr(sb, r, `Error response from daemon: remove inuse1: volume is in use - [${id}]`);
    const api = await sb.request('DELETE', '/volumes/inuse1');
    assert.equal(api.status, 409, api.body);
    await sb.restart();
    assertStderr(sb, await sb.docker(['volume', 'rm', 'inuse1']), 'volume is in use', 'still in use after a daemon restart');
    await sb.dockerOk(['rm', 'iu1']);
    assert.equal(await sb.dockerOk(['volume', 'rm', 'inuse1']), 'inuse1', 'removable once the container is gone');
  });

  test('prune: anonymous unused volumes only, --all for named ones, label filters', async () => {
    const sb = sandbox();
    await sb.dockerOk(['volume', 'create', 'pr-named']);
    await sb.dockerOk(['volume', 'create', '--label', 'keep=1', 'pr-keep']);
    const anon = await sb.dockerOk(['volume', 'create']);
    await sb.dockerOk(['create', '--name', 'pr-user', '-v', '/anon-used', 'bb', 'true']);
    const used = await sb.dockerOk(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'pr-user']);
    assert.match(used, /^[0-9a-f]{64}$/);
    const out = await sb.dockerOk(['volume', 'prune', '-f']);
    assert.match(out, new RegExp(`Deleted Volumes:\\n${anon}\\n`));
    const left = await sb.dockerOk(['volume', 'ls', '-q']);
    assert.match(left, /^pr-named$/m, 'named volumes survive a plain prune');
    assert.match(left, new RegExp(`^${used}$`, 'm'), 'a volume in use survives prune');
    assert.doesNotMatch(left, new RegExp(anon));
    const filtered = await sb.dockerOk(['volume', 'prune', '-f', '--all', '--filter', 'label!=keep']);
    assert.match(filtered, /pr-named/);
    assert.doesNotMatch(filtered, /pr-keep/);
    assert.match(await sb.dockerOk(['volume', 'ls', '-q']), /^pr-keep$/m);
    await sb.dockerOk(['rm', '-v', 'pr-user']);
    await sb.dockerOk(['volume', 'rm', 'pr-keep']);
  });
});

describe('docker run with volumes', () => {
  test('data in a named volume survives the container and is seen by the next one', async () => {
    const sb = sandbox();
    assertExit(sb, await sb.docker(['run', '--rm', '-v', 'keep1:/data', 'bb', 'sh', '-c', 'echo persisted > /data/f']), 0);
    assert.match(await sb.dockerOk(['volume', 'ls', '-q']), /^keep1$/m, '-v name:/path creates the volume');
    const r = await sb.docker(['run', '--rm', '-v', 'keep1:/data', 'bb', 'cat', '/data/f']);
    assertStdout(sb, r, 'persisted');
    assert.equal(readFileSync(join(sb.dataRoot, 'volumes/keep1/_data/f'), 'utf8'), 'persisted\n');
    await sb.dockerOk(['volume', 'rm', 'keep1']);
  });

  test('Mounts in inspect and ps; ps --filter volume=', async () => {
    const sb = sandbox();
    const dir = hostDir('bind');
    await sb.dockerOk(['run', '-d', '--name', 'mi1', '-v', 'mi-vol:/data', '-v', `${dir}:/host:ro`, '--mount', 'type=tmpfs,dst=/scratch', 'bb', 'sleep', '100']);
    const mounts = JSON.parse(await sb.dockerOk(['inspect', '-f', '{{json .Mounts}}', 'mi1']));
    assert.deepEqual(mounts, [
      { Type: 'volume', Name: 'mi-vol', Source: join(sb.dataRoot, 'volumes/mi-vol/_data'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
      { Type: 'bind', Source: dir, Destination: '/host', Mode: 'ro', RW: false, Propagation: 'rprivate' },
      { Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' },
    ]);
    assert.equal(await sb.dockerOk(['ps', '--no-trunc', '--filter', 'name=mi1', '--format', '{{.Mounts}}']), `mi-vol,${dir},`, 'the tmpfs mount point has neither name nor source');
    assert.equal(await sb.dockerOk(['ps', '--filter', 'volume=mi-vol', '--format', '{{.Names}}']), 'mi1');
    assert.equal(await sb.dockerOk(['ps', '--filter', 'volume=/host', '--format', '{{.Names}}']), 'mi1');
    assert.equal(await sb.dockerOk(['ps', '-q', '--filter', 'volume=nosuch']), '');
    await sb.dockerOk(['rm', '-f', 'mi1']);
    await sb.dockerOk(['volume', 'rm', 'mi-vol']);
  });

  test('-v bind mounts: read-write, :ro, and a missing host directory is created', async () => {
    const sb = sandbox();
    const dir = hostDir('rw');
    writeFileSync(join(dir, 'in.txt'), 'from-host\n');
    const r = await sb.docker(['run', '--rm', '-v', `${dir}:/h`, 'bb', 'sh', '-c', 'cat /h/in.txt; echo from-ctr > /h/out.txt']);
    assertStdout(sb, r, 'from-host');
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'from-ctr\n');
    const ro = await sb.docker(['run', '--rm', '-v', `${dir}:/h:ro`, 'bb', 'sh', '-c', 'echo x > /h/new.txt']);
    assertExit(sb, ro, 1, 'write to a :ro bind');
    assertStderr(sb, ro, /Read-only file system/);
    const missing = join(dir, 'made', 'by', 'run');
    assertExit(sb, await sb.docker(['run', '--rm', '-v', `${missing}:/m`, 'bb', 'true']), 0);
    assert.ok(existsSync(missing), `${missing} created on the host`);
  });

  test('--mount type=bind: readonly, missing source refused, bind-nonrecursive, bind-propagation', async () => {
    const sb = sandbox();
    const dir = hostDir('mnt');
    writeFileSync(join(dir, 'f'), 'x');
    const ro = await sb.docker(['run', '--rm', '--mount', `type=bind,src=${dir},dst=/b,readonly`, 'bb', 'sh', '-c', 'cat /b/f && touch /b/g']);
    assertExit(sb, ro, 1);
    assertStderr(sb, ro, /Read-only file system/);
    const missing = await sb.docker(['run', '--rm', '--mount', `type=bind,src=${dir}/nope,dst=/b`, 'bb', 'true']);
    assertExit(sb, missing, 125);
    assertStderr(sb, missing, `invalid mount config for type "bind": bind source path does not exist: ${dir}/nope`);
    // a shared source (in the daemon's mount namespace) so that the container's rslave mount gets a master
    const notShared = await sb.docker(['run', '--rm', '--mount', `type=bind,src=${dir},dst=/b,bind-propagation=rshared`, 'bb', 'true']);
    assertExit(sb, notShared, 125);
    assertStderr(sb, notShared, /is mounted on .* but it is not a shared mount/);
    await sb.exec(['sh', '-c', `mount --bind ${dir} ${dir} && mount --make-shared ${dir}`]);
    try {
      const prop = await sb.docker(['run', '--rm', '--mount', `type=bind,src=${dir},dst=/b,bind-propagation=rslave`, 'bb', 'sh', '-c', 'grep " /b " /proc/self/mountinfo']);
      assertExit(sb, prop, 0);
      assert.match(prop.stdout, /master:\d+/, `rslave propagation: ${prop.stdout}`);
      const priv = await sb.docker(['run', '--rm', '-v', `${dir}:/b`, 'bb', 'sh', '-c', 'grep " /b " /proc/self/mountinfo']);
      assert.doesNotMatch(priv.stdout, /master:|shared:/, `default rprivate: ${priv.stdout}`);
    } finally {
      await sb.exec(['umount', dir]);
    }
    const inspect = await sb.dockerOk(['create', '--mount', `type=bind,src=${dir},dst=/b,bind-nonrecursive`, 'bb', 'true']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{range .HostConfig.Mounts}}{{.BindOptions.NonRecursive}}{{end}}', inspect]), 'true');
    const started = await sb.docker(['start', '-a', inspect]);
    assertExit(sb, started, 0);
    await sb.dockerOk(['rm', inspect]);
    const badProp = await sb.docker(['run', '--rm', '-v', `${dir}:/b:rshared,slave`, 'bb', 'true']);
    assertExit(sb, badProp, 125);
    assertStderr(sb, badProp, 'invalid mode: rshared,slave');
  });

  test('bad -v specifications are refused with exit 125', async () => {
    const sb = sandbox();
    const rel = await sb.docker(['run', '--rm', '-v', 'rel/path:/x', 'bb', 'true']);
    assertExit(sb, rel, 125);
    assertStderr(sb, rel, '"rel/path" includes invalid characters for a local volume name');
    const root = await sb.docker(['run', '--rm', '-v', 'vv:/', 'bb', 'true']);
    assertExit(sb, root, 125);
    assertStderr(sb, root, "destination can't be '/'");
    const dup = await sb.docker(['run', '--rm', '-v', 'd1x:/d', '-v', 'd2x:/d', 'bb', 'true']);
    assertExit(sb, dup, 125);
    assertStderr(sb, dup, 'Duplicate mount point: /d');
    const leftover = await sb.dockerOk(['volume', 'ls', '-q']);
    assert.doesNotMatch(leftover, /^d[12]x$/m, 'a refused run leaves no volume referenced or created');
    for (const v of leftover.split('\n').filter((n) => /^d[12]x$/.test(n))) await sb.dockerOk(['volume', 'rm', v]);
  });

  test("a new empty volume gets the image's content; nocopy and a non-empty volume don't", async () => {
    const sb = sandbox();
    assertStdout(sb, await sb.docker(['run', '--rm', '-v', 'cu1:/etc', 'bb', 'cat', '/etc/passwd']), /^root:/);
    assert.match(readFileSync(join(sb.dataRoot, 'volumes/cu1/_data/passwd'), 'utf8'), /^root:/m, 'copied into the volume');
    // (/etc/hosts, /etc/hostname and /etc/resolv.conf are mounted over the volume: only passwd tells)
    const nocopy = await sb.docker(['run', '--rm', '--mount', 'type=volume,src=cu2,dst=/etc,volume-nocopy', 'bb', 'ls', '-A', '/etc']);
    assertExit(sb, nocopy, 0);
    assert.doesNotMatch(nocopy.stdout, /passwd/, 'volume-nocopy: not filled');
    const nocopyV = await sb.docker(['run', '--rm', '-v', 'cu3:/etc:nocopy', 'bb', 'ls', '-A', '/etc']);
    assert.doesNotMatch(nocopyV.stdout, /passwd/, '-v …:nocopy: not filled');
    await sb.dockerOk(['run', '--rm', '-v', 'cu4:/x', 'bb', 'sh', '-c', 'echo mine > /x/only']);
    const filled = await sb.dockerOk(['run', '--rm', '-v', 'cu4:/etc', 'bb', 'ls', '/etc']);
    assert.match(filled, /^only$/m);
    assert.doesNotMatch(filled, /passwd/, 'a volume with data is not filled');
    await sb.dockerOk(['volume', 'rm', 'cu1', 'cu2', 'cu3', 'cu4']);
  });

  test('--mount type=volume: volume-opt, volume-label, volume-subpath, readonly', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '--rm', '--mount', 'type=volume,src=mv1,dst=/v,volume-label=made=by-mount', 'bb', 'sh', '-c', 'mkdir -p /v/sub && echo in-sub > /v/sub/f']);
    assert.equal(await sb.dockerOk(['volume', 'inspect', '-f', '{{.Labels.made}}', 'mv1']), 'by-mount');
    const sub = await sb.docker(['run', '--rm', '--mount', 'type=volume,src=mv1,dst=/s,volume-subpath=sub', 'bb', 'cat', '/s/f']);
    assertStdout(sb, sub, 'in-sub');
    const esc = await sb.docker(['run', '--rm', '--mount', 'type=volume,src=mv1,dst=/s,volume-subpath=../x', 'bb', 'true']);
    assertExit(sb, esc, 125);
    assertStderr(sb, esc, 'subpath must be a relative path within the volume');
    const ro = await sb.docker(['run', '--rm', '--mount', 'type=volume,src=mv1,dst=/v,readonly', 'bb', 'touch', '/v/x']);
    assertExit(sb, ro, 1);
    assertStderr(sb, ro, /Read-only file system/);
    const tmp = await sb.docker(['run', '--rm', '--mount', 'type=volume,src=mv2,dst=/t,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs', 'bb', 'sh', '-c', 'grep " /t " /proc/mounts']);
    assertStdout(sb, tmp, /^tmpfs \/t tmpfs /);
    await sb.dockerOk(['volume', 'rm', 'mv1', 'mv2']);
  });

  test('--tmpfs and --mount type=tmpfs with size and mode', async () => {
    const sb = sandbox();
    const t = await sb.docker(['run', '--rm', '--tmpfs', '/run:size=1m,mode=700', 'bb', 'sh', '-c', 'grep " /run " /proc/mounts; stat -c %a /run']);
    assertExit(sb, t, 0);
    assert.match(t.stdout, /^tmpfs \/run tmpfs rw,nosuid,nodev,noexec,.*size=1024k,mode=700/m);
    assert.match(t.stdout, /^700$/m);
    const m = await sb.docker(['run', '--rm', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=2m,tmpfs-mode=1770', 'bb', 'sh', '-c', 'grep " /t " /proc/mounts; stat -c %a /t']);
    assertExit(sb, m, 0);
    assert.match(m.stdout, /^tmpfs \/t tmpfs .*size=2048k,mode=1770/m);
    assert.match(m.stdout, /^1770$/m);
    const dup = await sb.docker(['run', '--rm', '--tmpfs', '/d', '-v', 'tdup:/d', 'bb', 'true']);
    assertExit(sb, dup, 125);
    assertStderr(sb, dup, 'Duplicate mount point: /d');
  });

  test('--volumes-from shares volumes and binds, :ro makes them read-only', async () => {
    const sb = sandbox();
    const dir = hostDir('vf');
    await sb.dockerOk(['run', '--name', 'vf-src', '-v', '/shared', '-v', `${dir}:/b`, 'bb', 'sh', '-c', 'echo from-src > /shared/f; echo b > /b/f']);
    const r = await sb.docker(['run', '--rm', '--volumes-from', 'vf-src', 'bb', 'sh', '-c', 'cat /shared/f /b/f; echo more >> /shared/f']);
    assertExit(sb, r, 0);
    assert.equal(r.stdout, 'from-src\nb\n');
    const ro = await sb.docker(['run', '--rm', '--volumes-from', 'vf-src:ro', 'bb', 'sh', '-c', 'cat /shared/f; touch /shared/g']);
    assertExit(sb, ro, 1);
    assert.equal(ro.stdout, 'from-src\nmore\n');
    assertStderr(sb, ro, /Read-only file system/);
    const none = await sb.docker(['run', '--rm', '--volumes-from', 'vf-nosuch', 'bb', 'true']);
    assertExit(sb, none, 125);
    assertStderr(sb, none, 'No such container: vf-nosuch');
    const vol = await sb.dockerOk(['inspect', '-f', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}}{{end}}{{end}}', 'vf-src']);
    await sb.dockerOk(['rm', '-v', 'vf-src']);
    assert.doesNotMatch(await sb.dockerOk(['volume', 'ls', '-q']), new RegExp(vol), 'rm -v removed the anonymous volume');
  });

  test('image VOLUME: an anonymous volume with the image content; rm keeps it, rm -v and --rm remove it', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '--name', 'iv-seed', 'bb', 'sh', '-c', 'mkdir /data && echo seeded > /data/seed && chown 65534 /data']);
    await sb.dockerOk(['commit', '-c', 'VOLUME /data', 'iv-seed', 'bbvol']);
    await sb.dockerOk(['rm', 'iv-seed']);
    const r = await sb.docker(['run', '--name', 'iv1', 'bbvol', 'sh', '-c', 'cat /data/seed; stat -c %u /data']);
    assertExit(sb, r, 0);
    assert.equal(r.stdout, 'seeded\n65534\n', 'content and owner copied into the anonymous volume');
    const [vol, src] = (await sb.dockerOk(['inspect', '-f', '{{range .Mounts}}{{.Name}} {{.Source}} {{.Destination}} {{.Mode}} {{.RW}}{{end}}', 'iv1'])).split(' ');
    assert.match(vol!, /^[0-9a-f]{64}$/);
    assert.equal(src, join(sb.dataRoot, 'volumes', vol!, '_data'));
    assert.equal(await sb.dockerOk(['volume', 'inspect', '-f', '{{json .Labels}}', vol!]), '{"com.docker.volume.anonymous":""}');
    await sb.dockerOk(['rm', 'iv1']);
    assert.match(await sb.dockerOk(['volume', 'ls', '-q']), new RegExp(`^${vol}$`, 'm'), 'rm without -v keeps the volume');
    await sb.dockerOk(['volume', 'rm', vol!]);

    const id = await sb.dockerOk(['create', 'bbvol', 'true']);
    const v2 = await sb.dockerOk(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', id]);
    await sb.dockerOk(['rm', '-v', id]);
    assert.doesNotMatch(await sb.dockerOk(['volume', 'ls', '-q']), new RegExp(v2));

    const before = (await sb.dockerOk(['volume', 'ls', '-q'])).split('\n').filter(Boolean).length;
    await sb.dockerOk(['run', '--rm', 'bbvol', 'true']);
    assert.equal((await sb.dockerOk(['volume', 'ls', '-q'])).split('\n').filter(Boolean).length, before, '--rm removes the anonymous volume');

    const named = await sb.docker(['run', '--rm', '-v', 'ivn:/data', 'bbvol', 'cat', '/data/seed']);
    assertStdout(sb, named, 'seeded', 'a named volume over an image VOLUME replaces it and gets its content');
    await sb.dockerOk(['volume', 'rm', 'ivn']);
    await sb.dockerOk(['rmi', 'bbvol']);
  });

  test('volume events: create, mount, unmount, destroy', async () => {
    const sb = sandbox();
    const since = (Date.now() / 1000).toFixed(3);
    const id = await sb.dockerOk(['run', '-d', '--name', 'ev-v', '-v', 'evvol:/data', 'bb', 'true']);
    await sb.dockerOk(['wait', 'ev-v']);
    await sb.dockerOk(['rm', 'ev-v']);
    await sb.dockerOk(['volume', 'rm', 'evvol']);
    await new Promise((r) => setTimeout(r, 200));
    const until = (Date.now() / 1000).toFixed(3);
    const out = await sb.dockerOk([
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      'type=volume',
      '--format',
      '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}} {{.Actor.Attributes.container}} {{index .Actor.Attributes "destination"}}',
    ]);
    assert.deepEqual(out.split('\n'), ['create evvol local <no value> ', `mount evvol local ${id} /data`, `unmount evvol local ${id} `, 'destroy evvol local <no value>']);
  });
});
