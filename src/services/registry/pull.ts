import { InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import { shortId } from '../../common/ids.ts';
import type { Logger } from '../../common/log.ts';
import { chainIds, hexOf, type ImageConfigBlob, sha256 } from '../../domain/image/config.ts';
import { familiarString, type Reference, trimNamed, withDigest } from '../../domain/image/reference.ts';
import { checkConfigMediaType, checkSupportedMediaType, isForeignLayer, type ParsedManifest, parseManifest, type WireDescriptor } from '../../domain/registry/manifest.ts';
import { formatPlatform, normalizePlatform, onlyPlatform, type Platform } from '../../domain/registry/platform.ts';
import { layerProgress, layerStatus, type ProgressSink, progressThrottle, statusLine } from '../../domain/registry/progress.ts';
import type { BlobSources } from './blob-sources.ts';
import type { ImagesForRegistry, LocalLayer, UnpackedLayer } from './contract.ts';
import { type DownloadEnv, downloadBlob } from './download.ts';
import type { HttpResponse, RegistryTransport } from './http.ts';
import type { Limiter } from './limiter.ts';
import type { FetchedManifest, Repository } from './repository.ts';

export interface PullEnv {
  store: ImagesForRegistry;
  transport: RegistryTransport;
  downloads: Limiter;
  /** Layers being unpacked at once, daemon-wide (unpacking is CPU-bound: about the number of cores). */
  unpacks: Limiter;
  progress: ProgressSink;
  log: Logger;
  signal: AbortSignal;
  attempts: number;
  retryDelaySeconds: number;
  /** The platform to select from an index (the requested one, else the host's). */
  platform: Platform;
  /** Blob downloads already running in this daemon, by digest (shared by concurrent pulls). */
  inflight: Map<string, Promise<void>>;
  /** Remembers which repository each layer blob came from (for later pushes). */
  sources: BlobSources;
  /** The repository's full name ("docker.io/library/busybox"), recorded as the blobs' source. */
  repoName: string;
}

/** noMatchesErr */
function noMatches(p: Platform): NotFoundError {
  return new NotFoundError(`no matching manifest for ${formatPlatform(p)} in the manifest list entries`);
}

function parseConfig(bytes: Buffer): ImageConfigBlob {
  let c: ImageConfigBlob;
  try {
    c = JSON.parse(bytes.toString('utf8')) as ImageConfigBlob;
  } catch (err) {
    throw new InvalidArgumentError(`invalid image config: ${(err as Error).message}`);
  }
  if (!c || typeof c !== 'object' || !c.rootfs || !Array.isArray(c.rootfs.diff_ids)) throw new InvalidArgumentError('invalid rootfs in image configuration');
  return c;
}

/**
 * The v2 puller of one repository on one endpoint (moby's distribution/pull_v2): resolves the tag, selects the
 * platform from an index, downloads layers concurrently and registers them in order as they arrive, then stores
 * the image and moves the tag. Returns whether a tag or image changed ("Downloaded newer image").
 */
export class Puller {
  readonly #env: PullEnv;
  readonly #repo: Repository;

  constructor(env: PullEnv, repo: Repository) {
    this.#env = env;
    this.#repo = repo;
  }

  /** pullTag: `ref` has a tag or a digest. `updated` tells whether the tag (or image) is new ("Downloaded newer image"). */
  async pullTag(ref: Reference): Promise<{ updated: boolean; id: string }> {
    const env = this.#env;
    let fetched: FetchedManifest;
    let tagOrDigest: string;
    if (ref.digest !== undefined) {
      tagOrDigest = ref.digest;
      fetched = await this.#repo.manifest(ref.digest);
    } else {
      tagOrDigest = ref.tag!;
      const d = await this.#repo.resolveTag(ref.tag!);
      fetched = 'bytes' in d ? d : await this.#repo.manifest(d.digest);
    }
    const m = parseManifest(fetched.bytes, fetched.mediaType, familiarString(ref));
    if (m.kind === 'image') checkConfigMediaType(m.config.mediaType);
    // the repository as the registry names it ("library/busybox" on Docker Hub), as dockerd prints it
    env.progress(statusLine(`Pulling from ${ref.path}`, tagOrDigest));

    const id = m.kind === 'image' ? await this.#pullImage(m) : await this.#pullIndex(m, ref);
    env.progress(statusLine(`Digest: ${fetched.digest}`));

    const store = env.store;
    return store.locked(async () => {
      const digestRef = withDigest(trimNamed(ref), fetched.digest);
      const old = store.refGet(ref);
      if (old === id) {
        await store.addDigest(digestRef, id);
        return { updated: false, id };
      }
      await store.addDigest(digestRef, id);
      if (ref.digest === undefined) await store.addTag(ref, id);
      return { updated: true, id };
    });
  }

  /** pullManifestList: the best match for the platform; entries without a platform come last. */
  async #pullIndex(m: Extract<ParsedManifest, { kind: 'index' }>, ref: Reference): Promise<string> {
    const want = this.#env.platform;
    const only = onlyPlatform(want);
    const matches = m.manifests
      .filter((d) => !d.platform || only.match(d.platform))
      .map((d) => ({ d, rank: d.platform ? only.rank(d.platform) : 1e9 }))
      .sort((a, b) => a.rank - b.rank)
      .map((x) => x.d);
    for (const d of matches) {
      const child = await this.#repo.manifest(d.digest);
      let cm: ParsedManifest;
      try {
        cm = parseManifest(child.bytes, child.mediaType || d.mediaType, familiarString(ref));
      } catch (err) {
        // the OCI spec says to skip unknown manifest types
        this.#env.log.debug('skipping index entry', { digest: d.digest, error: String(err) });
        continue;
      }
      if (cm.kind === 'image') {
        checkConfigMediaType(cm.config.mediaType);
        return this.#pullImage(cm);
      }
      try {
        return await this.#pullIndex(cm, ref);
      } catch (err) {
        if (!(err instanceof NotFoundError && err.message.startsWith('no matching manifest'))) throw err;
      }
    }
    throw noMatches(want);
  }

  /** pullSchema2Layers */
  async #pullImage(m: Extract<ParsedManifest, { kind: 'image' }>): Promise<string> {
    const env = this.#env;
    const store = env.store;
    if (store.hasImage(m.config.digest)) return m.config.digest;
    checkSupportedMediaType(m.config.mediaType);
    for (const l of m.layers) checkSupportedMediaType(l.mediaType);

    const configBytes = await this.#repo.blob(m.config.digest);
    if (sha256(configBytes) !== m.config.digest) throw new InvalidArgumentError(`image config verification failed for digest ${m.config.digest}`);
    const config = parseConfig(configBytes);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== m.layers.length) throw new InvalidArgumentError("layers from manifest don't match image configuration");
    if (config.os && config.os !== 'linux') throw new InvalidArgumentError(`image operating system "${config.os}" cannot be used on this platform`);
    const chains = chainIds(diffIds);

    const held: LocalLayer[] = [];
    const downloaded = new Set<string>();
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(env.signal.reason);
    env.signal.addEventListener('abort', onAbort, { once: true });
    const ids = m.layers.map((l) => shortId(hexOf(l.digest)));
    const present = chains.map((c) => store.hasLayer(c));
    for (let i = 0; i < m.layers.length; i++) env.progress(layerStatus(ids[i]!, present[i] ? 'Already exists' : 'Pulling fs layer'));

    // Downloads start at once (bounded by the daemon-wide limiter). Each layer is unpacked as soon as its blob is
    // complete, into a dir of its own, in parallel with the other downloads and unpacks (bounded by the unpack
    // limiter); registration then stacks the unpacked layers in chain order. A failed download or unpack stops the
    // pull when registration reaches it, so the layers below it are still registered and a retry finds them
    // ("Already exists").
    const downloads = new Map<string, Promise<void>>();
    const denv: DownloadEnv = { ...env, signal: ac.signal };
    for (let i = 0; i < m.layers.length; i++) {
      const l = m.layers[i]!;
      if (present[i] || downloads.has(l.digest)) continue;
      const p = this.#fetchLayer(denv, l, ids[i]!, downloaded);
      p.catch(() => {});
      downloads.set(l.digest, p);
    }
    const lctx = { log: env.log, signal: ac.signal };
    const blobOf = (l: WireDescriptor) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType });
    const unpacks = m.layers.map((l, i): Promise<UnpackedLayer> | undefined => {
      if (present[i]) return undefined;
      const p = (async () => {
        await downloads.get(l.digest);
        const report = progressThrottle(l.size);
        return env.unpacks.run(
          () =>
            store.unpackLayer(lctx, blobOf(l), diffIds[i]!, (n) => {
              if (report(n)) env.progress(layerProgress(ids[i]!, 'Extracting', n, l.size));
            }),
          undefined,
          ac.signal,
        );
      })();
      p.catch(() => {});
      return p;
    });
    let stacked = 0;
    try {
      let parent: string | undefined;
      for (let i = 0; i < m.layers.length; i++) {
        const l = m.layers[i]!;
        const unpacked = await unpacks[i];
        const rec = await store.registerLayer(lctx, parent, blobOf(l), diffIds[i]!, undefined, unpacked);
        stacked = i + 1;
        held.push(rec);
        parent = rec.chainId;
        if (present[i]) continue;
        env.progress(layerStatus(ids[i]!, 'Pull complete'));
        const src = { digest: l.digest, size: l.size, mediaType: l.mediaType, repository: env.repoName };
        await env.sources.add(rec.diffId, l.urls?.length ? { ...src, urls: l.urls } : src);
      }
      if (parent !== chains.at(-1)) throw new InvalidArgumentError("layers from manifest don't match image configuration");
      const id = await store.locked(() => store.createImage(configBytes));
      if (id !== m.config.digest) throw new InvalidArgumentError(`image config verification failed for digest ${m.config.digest}`);
      return id;
    } catch (err) {
      ac.abort(err);
      await Promise.allSettled(downloads.values());
      // layers unpacked but not stacked go; the stacked ones stay for a retry
      const left = await Promise.allSettled(unpacks.slice(stacked));
      for (const r of left) if (r.status === 'fulfilled' && r.value) await store.discardLayer(lctx, r.value).catch(() => {});
      for (const d of downloaded) await store.dropBlobIfUnused(d);
      throw err;
    } finally {
      env.signal.removeEventListener('abort', onAbort);
      for (const r of held) store.releaseLayer(r.chainId);
    }
  }

  /** One layer blob into the content store: skipped when the store has it, shared with a pull already fetching it. */
  async #fetchLayer(env: DownloadEnv, l: WireDescriptor, id: string, downloaded: Set<string>): Promise<void> {
    const store = this.#env.store;
    if (await store.hasBlob(l.digest)) {
      env.progress(layerStatus(id, 'Download complete'));
      return;
    }
    const running = this.#env.inflight.get(l.digest);
    if (running) {
      // another pull is fetching this blob: wait for it, and fetch it ourselves if it failed
      env.progress(layerStatus(id, 'Waiting'));
      await running.catch(() => undefined);
      if (await store.hasBlob(l.digest)) {
        env.progress(layerStatus(id, 'Download complete'));
        return;
      }
    }
    const work = this.#env.downloads.run(
      async () => {
        await downloadBlob(env, { digest: l.digest, size: l.size, id, open: (offset) => this.#openLayer(l, offset) });
        downloaded.add(l.digest);
      },
      () => env.progress(layerStatus(id, 'Waiting')),
      env.signal,
    );
    this.#env.inflight.set(l.digest, work);
    try {
      await work;
    } finally {
      this.#env.inflight.delete(l.digest);
    }
  }

  /** Foreign layers come from their URLs first, then from the registry. */
  async #openLayer(l: WireDescriptor, offset: number): Promise<HttpResponse> {
    if (isForeignLayer(l.mediaType)) {
      for (const url of l.urls ?? []) {
        try {
          const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
          const res = await this.#env.transport.request({ method: 'GET', url, headers, followRedirects: true, signal: this.#env.signal });
          if (res.status === 200 || res.status === 206) return res;
          res.drain();
        } catch (err) {
          this.#env.log.debug('foreign layer url failed', { url, error: String(err) });
        }
      }
    }
    return this.#repo.openBlob(l.digest, offset);
  }

  /** Pulls every tag of the repository (`pull -a`). */
  async pullAllTags(name: Reference): Promise<boolean> {
    let updated = false;
    for (const tag of await this.#repo.tags()) {
      const r = await this.pullTag({ ...trimNamed(name), tag });
      updated ||= r.updated;
    }
    return updated;
  }
}

/** The WARNING dockerd prints when a single-platform image does not match `--platform`. */
export function platformMismatchWarning(ref: Reference, want: Platform, config: ImageConfigBlob): string | undefined {
  const actual = normalizePlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
  if (onlyPlatform(want).match(actual)) return undefined;
  return `WARNING: image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(normalizePlatform(want))}, actual: ${formatPlatform(actual)}`;
}
