import type { Ctx } from '../../common/ctx.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { applyChanges } from '../../domain/image/changes.ts';
import { hostPlatform, type ImageConfigBlob, MEDIA, rfc3339Nano } from '../../domain/image/config.ts';
import type { Reference } from '../../domain/image/reference.ts';
import { detectCompression } from '../../drivers/snapshotter/compression.ts';
import type { ImageCore } from './core.ts';
import type { ImageRecord } from './image-store.ts';

export interface ImportOptions {
  /** Tag to give the new image. */
  ref?: Reference;
  /** Dockerfile instructions (CMD, ENV, …) applied to an empty config. */
  changes?: string[];
  /** The commit message (image comment and history comment). */
  message?: string;
  platform?: { os: string; architecture: string; variant?: string };
}

export function mediaTypeFor(head: Uint8Array): string {
  const c = detectCompression(head);
  if (c === 'gzip') return MEDIA.ociLayerGzip;
  if (c === 'zstd') return MEDIA.ociLayerZstd;
  return MEDIA.ociLayer;
}

/**
 * `docker import`: one tar (plain or compressed) becomes a single-layer image with a config built from `changes`.
 * Emits `import`, and `tag` when a reference is given.
 */
export async function importImage(ctx: Ctx, core: ImageCore, src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: ImportOptions): Promise<ImageRecord> {
  const config = applyChanges({}, opts.changes ?? []);
  const blob = await core.content.ingest(src);
  if (blob.size === 0) {
    await core.content.delete(blob.digest);
    throw new InvalidArgumentError('import: the tar stream is empty');
  }
  const layer = await core.layers.register(ctx, undefined, { ...blob, mediaType: mediaTypeFor(await core.content.head(blob.digest, 8)) });
  const created = rfc3339Nano(new Date());
  const platform = opts.platform ?? hostPlatform();
  const cfg: ImageConfigBlob = {
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    created,
    ...(opts.message ? { comment: opts.message } : {}),
    config,
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, ...(opts.message ? { comment: opts.message } : {}) }],
  };
  try {
    return await core.lock.run(async () => {
      const img = await core.createImage(cfg);
      if (opts.ref) await core.tag(img.id, opts.ref);
      core.emit('import', img.id, img.id);
      return img;
    });
  } finally {
    core.layers.release(layer.chainId);
  }
}
