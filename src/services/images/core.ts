import { mkdir, readdir, rm } from 'node:fs/promises';
import type { Ctx } from '../../common/ctx.ts';
import { NotFoundError } from '../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import { type Logger, nullLogger } from '../../common/log.ts';
import type { ImageConfigBlob } from '../../domain/image/config.ts';
import type { IdentityMapping } from '../../domain/userns/id-map.ts';
import { familiarString, parseAnyReference, type Reference, tagNameOnly } from '../../domain/image/reference.ts';
import type { Snapshotter } from '../../drivers/snapshotter/contract.ts';
import { OverlaySnapshotter } from '../../drivers/snapshotter/overlayfs/overlay-snapshotter.ts';
import type { EventsService } from '../events/events.ts';
import { ContentStore } from './content-store.ts';
import type { ContainersForImages, ImageSummary } from './contract.ts';
import { type ImageRecord, ImageStore } from './image-store.ts';
import { type LayerRecord, LayerStore } from './layer-store.ts';
import { Mutex } from './mutex.ts';
import { ReferenceStore } from './reference-store.ts';

export interface ImageServiceOptions {
  /** The daemon's data root: images under <dataRoot>/image, layers and snapshots under <dataRoot>/overlay2. */
  dataRoot: string;
  events?: EventsService;
  log?: Logger;
  /** Defaults to overlay2 under the data root. */
  snapshotter?: Snapshotter;
  /** The daemon's `--userns-remap` mapping: layers are unpacked with their owners shifted into it. */
  idMapping?: IdentityMapping;
}

interface SnapshotRecord {
  imageId: string;
  topChain?: string;
}

/**
 * The stores and the few operations every image feature shares: reference resolution, image creation, tagging,
 * events and layer garbage collection. Feature modules (import, load, save, delete, commit) work on this.
 */
export class ImageCore {
  readonly root: string;
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly images: ImageStore;
  readonly refs: ReferenceStore;
  readonly snap: Snapshotter;
  readonly log: Logger;
  /** Serialises changes to images and references. */
  readonly lock = new Mutex();
  readonly #events: EventsService | undefined;
  readonly #snapshots = new Map<string, SnapshotRecord>();
  #containers: ContainersForImages | undefined;

  constructor(opts: ImageServiceOptions) {
    this.root = `${opts.dataRoot}/image`;
    this.log = opts.log ?? nullLogger;
    this.#events = opts.events;
    this.snap = opts.snapshotter ?? new OverlaySnapshotter(opts.dataRoot, { idMapping: opts.idMapping });
    this.content = new ContentStore(this.root);
    this.layers = new LayerStore(this.root, this.snap, this.content);
    this.images = new ImageStore(this.root, this.content);
    this.refs = new ReferenceStore(this.root);
  }

  async init(ctx: Ctx): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.snap.init(ctx);
    await this.content.init();
    await this.layers.init();
    await this.images.init(this.log);
    await this.refs.init();
    await mkdir(`${this.root}/snapshots`, { recursive: true });
    for (const f of await readdir(`${this.root}/snapshots`)) {
      const r = f.endsWith('.json') ? await readJson<SnapshotRecord>(`${this.root}/snapshots/${f}`) : undefined;
      if (r) this.#snapshots.set(f.slice(0, -5), r);
    }
  }

  setContainers(c: ContainersForImages): void {
    this.#containers = c;
  }

  containers(): ContainersForImages | undefined {
    return this.#containers;
  }

  /**
   * dockerd's GetImage: an id or digest, a name[:tag][@digest], or a unique id prefix. Throws
   * NotFoundError("No such image: bb:latest") or InvalidArgumentError for a malformed reference.
   */
  lookup(refOrId: string): ImageRecord {
    const any = parseAnyReference(refOrId);
    if (any.kind === 'digest') {
      const r = this.images.get(any.digest);
      if (r) return r;
      throw new NotFoundError(`No such image: ${any.digest}`);
    }
    const id = this.refs.get(any.ref);
    if (id) {
      const r = this.images.get(id);
      if (r) return r;
    }
    const byId = this.images.search(refOrId);
    if (byId) return byId;
    throw new NotFoundError(`No such image: ${familiarString(tagNameOnly(any.ref))}`);
  }

  emit(action: string, id: string, name?: string, extra?: Record<string, string>): void {
    if (!this.#events) return;
    const attributes: Record<string, string> = { ...(this.images.get(id)?.config.config?.Labels ?? {}), ...extra };
    if (name !== undefined) attributes.name = name;
    this.#events.emit({ type: 'image', action, id, attributes });
  }

  emitContainer(action: string, id: string, attributes: Record<string, string>): void {
    this.#events?.emit({ type: 'container', action, id, attributes, from: attributes.image });
  }

  size(r: ImageRecord): number {
    if (r.topChain === undefined) return 0;
    return this.layers.chain(r.topChain).reduce((n, l) => n + l.size, 0);
  }

  summary(r: ImageRecord): ImageSummary {
    const refs = this.refs.referencesTo(r.id);
    return {
      id: r.id,
      repoTags: refs.filter((x) => x.tag !== undefined).map(familiarString),
      repoDigests: refs.filter((x) => x.digest !== undefined).map(familiarString),
      config: r.config.config ?? {},
      created: r.config.created ?? '',
      size: this.size(r),
    };
  }

  /** Stores a new image config whose layers are registered already. */
  async createImage(config: ImageConfigBlob, parent?: string): Promise<ImageRecord> {
    return this.images.create(Buffer.from(JSON.stringify(config)), parent);
  }

  /** Points a tag at an image (moving it if needed), records the tag time, emits `tag`. */
  async tag(id: string, ref: Reference): Promise<string | undefined> {
    const old = await this.refs.add(ref, id, true);
    await this.images.setLastTagTime(id, new Date().toISOString());
    this.emit('tag', id, familiarString(ref));
    return old;
  }

  // ------------------------------------------------------------------ container snapshots

  snapshotRecord(containerId: string): SnapshotRecord | undefined {
    return this.#snapshots.get(containerId);
  }

  async addSnapshot(containerId: string, rec: SnapshotRecord): Promise<void> {
    await writeJsonAtomic(`${this.root}/snapshots/${containerId}.json`, rec);
    this.#snapshots.set(containerId, rec);
  }

  async dropSnapshot(containerId: string): Promise<void> {
    this.#snapshots.delete(containerId);
    await rm(`${this.root}/snapshots/${containerId}.json`, { force: true });
  }

  /** Removes layers no image and no container snapshot uses any more. */
  async gc(ctx: Ctx): Promise<LayerRecord[]> {
    const tops: string[] = [];
    for (const r of this.images.all()) if (r.topChain) tops.push(r.topChain);
    for (const s of this.#snapshots.values()) if (s.topChain) tops.push(s.topChain);
    return this.layers.gc(ctx, tops);
  }
}
