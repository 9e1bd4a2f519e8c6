import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/**
 * The registry benchmark's image: `layers` layers of about `layerMB` MB each (uncompressed), each made of many
 * files whose content is half random bytes and half text, so gzip makes about half of it (as with typical
 * binaries and libraries). Written twice: as an OCI layout with gzip layers (seeded into the registries with
 * skopeo) and as a docker-archive with plain tar layers (`docker load`, then pushed: the daemon compresses).
 */

export interface BenchImage {
  /** OCI layout dir (tag `v1`). */
  ociDir: string;
  /** docker-archive tar, tagged `loadTag`. */
  archive: string;
  loadTag: string;
  uncompressedBytes: number;
  compressedBytes: number;
  layers: number;
}

const WORDS = (() => {
  const syl = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'za', 'be', 'do', 'fu', 'gi', 'ha', 'ju', 'pe', 'qu', 'xo', 'yi', 'we'];
  const out: string[] = [];
  for (let i = 0; i < 4000; i++) {
    let w = '';
    for (let n = 1 + (i % 4); n >= 0; n--) w += syl[(i * 7 + n * 13 + (i >> 3)) % syl.length];
    out.push(w);
  }
  return out;
})();

/** `size` bytes of word soup (gzip -6 keeps about a third of it). */
function text(size: number, seed: Buffer): Buffer {
  const parts: string[] = [];
  let len = 0;
  let i = 0;
  while (len < size) {
    const w = WORDS[(seed[i % seed.length]! * 31 + i * 17 + (seed[(i + 1) % seed.length]! << 4)) % WORDS.length]!;
    const s = i % 12 === 11 ? `${w}\n` : `${w} `;
    parts.push(s);
    len += s.length;
    i++;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

function fileBody(size: number): Buffer {
  const half = size >> 1;
  return Buffer.concat([randomBytes(half), text(size - half, randomBytes(64))]);
}

async function layerTar(index: number, bytes: number): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  const mtime = new Date('2024-01-01T00:00:00Z');
  p.entry({ name: `layer${index}`, type: 'directory', mode: 0o755, mtime });
  let left = bytes;
  for (let f = 0; left > 0; f++) {
    // a spread of file sizes: 4 KiB … 1 MiB
    const size = Math.min(left, 4096 << f % 9);
    if (f % 50 === 0) p.entry({ name: `layer${index}/d${f / 50}`, type: 'directory', mode: 0o755, mtime });
    p.entry({ name: `layer${index}/d${Math.floor(f / 50)}/f${f}`, mode: 0o644, mtime }, fileBody(size));
    left -= size;
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function makeBenchImage(dir: string, layers: number, layerMB: number, loadTag: string): Promise<BenchImage> {
  const ociDir = join(dir, 'oci');
  mkdirSync(join(ociDir, 'blobs/sha256'), { recursive: true });
  const put = (b: Buffer): string => {
    const d = sha(b);
    writeFileSync(join(ociDir, 'blobs/sha256', d.slice(7)), b);
    return d;
  };
  const tars: Buffer[] = [];
  const descs: { mediaType: string; digest: string; size: number }[] = [];
  let compressedBytes = 0;
  for (let i = 0; i < layers; i++) {
    const t = await layerTar(i, layerMB * 1024 * 1024);
    tars.push(t);
    const gz = gzipSync(t, { level: 6 });
    compressedBytes += gz.length;
    descs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: put(gz), size: gz.length });
  }
  const diffIds = tars.map((t) => sha(t));
  const config = Buffer.from(
    JSON.stringify({
      created: '2024-01-01T00:00:00Z',
      os: 'linux',
      architecture: 'amd64',
      config: { Cmd: ['sh'], Labels: { purpose: 'berth registry benchmark' } },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: tars.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `bench layer ${i}` })),
    }),
  );
  const configDigest = put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: descs,
    }),
  );
  const manifestDigest = put(manifest);
  writeFileSync(join(ociDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(ociDir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  );

  // docker-archive: plain tar layers
  const archive = join(dir, 'image.tar');
  const out = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of out) chunks.push(c as Buffer);
  })();
  const configName = `${configDigest.slice(7)}.json`;
  out.entry({ name: configName }, config);
  for (const [i, t] of tars.entries()) out.entry({ name: `l${i}/layer.tar` }, t);
  out.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: configName, RepoTags: [loadTag], Layers: tars.map((_, i) => `l${i}/layer.tar`) }]));
  out.finalize();
  await done;
  writeFileSync(archive, Buffer.concat(chunks));
  return { ociDir, archive, loadTag, uncompressedBytes: tars.reduce((a, t) => a + t.length, 0), compressedBytes, layers };
}

