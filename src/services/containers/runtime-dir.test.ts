import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { IdentityMapping } from '../../domain/userns/id-map.ts';
import { mkdirAllOwnedNew } from './mounts.ts';
import { makeRuntimeDir, runtimeDirGroup } from './runtime-dir.ts';

const work = mkdtempSync(join(tmpdir(), 'berth-runtime-dir-'));
after(() => rmSync(work, { recursive: true, force: true }));

const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const isRoot = uid === 0;
const remap: IdentityMapping = { uids: [{ containerId: 0, hostId: 100000, size: 65536 }], gids: [{ containerId: 0, hostId: 200000, size: 65536 }] };

describe('a container runtime dir', () => {
  test('which group gets through: the remapped root\'s, for containers in a user namespace only', () => {
    const cases: [Parameters<typeof runtimeDirGroup>[0], IdentityMapping | undefined, number | undefined][] = [
      [{ UsernsMode: '' }, remap, 200000],
      [{ UsernsMode: 'host' }, remap, undefined],
      [{ UsernsMode: '' }, undefined, undefined],
      [{ UsernsMode: '' }, { uids: [], gids: [] }, undefined],
    ];
    for (const [h, m, want] of cases) assert.equal(runtimeDirGroup(h, m), want, JSON.stringify([h, m]));
  });

  test('0700 without a group, whatever the umask; the rootfs mount point inside', async () => {
    const old = process.umask(0);
    try {
      const dir = join(work, 'plain', 'c1');
      const rootfs = await makeRuntimeDir(dir, undefined);
      assert.equal(rootfs, join(dir, 'rootfs'));
      assert.equal(statSync(dir).mode & 0o7777, 0o700);
      assert.equal(statSync(rootfs).mode & 0o7777, 0o700);
      assert.equal(statSync(dir).uid, uid);
    } finally {
      process.umask(old);
    }
  });

  test('0710 with the group (here: this process\'s own, or the remapped one as root)', async () => {
    const group = isRoot ? 200000 : gid;
    const dir = join(work, 'grp', 'c2');
    await makeRuntimeDir(dir, group);
    const st = statSync(dir);
    assert.equal(st.mode & 0o7777, 0o710);
    assert.equal(st.gid, group);
    assert.equal(st.uid, uid);
  });
});

describe('a bind source the daemon creates', () => {
  test('only the directories it makes are given to the owner', async () => {
    const owner = isRoot ? { uid: 100000, gid: 100000 } : { uid, gid };
    const existing = join(work, 'bind');
    mkdirSync(existing);
    chmodSync(existing, 0o755);
    const before = statSync(existing);
    const target = join(existing, 'a', 'b', 'c');
    await mkdirAllOwnedNew(`${target}/`, 0o755, owner);
    for (const p of ['a', 'a/b', 'a/b/c']) {
      const st = statSync(join(existing, p));
      assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [owner.uid, owner.gid, 0o755], p);
    }
    const after = statSync(existing);
    assert.deepEqual([after.uid, after.gid], [before.uid, before.gid], 'what existed keeps its owner');
    // again: nothing new, nothing changed; a file in the way is the caller's EEXIST/ENOTDIR
    await mkdirAllOwnedNew(target, 0o755, { uid: before.uid, gid: before.gid });
    assert.equal(statSync(target).uid, owner.uid);
  });

  test('without an owner, plain mkdir -p (root keeps them)', async () => {
    const target = join(work, 'plainbind', 'x');
    await mkdirAllOwnedNew(target, 0o755, undefined);
    assert.equal(statSync(target).uid, uid);
  });
});
