import type { Readable } from 'node:stream';
import { rename, rm } from 'node:fs/promises';
import type { Ctx } from '../../common/ctx.ts';
import { NotFoundError } from '../../common/errors.ts';
import type { Reference } from '../../domain/image/reference.ts';
import { withDigest, trimNamed } from '../../domain/image/reference.ts';
import type { ImagesForRegistry, LocalBlob, LocalImage, LocalLayer, UnpackedLayer } from '../registry/contract.ts';
import type { ImageCore } from './core.ts';
import type { LayerRecord } from './layer-store.ts';

function localLayer(r: LayerRecord): LocalLayer {
  return { chainId: r.chainId, diffId: r.diffId, tarSize: r.tarSize, blob: { ...r.blob } };
}

/** The image stores as pull and push see them (src/services/registry/contract.ts). */
export class ImageDistribution implements ImagesForRegistry {
  readonly #core: ImageCore;

  constructor(core: ImageCore) {
    this.#core = core;
  }

  refGet(ref: Reference): string | undefined {
    return this.#core.refs.get(ref);
  }

  referencesByName(name: Reference): { ref: Reference; id: string }[] {
    return this.#core.refs.byName(name);
  }

  async addTag(ref: Reference, id: string): Promise<void> {
    await this.#core.refs.add(ref, id, true);
  }

  async addDigest(ref: Reference, id: string): Promise<void> {
    const dref = withDigest(trimNamed(ref), ref.digest!);
    const old = this.#core.refs.get(dref);
    if (old !== undefined) {
      if (old !== id) this.#core.log.warn('image id for digest changed, cannot update', { digest: ref.digest, old, id });
      return;
    }
    await this.#core.refs.add(dref, id, true);
  }

  hasImage(id: string): boolean {
    return this.#core.images.get(id) !== undefined;
  }

  async image(id: string): Promise<LocalImage> {
    const rec = this.#core.images.get(id);
    if (!rec) throw new NotFoundError(`No such image: ${id}`);
    return {
      id,
      config: rec.config,
      configBytes: await this.#core.content.read(id),
      layers: this.#core.layers.chain(rec.topChain).map(localLayer),
    };
  }

  async createImage(configBytes: Buffer): Promise<string> {
    return (await this.#core.images.create(configBytes)).id;
  }

  locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.#core.lock.run(fn);
  }

  hasBlob(digest: string): Promise<boolean> {
    return this.#core.content.has(digest);
  }

  scratchDir(): Promise<string> {
    return this.#core.content.tempDir();
  }

  async commitBlob(file: string, digest: string): Promise<void> {
    if (await this.#core.content.has(digest)) {
      await rm(file, { force: true });
      return;
    }
    await rename(file, this.#core.content.path(digest));
  }

  async dropBlobIfUnused(digest: string): Promise<void> {
    if (this.#core.images.get(digest)) return;
    if (this.#core.layers.all().some((l) => l.blob.digest === digest)) return;
    await this.#core.content.delete(digest);
  }

  readBlob(digest: string): Promise<Buffer> {
    return this.#core.content.read(digest);
  }

  blobStream(digest: string): Readable {
    return this.#core.content.stream(digest);
  }

  hasLayer(chainId: string): boolean {
    return this.#core.layers.get(chainId) !== undefined;
  }

  async registerLayer(ctx: Ctx, parent: string | undefined, blob: LocalBlob, diffId: string, onProgress?: (bytes: number) => void, unpacked?: UnpackedLayer): Promise<LocalLayer> {
    return localLayer(await this.#core.layers.register(ctx, parent, blob, diffId, onProgress, unpacked));
  }

  unpackLayer(ctx: Ctx, blob: LocalBlob, diffId: string, onProgress?: (bytes: number) => void): Promise<UnpackedLayer> {
    return this.#core.layers.unpack(ctx, blob, diffId, onProgress);
  }

  discardLayer(ctx: Ctx, layer: UnpackedLayer): Promise<void> {
    return this.#core.layers.discard(ctx, layer);
  }

  releaseLayer(chainId: string): void {
    this.#core.layers.release(chainId);
  }

  emit(action: string, id: string, name: string): void {
    this.#core.emit(action, id, name);
  }
}
