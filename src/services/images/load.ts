import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Ctx } from '../../common/ctx.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { shortId } from '../../common/ids.ts';
import {
  ANNOTATION_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  type Descriptor,
  type DockerArchiveManifestEntry,
  hexOf,
  hostPlatform,
  MEDIA,
  type OciIndex,
  type OciManifest,
} from '../../domain/image/config.ts';
import { familiarString, parseNormalizedNamed, type Reference, tagNameOnly } from '../../domain/image/reference.ts';
import { StagedArchive } from './archive-reader.ts';
import type { ImageCore } from './core.ts';
import { parseImageConfig } from './image-store.ts';
import type { LayerRecord } from './layer-store.ts';

export interface LoadProgress {
  /** Human lines ("Loaded image: bb:latest\n") as dockerd streams them in `{"stream":…}`. */
  stream?: string;
  /** Per-layer progress as `{"status":"Loading layer",…}`. */
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

interface Candidate {
  configPath: string;
  layers: { path: string; mediaType: string; digest?: string }[];
  refs: Reference[];
}

function layerMediaType(d: Descriptor): string {
  return d.mediaType;
}

function refsFromAnnotations(a: Record<string, string> | undefined): Reference[] {
  const full = a?.[ANNOTATION_IMAGE_NAME];
  const name = full ?? a?.[ANNOTATION_REF_NAME];
  if (!name || (full === undefined && !/[/:]/.test(name))) return [];
  try {
    const r = tagNameOnly(parseNormalizedNamed(name));
    return r.tag !== undefined ? [r] : [];
  } catch {
    return [];
  }
}

async function dockerArchive(a: StagedArchive): Promise<Candidate[]> {
  const entries = await a.json<DockerArchiveManifestEntry[]>('manifest.json');
  if (!Array.isArray(entries)) throw new InvalidArgumentError('invalid archive: manifest.json is not a list');
  return entries.map((e) => ({
    configPath: e.Config,
    layers: e.Layers.map((p) => {
      const src = e.LayerSources?.[a.digestOf(p) ?? ''];
      return { path: p, mediaType: src?.mediaType ?? MEDIA.dockerLayer };
    }),
    refs: (e.RepoTags ?? []).map((t) => {
      const r = parseNormalizedNamed(t);
      if (r.tag === undefined) throw new InvalidArgumentError(`invalid tag "${t}"`);
      return r;
    }),
  }));
}

async function ociLayout(a: StagedArchive): Promise<Candidate[]> {
  const blob = (d: Descriptor): string => `blobs/${d.digest.replace(':', '/')}`;
  const out: Candidate[] = [];
  const visit = async (d: Descriptor, refs: Reference[]): Promise<void> => {
    if (d.mediaType === MEDIA.ociIndex || d.mediaType === MEDIA.dockerManifestList) {
      const idx = await a.json<OciIndex>(blob(d));
      const host = hostPlatform();
      const pick = idx.manifests.find((m) => m.platform?.os === host.os && m.platform.architecture === host.architecture) ?? idx.manifests.find((m) => !m.platform);
      if (!pick) throw new InvalidArgumentError(`invalid archive: no manifest for ${host.os}/${host.architecture} in ${d.digest}`);
      return visit(pick, refs);
    }
    const m = await a.json<OciManifest>(blob(d));
    if (a.digestOf(blob(d)) !== d.digest) throw new InvalidArgumentError(`invalid archive: manifest ${d.digest} does not match its digest`);
    out.push({
      configPath: blob(m.config),
      layers: m.layers.map((l) => ({ path: blob(l), mediaType: layerMediaType(l), digest: l.digest })),
      refs,
    });
  };
  const index = await a.json<OciIndex>('index.json');
  for (const d of index.manifests ?? []) await visit(d, refsFromAnnotations(d.annotations));
  // one image may appear once per tag: merge
  const byConfig = new Map<string, Candidate>();
  for (const c of out) {
    const have = byConfig.get(c.configPath);
    if (have) have.refs.push(...c.refs);
    else byConfig.set(c.configPath, c);
  }
  return [...byConfig.values()];
}

/**
 * `docker load`: a docker-archive (manifest.json; docker ≥25 also carries an OCI layout, ignored then) or an OCI
 * image layout (index.json). Layers are verified against the config's diff ids and registered once; tags come
 * from RepoTags or the OCI ref-name annotations. Reports lines as dockerd does; emits `load` per image.
 */
export async function loadImages(ctx: Ctx, core: ImageCore, src: Readable | AsyncIterable<Uint8Array>, quiet: boolean, progress: (p: LoadProgress) => void): Promise<string[]> {
  const dir = await core.content.tempDir();
  const loaded: string[] = [];
  try {
    const a = await StagedArchive.stage(src, dir);
    let candidates: Candidate[];
    if (a.has('manifest.json')) candidates = await dockerArchive(a);
    else if (a.has('index.json')) candidates = await ociLayout(a);
    else throw new InvalidArgumentError('invalid archive: no manifest.json or index.json found (not a docker save or OCI layout archive)');
    for (const c of candidates) {
      const configBytes = await a.read(c.configPath);
      const config = parseImageConfig(configBytes);
      const diffIds = config.rootfs.diff_ids;
      if (diffIds.length !== c.layers.length) throw new InvalidArgumentError(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${c.layers.length}`);
      const held: LayerRecord[] = [];
      try {
        let parent: string | undefined;
        for (let i = 0; i < c.layers.length; i++) {
          const l = c.layers[i]!;
          const blob = await a.adopt(l.path, core.content, l.digest);
          const rec = await core.layers.register(ctx, parent, { ...blob, mediaType: l.mediaType }, diffIds[i]);
          held.push(rec);
          parent = rec.chainId;
          if (!quiet) progress({ status: 'Loading layer', progressDetail: { current: rec.tarSize, total: rec.tarSize }, id: shortId(hexOf(rec.diffId)) });
        }
        const img = await core.lock.run(async () => {
          const created = await core.images.create(configBytes);
          for (const ref of c.refs) {
            const old = core.refs.get(ref);
            if (old !== undefined && old !== created.id) progress({ stream: `The image ${familiarString(ref)} already exists, renaming the old one with ID ${old} to empty string\n` });
            await core.refs.add(ref, created.id, true);
          }
          return created;
        });
        core.emit('load', img.id, img.id);
        loaded.push(img.id);
        if (c.refs.length === 0) progress({ stream: `Loaded image ID: ${img.id}\n` });
        for (const ref of c.refs) progress({ stream: `Loaded image: ${familiarString(ref)}\n` });
      } finally {
        for (const r of held) core.layers.release(r.chainId);
      }
    }
    return loaded;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
