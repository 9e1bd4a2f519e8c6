import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Ctx } from '../../common/ctx.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import { hexOf, sha256 } from '../../domain/image/config.ts';
import { decompress, STREAM_CHUNK } from '../../drivers/snapshotter/compression.ts';
import type { AppliedLayer, Snapshotter } from '../../drivers/snapshotter/contract.ts';
import type { BlobInfo, ContentStore } from './content-store.ts';
import { Mutex } from './mutex.ts';

/** A layer, addressed by chain id (its diff id combined with the chain below it). */
export interface LayerRecord {
  chainId: string;
  diffId: string;
  /** Chain id of the layer below, if any. */
  parent?: string;
  /** The snapshotter's id (overlay2 dir name). */
  cacheId: string;
  /** Sum of regular file sizes. */
  size: number;
  /** Length of the uncompressed tar. */
  tarSize: number;
  /** The layer blob as received (maybe compressed), kept in the content store to save and push it byte-exact. */
  blob: BlobInfo & { mediaType: string };
}

/**
 * A layer unpacked on its own by `LayerStore.unpack`, ahead of its place in the chain: a pending snapshotter layer
 * with no parent yet. `register` commits it on its parent (or drops it when the chain exists by then); `discard`
 * drops it; a crash leaves nothing the snapshotter's init does not remove.
 */
export interface UnpackedLayer {
  cacheId: string;
  diffId: string;
  size: number;
  tarSize: number;
}

async function* counted(src: AsyncIterable<Uint8Array>, onProgress: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of src) {
    n += chunk.length;
    onProgress(n);
    yield chunk;
  }
}

export function chainOf(parent: string | undefined, diffId: string): string {
  return parent === undefined ? diffId : sha256(`${parent} ${diffId}`);
}

/**
 * Layer records under `<root>/layerdb/<chain hex>.json`. Each layer is unpacked once (by the snapshotter); a second
 * registration of the same chain returns the existing layer. Layers are removed by `gc` once no image and no
 * container snapshot stands on them.
 */
export class LayerStore {
  readonly #dir: string;
  readonly #snap: Snapshotter;
  readonly #content: ContentStore;
  readonly #layers = new Map<string, LayerRecord>();
  readonly #inflight = new Map<string, Promise<LayerRecord>>();
  /** Chains in use by operations still in progress (not yet referenced by an image or snapshot). */
  readonly #held = new Map<string, number>();
  /** Orders record changes: registration's final step against gc. */
  readonly #mu = new Mutex();

  constructor(root: string, snap: Snapshotter, content: ContentStore) {
    this.#dir = `${root}/layerdb`;
    this.#snap = snap;
    this.#content = content;
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const f of await readdir(this.#dir)) {
      if (!f.endsWith('.json')) {
        await rm(`${this.#dir}/${f}`, { force: true });
        continue;
      }
      const r = await readJson<LayerRecord>(`${this.#dir}/${f}`);
      if (r) this.#layers.set(r.chainId, r);
    }
  }

  get(chainId: string): LayerRecord | undefined {
    return this.#layers.get(chainId);
  }

