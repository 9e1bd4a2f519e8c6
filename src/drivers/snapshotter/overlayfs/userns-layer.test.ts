import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { backgroundCtx } from '../../../common/ctx.ts';
import { InvalidArgumentError } from '../../../common/errors.ts';
import { createIdMap } from '../../../domain/userns/subid.ts';
import { applyLayer } from './apply-layer.ts';
import { diffLayer } from './diff-layer.ts';
import { exportMerged } from './export-merged.ts';
import { OverlaySnapshotter } from './overlay-snapshotter.ts';
import { ownerOf, type TarHeader } from './tar-writer.ts';
import { makeTar } from './tar-fixture.ts';

/** Layers of a daemon with `--userns-remap`: owners shifted into the range when unpacked, shifted back in diffs. */
const isRoot = process.getuid?.() === 0;
const mapping = { uids: createIdMap([{ start: 100000, length: 65536 }]), gids: createIdMap([{ start: 300000, length: 65536 }]) };


async function owners(stream: Readable): Promise<Record<string, string>> {
  const ex = tar.extract();
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  const out: Record<string, string> = {};
  for await (const e of ex) {
    const o = ownerOf(e.header as TarHeader);
    out[e.header.name] = `${o.uid}:${o.gid}`;
    e.resume();
  }
  return out;
}

async function owner(p: string): Promise<string> {
  const st = await lstat(p);
  return `${st.uid}:${st.gid}`;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(`${tmpdir()}/berth-userns-layer-test-`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('unpacking with an ID mapping', { skip: !isRoot && 'needs root (chown)' }, () => {
  it('shifts every owner into the range; parents the tar does not list belong to the remapped root', async () => {
    const dest = `${dir}/shift`;
    await mkdir(dest);
    const layer = await makeTar([
      [{ name: './', type: 'directory', mode: 0o755, uid: 0, gid: 0 }],
      [{ name: 'etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0 }, 'root'],
      [{ name: 'home/u/f', type: 'file', mode: 0o600, uid: 1000, gid: 1001 }, 'x'],
      [{ name: 'home/u/l', type: 'symlink', linkname: 'f', uid: 1000, gid: 1001 }],
      [{ name: 'run/p', type: 'fifo', mode: 0o600, uid: 5, gid: 6 }],
      [{ name: 'gone/.wh.old', type: 'file', mode: 0o600, uid: 0, gid: 0 }],
    ]);
    await applyLayer(backgroundCtx, Readable.from([layer]), dest, { idMapping: mapping });
    const cases: [string, string][] = [
      ['', '100000:300000'],
      ['etc', '100000:300000'],
      ['etc/passwd', '100000:300000'],
      ['home/u/f', '101000:301001'],
      ['home/u/l', '101000:301001'],
      ['run/p', '100005:300006'],
      ['gone/old', '100000:300000'],
    ];
    for (const [p, want] of cases) assert.equal(await owner(p ? `${dest}/${p}` : dest), want, p || '/');
  });

  it('owners beyond ustar\'s 0o777777 travel as PAX uid/gid records, both ways', async () => {
    const upper = `${dir}/large`;
    await mkdir(upper);
    await writeFile(`${upper}/f`, 'x');
    const { chown } = await import('node:fs/promises');
    await chown(`${upper}/f`, 5000000, 300007);
    const chunks: Buffer[] = [];
    for await (const c of diffLayer(upper, backgroundCtx.log)) chunks.push(c as Buffer);
    const dest = `${dir}/large-out`;
    await mkdir(dest);
    await applyLayer(backgroundCtx, Readable.from([Buffer.concat(chunks)]), dest);
    assert.equal(await owner(`${dest}/f`), '5000000:300007');
  });

  it('refuses an owner outside the range', async () => {
    const dest = `${dir}/outside`;
    await mkdir(dest);
    const layer = await makeTar([[{ name: 'f', type: 'file', mode: 0o644, uid: 70000, gid: 0 }, 'x']]);
    await assert.rejects(applyLayer(backgroundCtx, Readable.from([layer]), dest, { idMapping: mapping }), (err: Error) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /Container ID 70000 cannot be mapped to a host ID/);
      return true;
    });
  });

  it('diffs and exports shift owners back; whiteouts say root', async () => {
    const upper = `${dir}/upper`;
    await mkdir(`${upper}/d`, { recursive: true });
    await writeFile(`${upper}/d/f`, 'x');
    const { chown } = await import('node:fs/promises');
    await chown(`${upper}/d`, 100000, 300000);
    await chown(`${upper}/d/f`, 101000, 300007);
    const back = (p: { uid: number; gid: number }) => ({ uid: p.uid - 100000, gid: p.gid - 300000 });
    assert.deepEqual(await owners(diffLayer(upper, backgroundCtx.log, back)), { d: '0:0', 'd/f': '1000:7' });
    assert.deepEqual(await owners(exportMerged([upper], backgroundCtx.log, back)), { d: '0:0', 'd/f': '1000:7' });
    assert.deepEqual(await owners(diffLayer(upper, backgroundCtx.log)), { d: '100000:300000', 'd/f': '101000:300007' }, 'no map: host IDs');
  });

  it('the overlay snapshotter: layers shifted, a container\'s writable dirs owned by the remapped root, diffs shifted back', async () => {
    const snap = new OverlaySnapshotter(`${dir}/root`, { idMapping: mapping });
    await snap.init(backgroundCtx);
    const layer = await makeTar([[{ name: 'bin/sh', type: 'file', mode: 0o755, uid: 0, gid: 0 }, '#!']]);
    const applied = await snap.applyLayer(backgroundCtx, undefined, Readable.from([layer]));
    assert.equal(await owner(snap.layerDir(applied.id)), '100000:300000', 'the layer root, though the tar has no ./');
    assert.equal(await owner(`${snap.layerDir(applied.id)}/bin/sh`), '100000:300000');
    const layout = await snap.prepare(backgroundCtx, 'c1', [applied.id]);
    assert.equal(await owner(layout.upperDir), '100000:300000');
    assert.equal(await owner(layout.workDir), '100000:300000');
    await writeFile(`${layout.upperDir}/new`, 'x');
    const { chown } = await import('node:fs/promises');
    await chown(`${layout.upperDir}/new`, 100042, 300042);
    assert.deepEqual(await owners(snap.diff(backgroundCtx, layout)), { new: '42:42' });
    const plain = new OverlaySnapshotter(`${dir}/plain`);
    await plain.init(backgroundCtx);
    const l2 = await plain.prepare(backgroundCtx, 'c2', []);
    assert.equal((await stat(l2.upperDir)).uid, 0, 'without a mapping: the host root');
  });
});
