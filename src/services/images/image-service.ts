import type { Readable } from 'node:stream';
import type { Ctx } from '../../common/ctx.ts';
import { backgroundCtx } from '../../common/ctx.ts';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import { familiarName, type Reference } from '../../domain/image/reference.ts';
import type { Change } from '../../drivers/snapshotter/contract.ts';
import { type CommitOptions, commitContainer, containerChanges, exportContainer } from './commit.ts';
import type { ContainersForImages, ImageSummary, ImagesForContainers, RootfsLayout } from './contract.ts';
import { ImageCore, type ImageServiceOptions } from './core.ts';
import { type DeleteRecord, deleteImage, type PruneReport, pruneImages } from './delete.ts';
import { ImageDistribution } from './distribution.ts';
import type { ImageRecord } from './image-store.ts';
import { type ImportOptions, importImage } from './import.ts';
import { boolFilter, createdSeconds, type FilterMap, type HistoryItem, type ImageListItem, imageHistory, labelsMatch, listImages } from './list.ts';
import { type LoadProgress, loadImages } from './load.ts';
import { saveImages } from './save.ts';
import { parseTimestamp } from '../../domain/image/timestamp.ts';

export type { CommitOptions, DeleteRecord, HistoryItem, ImageListItem, ImageServiceOptions, ImportOptions, LoadProgress, PruneReport };

/** What inspect needs about one image. */
export interface ImageDetails {
  record: ImageRecord;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  diffIds: string[];
  graphDriver: { Name: string; Data: Record<string, string> };
}

const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'];

/**
 * Local images: content store + image store + layer store (overlay2 snapshotter) under the data root. Implements
 * what containers need (ImagesForContainers) and the image API: list, inspect, history, tag, delete, prune, import,
 * load, save, commit, export and diff. Emits image events (and the container `commit`/`export` events).
 */
export class ImageService implements ImagesForContainers {
  readonly #core: ImageCore;

  private constructor(core: ImageCore) {
    this.#core = core;
  }

  static async create(opts: ImageServiceOptions, ctx: Ctx = backgroundCtx): Promise<ImageService> {
    const core = new ImageCore(opts);
    await core.init(ctx);
    return new ImageService(core);
  }

  /** The container service is built after this one: it registers itself here. */
  setContainers(c: ContainersForImages): void {
    this.#core.setContainers(c);
  }

