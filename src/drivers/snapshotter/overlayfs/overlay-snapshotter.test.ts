import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { backgroundCtx } from '../../../common/ctx.ts';
import { findProgram, gzipStream } from '../compression.ts';
import { OverlaySnapshotter } from './overlay-snapshotter.ts';

const isRoot = process.getuid?.() === 0;

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = tar.pack();
  for (const [name, body] of Object.entries(files)) p.entry({ name, mode: 0o644, mtime: new Date('2024-01-01T00:00:00Z') }, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function collect(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let dir: string;
before(async () => {
  dir = await mkdtemp(`${tmpdir()}/berth-overlay-snap-test-`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OverlaySnapshotter: layers unpacked ahead of their parents, committed in chain order', { skip: !isRoot && 'needs root (chown of unpacked files)' }, () => {
  it('gives the same lower chain as unpacking over the parent, in any unpack order', async () => {
    const snap = new OverlaySnapshotter(`${dir}/a`);
    await snap.init(backgroundCtx);
    const t1 = await tarOf({ one: '1' });
    const t2 = await tarOf({ two: '2' });
    const t3 = await tarOf({ three: '3' });

    // sequential, each over its parent
    const s1 = await snap.applyLayer(backgroundCtx, undefined, Readable.from([t1]));
    const s2 = await snap.applyLayer(backgroundCtx, s1.id, Readable.from([t2]));
    const s3 = await snap.applyLayer(backgroundCtx, s2.id, Readable.from([t3]));

    // in parallel, each on its own, committed afterwards
    const [p3, p1, p2] = await Promise.all([t3, t1, t2].map((t) => snap.unpackLayer(backgroundCtx, Readable.from([t]))));
    assert.equal(p1!.diffId, s1.diffId);
    assert.equal(p3!.diffId, `sha256:${createHash('sha256').update(t3).digest('hex')}`);
    assert.deepEqual((await readdir(snap.root)).filter((d) => d.endsWith('.tmp')).sort(), [p1!.id, p2!.id, p3!.id].map((id) => `${id}.tmp`).sort(), 'pending until committed');
    await snap.commitLayer(backgroundCtx, p1!.id, undefined);
    await snap.commitLayer(backgroundCtx, p2!.id, p1!.id);
    await snap.commitLayer(backgroundCtx, p3!.id, p2!.id);
    await snap.commitLayer(backgroundCtx, p3!.id, p2!.id); // idempotent

    const linksOf = async (lower: string) => Promise.all(lower.split(':').map(async (l) => readlink(`${snap.root}/${l}`)));
    const seq = await linksOf(await readFile(`${snap.root}/${s3.id}/lower`, 'utf8'));
    const par = await linksOf(await readFile(`${snap.root}/${p3!.id}/lower`, 'utf8'));
    assert.deepEqual(seq, [`../${s2.id}/diff`, `../${s1.id}/diff`]);
    assert.deepEqual(par, [`../${p2!.id}/diff`, `../${p1!.id}/diff`]);
    assert.equal(await readFile(`${snap.root}/${p3!.id}/parent`, 'utf8'), p2!.id);
    assert.equal((await snap.layout('c', [p3!.id, p2!.id, p1!.id])).lowerDirs.length, 3);
    assert.equal(await readFile(`${snap.layerDir(p2!.id)}/two`, 'utf8'), '2');
    await assert.rejects(snap.commitLayer(backgroundCtx, p3!.id, p1!.id), /is not pending, and stands on/);
    await assert.rejects(snap.commitLayer(backgroundCtx, p1!.id, p2!.id), /stands on nothing/);
  });

  it('drops pending layers on removeLayer and, after a crash, on init', async () => {
    const snap = new OverlaySnapshotter(`${dir}/b`);
    await snap.init(backgroundCtx);
    const a = await snap.unpackLayer(backgroundCtx, Readable.from([await tarOf({ a: 'a' })]));
    const b = await snap.unpackLayer(backgroundCtx, Readable.from([await tarOf({ b: 'b' })]));
    await snap.removeLayer(backgroundCtx, a.id);
    await assert.rejects(stat(`${snap.root}/${a.id}.tmp`), { code: 'ENOENT' });
    // a daemon that died before committing b: the next one removes it
    await new OverlaySnapshotter(`${dir}/b`).init(backgroundCtx);
    await assert.rejects(stat(`${snap.root}/${b.id}.tmp`), { code: 'ENOENT' });
    assert.deepEqual(await readdir(snap.root), ['l']);
  });
});

describe('gzipStream', () => {
  const data = Buffer.concat([Buffer.alloc(300_000, 'berth '), createHash('sha256').update('x').digest()]);
  for (const pigz of [false, true]) {
    it(`compresses so that gunzip gives the input back (${pigz ? 'pigz' : 'node:zlib'})`, async (t) => {
      if (pigz && !findProgram('pigz')) return t.skip('pigz is not installed');
      const gz = await collect(gzipStream(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { pigz }));
      assert.deepEqual(gunzipSync(gz), data);
      assert.ok(gz.length < data.length / 10);
      // the same input gives the same bytes (no name or time in the header)
      assert.deepEqual(await collect(gzipStream(Readable.from([data]), { pigz })), gz);
    });
  }
  it('uses node:zlib when it may use one thread only (other layers are being compressed)', async (t) => {
    if (!findProgram('pigz')) return t.skip('pigz is not installed');
    const zlibBytes = await collect(gzipStream(Readable.from([data]), { pigz: false }));
    const pigzBytes = await collect(gzipStream(Readable.from([data]), { threads: 2 }));
    assert.notDeepEqual(pigzBytes, zlibBytes, 'pigz and zlib write different (equally valid) streams');
    assert.deepEqual(await collect(gzipStream(Readable.from([data]), { threads: 1 })), zlibBytes);
  });
  it('ends with the error of its input', async () => {
    const bad = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await assert.rejects(collect(gzipStream(bad, { pigz: false })), /disk on fire/);
  });
  it('finds programs on PATH, and says so when there is none', () => {
    assert.equal(findProgram('sh', '/bin:/usr/bin'), findProgram('sh'));
    assert.ok(findProgram('sh')?.endsWith('/sh'));
    assert.equal(findProgram('no-such-program-berth'), undefined);
  });
});
