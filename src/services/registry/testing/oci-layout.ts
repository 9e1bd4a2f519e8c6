import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/**
 * OCI image layouts for tests (what `skopeo copy oci:<dir>:<tag> docker://…` reads): single images or a
 * multi-platform index, with gzip layers. Nothing here talks to a daemon or a registry.
 */

export interface LayoutPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface LayoutImage {
  platform: LayoutPlatform;
  /** Uncompressed layer tars, bottom first. */
  layers: Buffer[];
  /** `config` of the image config (Cmd, Env, Labels…). */
  config?: Record<string, unknown>;
}

export interface WrittenImage {
  platform: LayoutPlatform;
  /** Manifest digest. */
  digest: string;
  /** Config digest: the image id a daemon gives it. */
  configDigest: string;
  diffIds: string[];
}

export interface WrittenLayout {
  /** Digest of the index (multi-platform) or of the manifest (single image) the tag names. */
  digest: string;
  images: WrittenImage[];
}

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A tar with the given regular files (path → content), owned by root, fixed mtime. */
export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const p = tar.pack();
  for (const [name, body] of Object.entries(files)) p.entry({ name, mode: 0o644, uid: 0, gid: 0, mtime: new Date('2024-01-01T00:00:00Z') }, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes an OCI layout to `dir` whose index.json names `tag`: one image manifest, or (with several images, or
 * `index: true`) an image index of them with their platforms. Returns the digests.
 */
export async function writeOciLayout(dir: string, tag: string, images: LayoutImage[], opts: { index?: boolean } = {}): Promise<WrittenLayout> {
  await mkdir(`${dir}/blobs/sha256`, { recursive: true });
  const put = async (b: Buffer): Promise<string> => {
    const d = sha(b);
    await writeFile(`${dir}/blobs/sha256/${d.slice(7)}`, b);
    return d;
  };
  const written: (WrittenImage & { size: number })[] = [];
  for (const img of images) {
    const gz = img.layers.map((l) => gzipSync(l, { level: 1 }));
    const diffIds = img.layers.map((l) => sha(l));
    const layerDescs = [];
    for (const g of gz) layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await put(g), size: g.length });
    const config = Buffer.from(
      JSON.stringify({
        created: '2024-01-01T00:00:00Z',
        ...img.platform,
        config: img.config ?? {},
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: img.layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'berth test layout' })),
      }),
    );
    const configDigest = await put(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: layerDescs,
      }),
    );
    written.push({ platform: img.platform, digest: await put(manifest), configDigest, diffIds, size: manifest.length });
  }
  let top: { mediaType: string; digest: string; size: number };
  if (images.length > 1 || opts.index) {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: written.map((w) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: w.digest, size: w.size, platform: w.platform })),
      }),
    );
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: await put(index), size: index.length };
  } else {
    const w = written[0]!;
    top = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: w.digest, size: w.size };
  }
  await writeFile(`${dir}/oci-layout`, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(`${dir}/index.json`, JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }] }));
  return { digest: top.digest, images: written.map(({ size: _size, ...w }) => w) };
}