  /** The stores as registry pull and push use them (src/services/registry). */
  distribution(): ImageDistribution {
    return new ImageDistribution(this.#core);
  }

  get driverName(): string {
    return this.#core.snap.name;
  }

  // ------------------------------------------------------------------ ImagesForContainers

  async resolve(ref: string): Promise<ImageSummary> {
    return this.#core.summary(this.#core.lookup(ref));
  }

  async prepareRootfs(ctx: Ctx, containerId: string, imageId: string): Promise<RootfsLayout> {
    const core = this.#core;
    const img = core.images.get(imageId) ?? core.lookup(imageId);
    // record the snapshot before creating it, so gc never drops its layers meanwhile
    if (!core.snapshotRecord(containerId)) await core.addSnapshot(containerId, img.topChain ? { imageId: img.id, topChain: img.topChain } : { imageId: img.id });
    return core.snap.prepare(ctx, containerId, core.layers.cacheIdsTopFirst(img.topChain));
  }

  async rootfsLayout(containerId: string, imageId: string): Promise<RootfsLayout> {
    const core = this.#core;
    const rec = core.snapshotRecord(containerId);
    const top = rec ? rec.topChain : core.images.get(imageId)?.topChain;
    if (!rec && !core.images.get(imageId)) throw new NotFoundError(`No such image: ${imageId}`);
    return core.snap.layout(containerId, core.layers.cacheIdsTopFirst(top));
  }

  async removeRootfs(ctx: Ctx, containerId: string): Promise<void> {
    await this.#core.snap.remove(ctx, containerId);
    if (this.#core.snapshotRecord(containerId)) {
      await this.#core.dropSnapshot(containerId);
      await this.#core.lock.run(() => this.#core.gc(ctx));
    }
  }

  // ------------------------------------------------------------------ queries

  /** GetImage semantics; NotFoundError "No such image: bb:latest". */
  get(ref: string): ImageRecord {
    return this.#core.lookup(ref);
  }

  inspect(ref: string): ImageDetails {
    const core = this.#core;
    const record = core.lookup(ref);
    const s = core.summary(record);
    return {
      record,
      repoTags: s.repoTags,
      repoDigests: s.repoDigests,
      size: s.size,
      diffIds: record.config.rootfs.diff_ids,
      graphDriver: { Name: core.snap.name, Data: core.snap.graphData(core.layers.cacheIdsTopFirst(record.topChain)) },
    };
  }

  list(all: boolean, filters: FilterMap): ImageListItem[] {
    return listImages(this.#core, all, filters);
  }

  history(ref: string): HistoryItem[] {
    return imageHistory(this.#core, ref);
  }

  /** Number of images (for `docker info`). */
  count(): number {
    return this.#core.images.all().length;
  }

  /** Number of images and their total size (for `docker info` / `system df`). */
  stats(): { count: number; size: number } {
    const all = this.#core.images.all();
    return { count: all.length, size: this.#core.layers.all().reduce((n, l) => n + l.size, 0) };
  }

  /**
   * `docker system df`: the images `docker images` lists, each with the size of its layers that other images use
   * too (moby's SharedSize), and the size of all layers.
   */
  diskUsage(): { layersSize: number; images: (ImageListItem & { sharedSize: number })[] } {
    const core = this.#core;
    const items = listImages(core, false, new Map());
    const chains = new Map(items.map((i) => [i.record.id, core.layers.chain(i.record.topChain)]));
    const uses = new Map<string, number>();
    for (const chain of chains.values()) for (const l of chain) uses.set(l.chainId, (uses.get(l.chainId) ?? 0) + 1);
    const images = items.map((i) => ({ ...i, sharedSize: chains.get(i.record.id)!.reduce((n, l) => n + ((uses.get(l.chainId) ?? 0) > 1 ? l.size : 0), 0) }));
    return { layersSize: this.stats().size, images };
  }

  // ------------------------------------------------------------------ changes

  /** `docker tag`: 'refusing to create an ambiguous tag…' for "sha256" names; NotFoundError for the source. */
  async tag(source: string, ref: Reference): Promise<void> {
    if (familiarName(ref) === 'sha256') throw new InvalidArgumentError('refusing to create an ambiguous tag using digest algorithm as name');
    const img = this.#core.lookup(source);
    await this.#core.lock.run(() => this.#core.tag(img.id, ref));
  }

  remove(ctx: Ctx, ref: string, force: boolean, noprune: boolean): Promise<DeleteRecord[]> {
    return this.#core.lock.run(() => deleteImage(ctx, this.#core, ref, force, !noprune));
  }

  prune(ctx: Ctx, filters: FilterMap): Promise<PruneReport> {
    for (const k of filters.keys()) if (!PRUNE_FILTERS.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
    const danglingOnly = boolFilter(filters, 'dangling', true);
    const untilV = filters.get('until');
    const until = untilV?.length ? parseTimestamp(untilV[0]!) : undefined;
    const keep = (id: string): boolean => {
      const img = this.#core.images.get(id);
      if (!img) return false;
      if (until !== undefined && createdSeconds(img) > until) return false;
      const labels = img.config.config?.Labels;
      return labelsMatch(filters.get('label'), labels) && labelsMatch(filters.get('label!'), labels, true);
    };
    return this.#core.lock.run(() => pruneImages(ctx, this.#core, danglingOnly, keep));
  }

  import(ctx: Ctx, src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: ImportOptions): Promise<ImageRecord> {
    return importImage(ctx, this.#core, src, opts);
  }

  load(ctx: Ctx, src: Readable | AsyncIterable<Uint8Array>, quiet: boolean, progress: (p: LoadProgress) => void): Promise<string[]> {
    return loadImages(ctx, this.#core, src, quiet, progress);
  }

  /** `docker save`: throws for unknown names before returning the tar stream. */
  save(names: readonly string[]): Readable {
    return saveImages(this.#core, names);
  }

  commit(ctx: Ctx, opts: CommitOptions): Promise<ImageRecord> {
    return commitContainer(ctx, this.#core, opts);
  }

  exportContainer(ctx: Ctx, ref: string): Promise<Readable> {
    return exportContainer(ctx, this.#core, ref);
  }

  changes(ctx: Ctx, ref: string): Promise<Change[]> {
    return containerChanges(ctx, this.#core, ref);
  }
}