  all(): LayerRecord[] {
    return [...this.#layers.values()];
  }

  /** The layers of a chain, bottom first. */
  chain(top: string | undefined): LayerRecord[] {
    const out: LayerRecord[] = [];
    let cur = top;
    while (cur !== undefined) {
      const r = this.#layers.get(cur);
      if (!r) throw new Error(`layer ${cur} is missing from the layer store`);
      out.unshift(r);
      cur = r.parent;
    }
    return out;
  }

  /** Snapshotter ids of a chain, top-most first (overlay lowerdir order). */
  cacheIdsTopFirst(top: string | undefined): string[] {
    return this.chain(top)
      .map((l) => l.cacheId)
      .reverse();
  }

  /**
   * Registers the layer held by `blob` (in the content store; gzip, zstd or plain tar) over `parent`. When the
   * expected diff id is known and that chain exists, nothing is unpacked. A diff id that does not match the
   * expected one is refused (InvalidArgumentError). The returned layer is held (gc keeps it) until `release`.
   * `onProgress` is told how many bytes of the blob were read so far while it is unpacked. With `unpacked` (from
   * `unpack`, the same blob) nothing is unpacked here: that layer is stacked on `parent`, or dropped when the
   * chain exists already.
   */
  async register(
    ctx: Ctx,
    parent: string | undefined,
    blob: BlobInfo & { mediaType: string },
    expectedDiffId?: string,
    onProgress?: (bytes: number) => void,
    unpacked?: UnpackedLayer,
  ): Promise<LayerRecord> {
    if (unpacked) return this.#stack(ctx, parent, blob, unpacked);
    if (expectedDiffId !== undefined) {
      const chainId = chainOf(parent, expectedDiffId);
      const have = await this.#mu.run(() => this.#holdIfPresent(chainId));
      if (have) return have;
      let running = this.#inflight.get(chainId);
      if (!running) {
        running = this.#unpack(ctx, parent, blob, expectedDiffId, onProgress).finally(() => this.#inflight.delete(chainId));
        this.#inflight.set(chainId, running);
        return running;
      }
      const rec = await running;
      this.hold(rec.chainId);
      return rec;
    }
    return this.#unpack(ctx, parent, blob, undefined, onProgress);
  }

  #holdIfPresent(chainId: string): LayerRecord | undefined {
    const r = this.#layers.get(chainId);
    if (r) this.hold(chainId);
    return r;
  }

  hold(chainId: string): void {
    this.#held.set(chainId, (this.#held.get(chainId) ?? 0) + 1);
  }

  release(chainId: string): void {
    const n = (this.#held.get(chainId) ?? 0) - 1;
    if (n <= 0) this.#held.delete(chainId);
    else this.#held.set(chainId, n);
  }

  /** Decompresses the blob into a new snapshotter layer over `parentCacheId`; checks the diff id when one is expected. */
  async #apply(ctx: Ctx, parentCacheId: string | undefined, blob: BlobInfo, expected: string | undefined, onProgress?: (bytes: number) => void): Promise<AppliedLayer> {
    const raw = createReadStream(this.#content.path(blob.digest), { highWaterMark: STREAM_CHUNK });
    const { stream } = await decompress(onProgress ? counted(raw, onProgress) : raw);
    const applied = await this.#snap.applyLayer(ctx, parentCacheId, stream as Readable);
    if (expected !== undefined && applied.diffId !== expected) {
      await this.#snap.removeLayer(ctx, applied.id);
      throw new InvalidArgumentError(`invalid diffID for layer: expected ${expected}, got ${applied.diffId}`);
    }
    return applied;
  }

  async #unpack(
    ctx: Ctx,
    parent: string | undefined,
    blob: BlobInfo & { mediaType: string },
    expected: string | undefined,
    onProgress?: (bytes: number) => void,
  ): Promise<LayerRecord> {
    const parentRec = parent === undefined ? undefined : this.#layers.get(parent);
    if (parent !== undefined && !parentRec) throw new Error(`parent layer ${parent} is missing`);
    const applied = await this.#apply(ctx, parentRec?.cacheId, blob, expected, onProgress);
    return this.#record(ctx, parent, blob, applied);
  }

