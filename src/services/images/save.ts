import { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import {
  ANNOTATION_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  type Descriptor,
  type DockerArchiveManifestEntry,
  hexOf,
  MEDIA,
  type OciIndex,
  type OciManifest,
  sha256,
} from '../../domain/image/config.ts';
import { familiarName, familiarString, isNameOnly, parseAnyReference, type Reference, refString } from '../../domain/image/reference.ts';
import { decompress } from '../../drivers/snapshotter/compression.ts';
import { TarWriter } from '../../drivers/snapshotter/overlayfs/tar-writer.ts';
import type { ImageCore } from './core.ts';
import type { ImageRecord } from './image-store.ts';
import type { LayerRecord } from './layer-store.ts';

interface Assoc {
  img: ImageRecord;
  refs: Reference[];
}

/** dockerd's tarexport parseNames: ids, name:tag, name@digest, or a bare name (all of its tags). */
function parseNames(core: ImageCore, names: readonly string[]): Assoc[] {
  const out = new Map<string, Assoc>();
  const add = (img: ImageRecord, ref?: Reference): void => {
    const a = out.get(img.id) ?? { img, refs: [] };
    if (ref && ref.tag !== undefined && !a.refs.some((r) => refString(r) === refString(ref))) a.refs.push(ref);
    out.set(img.id, a);
  };
  for (const name of names) {
    const any = parseAnyReference(name);
    if (any.kind === 'digest') {
      const img = core.images.get(any.digest);
      if (!img) throw new NotFoundError(`No such image: ${any.digest}`);
      add(img);
      continue;
    }
    const ref = any.ref;
    if (familiarName(ref) === 'sha256') {
      const img = core.images.search(name);
      if (!img) throw new NotFoundError(`No such image: ${name}`);
      add(img);
      continue;
    }
    if (isNameOnly(ref)) {
      const assocs = core.refs.byName(ref);
      for (const a of assocs) {
        const img = core.images.get(a.id);
        if (img) add(img, a.ref);
      }
      if (assocs.length === 0) {
        const img = core.images.search(name);
        if (!img) throw new NotFoundError(`No such image: ${name}`);
        add(img);
      }
      continue;
    }
    const id = core.refs.get(ref);
    const img = id ? core.images.get(id) : undefined;
    if (!img) throw new NotFoundError('reference does not exist');
    add(img, ref);
  }
  if (out.size === 0) throw new InvalidArgumentError('no images to save');
  return [...out.values()];
}

function layerDescriptor(l: LayerRecord): Descriptor {
  return { mediaType: MEDIA.ociLayer, digest: l.diffId, size: l.tarSize };
}

/**
 * `docker save`: the images as a tar holding both a docker-archive manifest.json (+ repositories) and an OCI image
 * layout (oci-layout, index.json, blobs/sha256), as docker ≥25 writes it. Layers are the uncompressed tars whose
 * digests are the diff ids. Name errors are thrown before anything is streamed. Emits `save` per image.
 */
export function saveImages(core: ImageCore, names: readonly string[]): Readable {
  const assocs = parseNames(core, names);
  const w = new TarWriter();
  const written = new Set<string>();
  const epoch = new Date(0);
  const dir = (name: string): Promise<void> => w.add({ name, type: 'directory', mode: 0o40755, mtime: epoch });
  const file = (name: string, data: string | Buffer, mtime = epoch): Promise<void> => w.add({ name, type: 'file', mode: 0o100644, mtime }, Buffer.from(data));

  const writeLayer = async (l: LayerRecord, mtime: Date): Promise<void> => {
    const name = `blobs/sha256/${hexOf(l.diffId)}`;
    if (written.has(name)) return;
    written.add(name);
    const raw = core.content.stream(l.blob.digest);
    const body = l.blob.digest === l.diffId ? raw : (await decompress(raw)).stream;
    await new Promise<void>((resolve, reject) => {
      const sink = w.pack.entry({ name, type: 'file', mode: 0o100644, size: l.tarSize, mtime }, (err) => (err ? reject(err) : resolve()));
      (async () => {
        for await (const chunk of body) if (!sink.write(chunk as Buffer)) await new Promise<void>((r) => sink.once('drain', () => r()));
        (sink as unknown as { end(): void }).end();
      })().catch((e: unknown) => {
        sink.destroy(e as Error);
        reject(e);
      });
    });
  };

  const run = async (): Promise<void> => {
    await dir('blobs/');
    await dir('blobs/sha256/');
    const manifestJson: DockerArchiveManifestEntry[] = [];
    const index: OciIndex = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] };
    const repositories: Record<string, Record<string, string>> = {};
    for (const { img, refs } of assocs) {
      const mtime = img.config.created ? new Date(img.config.created) : epoch;
      const layers = core.layers.chain(img.topChain);
      for (const l of layers) await writeLayer(l, Number.isNaN(mtime.getTime()) ? epoch : mtime);
      const configName = `blobs/sha256/${hexOf(img.id)}`;
      if (!written.has(configName)) {
        written.add(configName);
        await file(configName, await core.content.read(img.id));
      }
      const manifest: OciManifest = {
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: { mediaType: MEDIA.ociConfig, digest: img.id, size: img.configSize },
        layers: layers.map(layerDescriptor),
      };
      const mbytes = Buffer.from(JSON.stringify(manifest));
      const mdigest = sha256(mbytes);
      const mname = `blobs/sha256/${hexOf(mdigest)}`;
      if (!written.has(mname)) {
        written.add(mname);
        await file(mname, mbytes);
      }
      const desc: Descriptor = { mediaType: MEDIA.ociManifest, digest: mdigest, size: mbytes.length };
      if (refs.length === 0) index.manifests.push(desc);
      for (const r of refs) {
        index.manifests.push({ ...desc, annotations: { [ANNOTATION_IMAGE_NAME]: refString(r), [ANNOTATION_REF_NAME]: r.tag! } });
        (repositories[familiarName(r)] ??= {})[r.tag!] = hexOf(layers.at(-1)?.diffId ?? img.id);
      }
      manifestJson.push({ Config: configName, RepoTags: refs.length ? refs.map(familiarString) : null, Layers: layers.map((l) => `blobs/sha256/${hexOf(l.diffId)}`) });
      core.emit('save', img.id, img.id);
    }
    await file('index.json', JSON.stringify(index) + '\n');
    await file('manifest.json', JSON.stringify(manifestJson) + '\n');
    await file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    if (Object.keys(repositories).length > 0) await file('repositories', JSON.stringify(repositories) + '\n');
    w.finalize();
  };
  run().catch((err: unknown) => w.destroy(err as Error));
  return Readable.from(w.pack, { objectMode: false });
}
