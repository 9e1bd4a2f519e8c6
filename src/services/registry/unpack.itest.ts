import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { chainIds } from '../../domain/image/config.ts';
import type { ImagesForRegistry, LocalBlob } from './contract.ts';
import { ctx, makeNode, type Node } from './testing/harness.ts';
import { tarOf } from './testing/oci-layout.ts';

/**
 * Layers unpacked ahead of their place in the chain (what a pull does while other layers still download), through
 * the image store as the registry service sees it. Needs root (unpacked files keep their owners).
 */
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('unpackLayer + registerLayer: parallel unpacking, stacking in chain order', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  let dir: string;
  let node: Node;
  let store: ImagesForRegistry;
  const layers: { blob: LocalBlob; diffId: string }[] = [];
  const layerDirs = async () => (await readdir(`${dir}/data/overlay2`)).filter((d) => d !== 'l').sort();

  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-unpack-itest-`);
    node = await makeNode(`${dir}/data`);
    store = node.images.distribution();
    const contents: Record<string, string>[] = [{ 'a.txt': 'base' }, { 'b.txt': 'middle', 'a.txt': 'changed' }, { 'c.txt': 'top' }];
    for (const [i, files] of contents.entries()) {
      const t = await tarOf(files);
      const gz = gzipSync(t);
      const scratch = await store.scratchDir();
      await writeFile(`${scratch}/blob`, gz);
      await store.commitBlob(`${scratch}/blob`, sha(gz));
      await rm(scratch, { recursive: true, force: true });
      layers.push({ blob: { digest: sha(gz), size: gz.length, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }, diffId: sha(t) });
      assert.equal(layers[i]!.diffId, sha(t));
    }
  });
  after(async () => {
    node.registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('unpacks all layers at once, top first, and stacks them into the chain a sequential unpack gives', async () => {
    const seen: number[][] = [[], [], []];
    const unpacked = await Promise.all(
      [2, 1, 0].map((i) => store.unpackLayer(ctx, layers[i]!.blob, layers[i]!.diffId, (n) => seen[i]!.push(n))),
    ).then((u) => u.reverse());
    for (const [i, u] of unpacked.entries()) {
      assert.equal(u.diffId, layers[i]!.diffId);
      assert.equal(seen[i]!.at(-1), layers[i]!.blob.size, 'progress reaches the blob size');
    }
    const chains = chainIds(layers.map((l) => l.diffId));
    assert.equal(store.hasLayer(chains[0]!), false, 'nothing is registered before registerLayer');
    let parent: string | undefined;
    for (const [i, l] of layers.entries()) {
      const rec = await store.registerLayer(ctx, parent, l.blob, l.diffId, undefined, unpacked[i]);
      assert.equal(rec.chainId, chains[i]);
      assert.equal(rec.blob.digest, l.blob.digest);
      parent = rec.chainId;
    }
    for (const c of chains) assert.ok(store.hasLayer(c));
    // the top layer's dir stands on the two below it, in overlay's lowerdir order
    const top = unpacked[2]!.cacheId;
    const lower = (await readFile(`${dir}/data/overlay2/${top}/lower`, 'utf8')).split(':');
    assert.equal(lower.length, 2);
    assert.equal(await readFile(`${dir}/data/overlay2/${lower[1]}/a.txt`, 'utf8'), 'base');
    assert.equal(await readFile(`${dir}/data/overlay2/${lower[0]}/a.txt`, 'utf8'), 'changed');
    for (const c of chains) store.releaseLayer(c);
  });

  it('an unpacked layer whose chain exists by the time it is stacked is dropped; discardLayer drops one', async () => {
    const before = await layerDirs();
    const again = await store.unpackLayer(ctx, layers[0]!.blob, layers[0]!.diffId);
    assert.equal((await layerDirs()).length, before.length + 1);
    const rec = await store.registerLayer(ctx, undefined, layers[0]!.blob, layers[0]!.diffId, undefined, again);
    assert.equal(rec.chainId, layers[0]!.diffId, 'a base layer: its chain id is its diff id');
    assert.deepEqual(await layerDirs(), before, 'the existing layer is used, the new dir removed');
    store.releaseLayer(rec.chainId);

    const spare = await store.unpackLayer(ctx, layers[1]!.blob, layers[1]!.diffId);
    await store.discardLayer(ctx, spare);
    assert.deepEqual(await layerDirs(), before);
  });

  it('refuses a layer whose diff id is not the expected one and leaves no dir behind', async () => {
    const before = await layerDirs();
    await assert.rejects(store.unpackLayer(ctx, layers[0]!.blob, layers[1]!.diffId), {
      name: 'InvalidArgumentError',
      message: `invalid diffID for layer: expected ${layers[1]!.diffId}, got ${layers[0]!.diffId}`,
    });
    assert.deepEqual(await layerDirs(), before);
  });
});
