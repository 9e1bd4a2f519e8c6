import assert from 'node:assert/strict';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import tar from 'tar-stream';
import { nullLogger, type Logger } from '../../common/log.ts';
import { SystemError } from '../../common/errors.ts';
import { type IdentityMapping, pairToContainer } from '../../domain/userns/id-map.ts';
import { extractToView } from './archive-extract.ts';
import { archiveView } from './archive-tar.ts';
import { DirView } from './fs-view.ts';

/**
 * `docker cp` under `--userns-remap`: archives say the container's IDs, extracted entries get host IDs. The
 * mappings put the container's IDs onto this process's own uid/gid, so that no root is needed (chown to
 * oneself); the case with owners outside the range needs root to make them.
 */
const work = mkdtempSync(join(tmpdir(), 'berth-archive-userns-'));
after(() => rmSync(work, { recursive: true, force: true }));

const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const isRoot = uid === 0;
/** Where the container's root lands: this process's IDs, or (as root, who may chown to anyone) a remapped range's. */
const host = isRoot ? { uid: 100000, gid: 100001 } : { uid, gid };
const ctx = { log: nullLogger };
let n = 0;
const fresh = (): string => {
  const d = join(work, `t${n++}`);
  mkdirSync(d);
  return d;
};

/** container ID `from` (count `size`) ↔ host ID `to` */
const mapping = (from: number, to: { uid: number; gid: number }, size = 1): IdentityMapping => ({
  uids: [{ containerId: from, hostId: to.uid, size }],
  gids: [{ containerId: from, hostId: to.gid, size }],
});

async function entries(r: Readable): Promise<{ name: string; uid: number; gid: number }[]> {
  const x = tar.extract();
  const out: { name: string; uid: number; gid: number }[] = [];
  const done = (async () => {
    for await (const e of x) {
      out.push({ name: e.header.name, uid: e.header.uid ?? -1, gid: e.header.gid ?? -1 });
      e.resume();
    }
  })();
  r.pipe(x);
  await done;
  return out;
}

function tarOf(list: { name: string; type?: 'file' | 'directory'; uid: number; gid: number; body?: string }[]): Readable {
  const p = tar.pack();
  for (const e of list) p.entry({ name: e.name, type: e.type ?? 'file', uid: e.uid, gid: e.gid, mode: e.type === 'directory' ? 0o755 : 0o644 }, e.body ?? '');
  p.finalize();
  return Readable.from(p);
}

function recorder(): { log: Logger; errors: string[] } {
  const errors: string[] = [];
  return { log: { ...nullLogger, error: (m: string) => errors.push(m) }, errors };
}

describe('an archive of a container (GET /containers/{id}/archive)', () => {
  test('owners are written as the container sees them', async () => {
    const root = fresh();
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'a'), 'a');
    const m = mapping(1000, { uid, gid });
    const got = await entries(archiveView(new DirView(root), '/d', '/d', nullLogger, (p) => pairToContainer(m, p)));
    assert.deepEqual(got, [
      { name: 'd/', uid: 1000, gid: 1000 },
      { name: 'd/a', uid: 1000, gid: 1000 },
    ]);
    const plain = await entries(archiveView(new DirView(root), '/d', '/d', nullLogger));
    assert.deepEqual(
      plain.map((e) => [e.uid, e.gid]),
      [
        [uid, gid],
        [uid, gid],
      ],
      'without a mapping, the host IDs',
    );
  });

  test('an entry owned outside the range is left out and logged, what is below it is not', { skip: !isRoot && 'needs root to own files as others' }, async () => {
    const root = fresh();
    const base = 100000;
    for (const d of ['d', 'd/sub']) mkdirSync(join(root, d));
    for (const f of ['d/a', 'd/x', 'd/sub/b']) writeFileSync(join(root, f), f);
    chownSync(join(root, 'd'), base, base);
    chownSync(join(root, 'd/a'), base + 7, base + 8);
    chownSync(join(root, 'd/x'), 5, base);
    chownSync(join(root, 'd/sub'), base, 5);
    chownSync(join(root, 'd/sub/b'), base, base);
    const m = mapping(0, { uid: base, gid: base }, 65536);
    const { log, errors } = recorder();
    const got = await entries(archiveView(new DirView(root), '/d', '/d', log, (p) => pairToContainer(m, p)));
    assert.deepEqual(got, [
      { name: 'd/', uid: 0, gid: 0 },
      { name: 'd/a', uid: 7, gid: 8 },
      { name: 'd/sub/b', uid: 0, gid: 0 },
    ]);
    assert.deepEqual(errors, [`Can't add file ${join(root, 'd/sub')} to tar: Host ID 5 cannot be mapped to a container ID`, `Can't add file ${join(root, 'd/x')} to tar: Host ID 5 cannot be mapped to a container ID`]);
  });
});

describe('extracting into a container (PUT /containers/{id}/archive)', () => {
  const owner = (p: string) => {
    const st = lstatSync(p);
    return [st.uid, st.gid];
  };

  test("the archive's owners are shifted into the range; parents it does not list belong to the container's root", async () => {
    const root = fresh();
    const m = mapping(0, host);
    await extractToView(ctx, new DirView(root), '/', tarOf([{ name: 'f', uid: 0, gid: 0, body: 'x' }, { name: 'dir/', type: 'directory', uid: 0, gid: 0 }, { name: 'implied/deep/g', uid: 0, gid: 0 }]), { noOverwriteDirNonDir: true, idMapping: m });
    for (const p of ['f', 'dir', 'implied', 'implied/deep', 'implied/deep/g']) assert.deepEqual(owner(join(root, p)), [host.uid, host.gid], p);
  });

  test('an owner outside the range stops the extraction before the entry is made (a 500, moby\'s words)', async () => {
    const root = fresh();
    const m = mapping(0, host);
    const err = await extractToView(ctx, new DirView(root), '/', tarOf([{ name: 'ok', uid: 0, gid: 0 }, { name: 'bad', uid: 70000, gid: 0 }]), { noOverwriteDirNonDir: true, idMapping: m }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof SystemError, String(err));
    assert.equal(err.message, 'Container ID 70000 cannot be mapped to a host ID');
    assert.deepEqual(owner(join(root, 'ok')), [host.uid, host.gid]);
    assert.throws(() => lstatSync(join(root, 'bad')), /ENOENT/);
  });

  test('with a user to own everything (cp -a), that owner is used as given', async () => {
    const root = fresh();
    await extractToView(ctx, new DirView(root), '/', tarOf([{ name: 'f', uid: 70000, gid: 70000 }]), { noOverwriteDirNonDir: true, idMapping: mapping(0, host), chown: host });
    assert.deepEqual(owner(join(root, 'f')), [host.uid, host.gid]);
  });
});
