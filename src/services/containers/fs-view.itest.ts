import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getAttribute, setAttribute } from '@napi-rs/xattr';
import { nullLogger } from '../../common/log.ts';
import { DirView, LayerView, MountedView, resolveInView } from './fs-view.ts';

/**
 * The overlay rules of LayerView, on real layer dirs with overlay whiteouts (char 0/0, needs root) and opaque
 * dirs (trusted.overlay.opaque, needs CAP_SYS_ADMIN): what a stopped container's `docker cp` reads and writes.
 */
const root = mkdtempSync(join(tmpdir(), 'berth-fsview-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ctx = { log: nullLogger };

async function layer(name: string, files: Record<string, string | null | 'dir' | 'opaque' | { link: string }>): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [p, v] of Object.entries(files)) {
    const full = join(dir, p);
    mkdirSync(join(full, '..'), { recursive: true });
    if (v === null) execFileSync('mknod', [full, 'c', '0', '0']);
    else if (v === 'dir' || v === 'opaque') {
      mkdirSync(full, { recursive: true });
      if (v === 'opaque') await setAttribute(full, 'trusted.overlay.opaque', 'y');
    } else if (typeof v === 'object') symlinkSync(v.link, full);
    else writeFileSync(full, v);
  }
  return dir;
}

describe('LayerView', () => {
  let low = '';
  let mid = '';
  let upper = '';
  let view: LayerView;
  before(async () => {
    low = await layer('low', { 'etc/passwd': 'root', 'etc/gone': 'x', 'usr/lib/a': 'A', 'usr/lib/b': 'B', 'opq/old': 'old', 'lnk/x': 'x' });
    mid = await layer('mid', { 'etc/hostname': 'mid', 'usr/lib/b': null, opq: 'opaque', 'opq/new': 'new', abs: { link: '/usr/lib' } });
    upper = await layer('upper', { 'etc/gone': null, 'etc/motd': 'hi', tmp: 'dir' });
    view = new LayerView(ctx, [upper, mid, low]);
  });

  it('looks up the top-most entry; whiteouts hide; opaque dirs hide what is below them', async () => {
    assert.equal(readFileSync((await view.lookup('/etc/passwd'))!.host, 'utf8'), 'root');
    assert.equal((await view.lookup('/etc/hostname'))!.host, join(mid, 'etc/hostname'));
    assert.equal(await view.lookup('/etc/gone'), undefined);
    assert.equal(await view.lookup('/usr/lib/b'), undefined);
    assert.equal(await view.lookup('/opq/old'), undefined);
    assert.ok(await view.lookup('/opq/new'));
    assert.deepEqual((await view.list('/etc')).sort(), ['hostname', 'motd', 'passwd']);
    assert.deepEqual((await view.list('/usr/lib')).sort(), ['a']);
    assert.deepEqual((await view.list('/opq')).sort(), ['new']);
  });

  it('resolves symlinks in the container\'s scope', async () => {
    assert.equal(await resolveInView(view, '/abs/a'), '/usr/lib/a');
    assert.equal(await resolveInView(view, '/abs/../../../etc'), '/etc');
    assert.equal(await resolveInView(view, '/abs', false), '/abs');
    assert.equal(await resolveInView(view, '/nope/x/../y'), '/nope/y');
  });

  it('writes go to the upper layer: parents copied up with their metadata, replaced dirs opaque', async () => {
    execFileSync('chmod', ['0700', join(mid, 'usr/lib')]); // the top-most copy of the dir gives its attributes
    const { host, opaque } = await view.prepareCreate('/usr/lib/new');
    assert.equal(host, join(upper, 'usr/lib/new'));
    assert.equal(opaque, false, 'nothing below at that name');
    writeFileSync(host, 'N');
    assert.equal(statSync(join(upper, 'usr/lib')).mode & 0o777, 0o700, 'the copied-up parent keeps its mode');
    assert.deepEqual((await view.list('/usr/lib')).sort(), ['a', 'new'], 'the copy-up hides nothing');
    // a directory where a whiteout was: opaque, so the deleted file's old content stays hidden
    const gone = await view.prepareCreate('/usr/lib/b');
    assert.equal(gone.opaque, false, 'the whiteout is in a lower layer, the upper had nothing there');
    const etcGone = await view.prepareCreate('/etc/gone');
    assert.equal(etcGone.opaque, true, 'the upper whiteout is replaced');
    mkdirSync(etcGone.host);
    await view.markOpaque(etcGone.host);
    assert.equal((await getAttribute(etcGone.host, 'trusted.overlay.opaque'))?.toString(), 'y');
    assert.ok(!lstatSync(etcGone.host).isCharacterDevice());
    // materialize copies a lower file up for in-place changes
    const passwd = await view.materialize('/etc/passwd');
    assert.equal(passwd, join(upper, 'etc/passwd'));
    assert.equal(readFileSync(passwd, 'utf8'), 'root');
  });

  it('MountedView routes paths under a mount point to the mounted tree, and lists the mount point', async () => {
    const vol = await layer('vol', { 'data.txt': 'D' });
    const hosts = join(await layer('cdir', { hosts: '127.0.0.1 localhost' }), 'hosts');
    const mv = new MountedView(view, [
      { destination: '/data', view: new DirView(vol) },
      { destination: '/etc/hosts', view: new DirView(hosts) },
    ]);
    assert.equal(readFileSync((await mv.lookup('/data/data.txt'))!.host, 'utf8'), 'D');
    assert.ok((await mv.lookup('/data'))!.st.isDirectory());
    assert.ok((await mv.list('/')).includes('data'), 'a mount point the rootfs does not have yet');
    assert.ok((await mv.list('/etc')).includes('hosts'));
    assert.equal((await mv.prepareCreate('/data/new')).host, join(vol, 'new'));
    await assert.rejects(mv.prepareCreate('/etc/hosts'), /cannot replace a mount point/);
  });
});
