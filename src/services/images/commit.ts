import type { Readable } from 'node:stream';
import type { Ctx } from '../../common/ctx.ts';
import { NotFoundError, UnavailableError } from '../../common/errors.ts';
import { applyChanges, mergeCommitConfig, pickImageConfig } from '../../domain/image/changes.ts';
import { EMPTY_LAYER_DIFF_ID, type HistoryEntry, type ImageConfig, type ImageConfigBlob, MEDIA, rfc3339Nano } from '../../domain/image/config.ts';
import { familiarString, type Reference } from '../../domain/image/reference.ts';
import type { Change } from '../../drivers/snapshotter/contract.ts';
import type { ContainersForImages } from './contract.ts';
import type { ImageCore } from './core.ts';
import type { ImageRecord } from './image-store.ts';

export interface CommitOptions {
  container: string;
  ref?: Reference;
  comment?: string;
  author?: string;
  changes?: string[];
  /** Pause a running container while its files are read (Docker's default). */
  pause: boolean;
  /** The request body's container config (Docker lets it replace the container's config). */
  config?: ImageConfig;
}

function containers(core: ImageCore): ContainersForImages {
  const c = core.containers();
  if (!c) throw new UnavailableError('containers are not available yet');
  return c;
}

type RootfsInfo = Awaited<ReturnType<ContainersForImages['rootfsOf']>>;

function eventAttributes(info: RootfsInfo, extra: Record<string, string>): Record<string, string> {
  const a: Record<string, string> = { ...(info.config.Labels ?? {}), ...extra };
  a.image = info.image ?? info.imageId;
  if (info.name !== undefined) a.name = info.name.replace(/^\//, '');
  return a;
}

/**
 * `docker commit`: the container's writable layer becomes a new layer over its image, with a config built from the
 * container's config (or the request's), `changes`, author and comment, as moby's CreateImageFromContainer. An
 * unchanged container gives an empty-layer history entry and no new layer. Emits the container `commit` event.
 */
export async function commitContainer(ctx: Ctx, core: ImageCore, o: CommitOptions): Promise<ImageRecord> {
  const ctrs = containers(core);
  const info = await ctrs.rootfsOf(o.container);
  const parent = core.images.get(info.imageId);
  if (!parent) throw new NotFoundError(`No such image: ${info.imageId}`);
  const ctrConfig = pickImageConfig(info.config as ImageConfig & Record<string, unknown>);
  const merged = mergeCommitConfig(applyChanges(o.config ?? ctrConfig, o.changes ?? []), ctrConfig);

  const pause = o.pause && info.running && !info.paused && ctrs.pause && ctrs.unpause;
  if (pause) await ctrs.pause!(ctx, info.id);
  let blob: { digest: string; size: number };
  try {
    blob = await core.content.ingest(core.snap.diff(ctx, info.layout));
  } finally {
    if (pause) await ctrs.unpause!(ctx, info.id);
  }

  const empty = blob.digest === EMPTY_LAYER_DIFF_ID;
  const layer = empty ? undefined : await core.layers.register(ctx, parent.topChain, { ...blob, mediaType: MEDIA.ociLayer }, blob.digest);
  try {
    const created = rfc3339Nano(new Date());
    const hist: HistoryEntry = { created };
    if (o.author) hist.author = o.author;
    hist.created_by = (info.config.Cmd ?? []).join(' ');
    if (o.comment) hist.comment = o.comment;
    if (empty) hist.empty_layer = true;
    const p = parent.config;
    const cfg: ImageConfigBlob = {
      architecture: p.architecture,
      ...(p.variant ? { variant: p.variant } : {}),
      os: p.os,
      ...(o.author ? { author: o.author } : {}),
      config: merged,
      container: info.id,
      container_config: { ...info.config },
      created,
      rootfs: { type: 'layers', diff_ids: [...p.rootfs.diff_ids, ...(layer ? [layer.diffId] : [])] },
      history: [...(p.history ?? []), hist],
    };
    const img = await core.lock.run(async () => {
      const rec = await core.createImage(cfg, parent.id);
      if (o.ref) await core.tag(rec.id, o.ref);
      return rec;
    });
    core.emitContainer('commit', info.id, eventAttributes(info, { comment: o.comment ?? '', imageID: img.id, imageRef: o.ref ? familiarString(o.ref) : '' }));
    return img;
  } finally {
    if (layer) core.layers.release(layer.chainId);
    if (empty && !core.layers.all().some((l) => l.blob.digest === blob.digest)) await core.content.delete(blob.digest).catch(() => {});
  }
}

/** `docker export`: the container's merged filesystem as a tar. Emits the container `export` event. */
export async function exportContainer(ctx: Ctx, core: ImageCore, ref: string): Promise<Readable> {
  const info = await containers(core).rootfsOf(ref);
  const tar = core.snap.exportMerged(ctx, info.layout);
  core.emitContainer('export', info.id, eventAttributes(info, {}));
  return tar;
}

/** `docker diff`: what changed in the container's filesystem. */
export async function containerChanges(ctx: Ctx, core: ImageCore, ref: string): Promise<Change[]> {
  const info = await containers(core).rootfsOf(ref);
  return core.snap.changes(ctx, info.layout);
}