  /** Records an applied layer as chain `parent`+diff id (or drops it for the record that won a race). */
  async #record(ctx: Ctx, parent: string | undefined, blob: BlobInfo & { mediaType: string }, applied: AppliedLayer): Promise<LayerRecord> {
    const chainId = chainOf(parent, applied.diffId);
    const rec = await this.#mu.run(async () => {
      const existing = this.#holdIfPresent(chainId);
      if (existing) return existing;
      const r: LayerRecord = { chainId, diffId: applied.diffId, cacheId: applied.id, size: applied.size, tarSize: applied.tarSize, blob };
      if (parent !== undefined) r.parent = parent;
      await writeJsonAtomic(`${this.#dir}/${hexOf(chainId)}.json`, r);
      this.#layers.set(chainId, r);
      this.hold(chainId);
      return r;
    });
    if (rec.cacheId !== applied.id) await this.#snap.removeLayer(ctx, applied.id);
    else ctx.log.debug('layer registered', { chainId, diffId: rec.diffId, size: rec.size });
    return rec;
  }

  /**
   * Unpacks the layer in `blob` into a dir of its own, with no parent yet, and checks its diff id: the layers of
   * one image can be unpacked in parallel this way. Pass the result to `register` (which stacks it in chain order)
   * or to `discard`. Nothing is recorded or held until then.
   */
  async unpack(ctx: Ctx, blob: BlobInfo, expectedDiffId: string, onProgress?: (bytes: number) => void): Promise<UnpackedLayer> {
    const raw = createReadStream(this.#content.path(blob.digest), { highWaterMark: STREAM_CHUNK });
    const { stream } = await decompress(onProgress ? counted(raw, onProgress) : raw);
    const a = await this.#snap.unpackLayer(ctx, stream as Readable);
    if (a.diffId !== expectedDiffId) {
      await this.#snap.removeLayer(ctx, a.id);
      throw new InvalidArgumentError(`invalid diffID for layer: expected ${expectedDiffId}, got ${a.diffId}`);
    }
    return { cacheId: a.id, diffId: a.diffId, size: a.size, tarSize: a.tarSize };
  }

  /** Drops a layer from `unpack` that will not be registered. */
  async discard(ctx: Ctx, u: UnpackedLayer): Promise<void> {
    await this.#snap.removeLayer(ctx, u.cacheId);
  }

  async #stack(ctx: Ctx, parent: string | undefined, blob: BlobInfo & { mediaType: string }, u: UnpackedLayer): Promise<LayerRecord> {
    const chainId = chainOf(parent, u.diffId);
    const have = await this.#mu.run(() => this.#holdIfPresent(chainId));
    if (have) {
      await this.discard(ctx, u);
      return have;
    }
    const parentRec = parent === undefined ? undefined : this.#layers.get(parent);
    if (parent !== undefined && !parentRec) throw new Error(`parent layer ${parent} is missing`);
    await this.#snap.commitLayer(ctx, u.cacheId, parentRec?.cacheId);
    return this.#record(ctx, parent, blob, { id: u.cacheId, diffId: u.diffId, size: u.size, tarSize: u.tarSize });
  }

  /**
   * Removes every layer not below one of `tops` (chain ids still in use by images or container snapshots), with
   * its unpacked dir and its blob when no other layer shares it. Returns the removed layers.
   */
  gc(ctx: Ctx, tops: Iterable<string>): Promise<LayerRecord[]> {
    return this.#mu.run(() => this.#gc(ctx, [...tops, ...this.#held.keys()]));
  }

  async #gc(ctx: Ctx, tops: string[]): Promise<LayerRecord[]> {
    const keep = new Set<string>();
    for (const t of tops) {
      let cur: string | undefined = t;
      while (cur !== undefined && !keep.has(cur)) {
        keep.add(cur);
        cur = this.#layers.get(cur)?.parent;
      }
    }
    const removed: LayerRecord[] = [];
    // children before parents: sort by chain depth, deepest first
    const depth = (r: LayerRecord): number => this.chain(r.chainId).length;
    const victims = [...this.#layers.values()].filter((r) => !keep.has(r.chainId)).sort((a, b) => depth(b) - depth(a));
    for (const r of victims) {
      await rm(`${this.#dir}/${hexOf(r.chainId)}.json`, { force: true });
      this.#layers.delete(r.chainId);
      await this.#snap.removeLayer(ctx, r.cacheId);
      removed.push(r);
    }
    const blobsInUse = new Set([...this.#layers.values()].map((r) => r.blob.digest));
    for (const r of removed) if (!blobsInUse.has(r.blob.digest)) await this.#content.delete(r.blob.digest);
    return removed;
  }
}
