import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { shortId } from '../../common/ids.ts';
import type { Logger } from '../../common/log.ts';
import { hexOf } from '../../domain/image/config.ts';
import { buildImageManifest, isForeignLayer, layerCompression, type PushLayer } from '../../domain/registry/manifest.ts';
import { auxLine, layerProgress, layerStatus, type ProgressSink, progressThrottle, statusLine } from '../../domain/registry/progress.ts';
import { detectCompression, gzipStream } from '../../drivers/snapshotter/compression.ts';
import type { BlobSources } from './blob-sources.ts';
import type { ImagesForRegistry, LocalLayer } from './contract.ts';
import { sleep } from './download.ts';
import type { Limiter } from './limiter.ts';
import { RegistryApiError, type Repository } from './repository.ts';
import { RegistryAuthError } from './session.ts';

export interface PushEnv {
  store: ImagesForRegistry;
  uploads: Limiter;
  /** Layers being gzip-compressed right now, daemon-wide: each gets its share of the cores. */
  compressing: { active: number };
  progress: ProgressSink;
  log: Logger;
  /** Aborts every request of this push (the session was built with it). */
  signal: AbortSignal;
  abort(reason: unknown): void;
  attempts: number;
  retryDelaySeconds: number;
  sources: BlobSources;
  /** Upload in PATCH chunks of this many bytes; undefined sends each blob in one request. */
  chunkSize: number | undefined;
  /** Push foreign layers too (allow-nondistributable-artifacts). */
  allowNondistributable: boolean;
  /** Target registry host and full repository name ("127.0.0.1:5000/bb"). */
  domain: string;
  repoName: string;
}

/** Splits a byte stream into chunks of exactly `size` bytes (the last one shorter). */
async function* rechunk(src: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of src) {
    let b = Buffer.from(c);
    while (have + b.length >= size) {
      const take = size - have;
      parts.push(b.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      have = 0;
      b = b.subarray(take);
    }
    if (b.length) {
      parts.push(b);
      have += b.length;
    }
  }
  if (have) yield Buffer.concat(parts);
}

/**
 * The v2 pusher of one repository on one endpoint (moby's distribution/push_v2): layers go up concurrently
 * (`max-concurrent-uploads`), each skipped when the registry has it ("Layer already exists"), mounted from another
 * repository of the same registry when berth knows one, or uploaded — the stored blob byte-exact when it is
 * compressed, gzip-compressed on the fly when it is a plain tar. Then the config and the manifest.
 */
export class Pusher {
  readonly #env: PushEnv;
  readonly #repo: Repository;
  /** Layers known to be in the target repository during this push, by diff id. */
  readonly #remote = new Map<string, PushLayer>();

  constructor(env: PushEnv, repo: Repository) {
    this.#env = env;
    this.#repo = repo;
  }

  /** pushV2Tag: returns the manifest digest and size. */
  async pushTag(tag: string, imageId: string): Promise<{ digest: string; size: number }> {
    const env = this.#env;
    const img = await env.store.image(imageId);
    const topFirst = [...img.layers].reverse();
    for (const l of topFirst) env.progress(layerStatus(shortId(hexOf(l.diffId)), 'Preparing'));
    const jobs = new Map<string, Promise<PushLayer>>();
    for (const l of topFirst) {
      if (jobs.has(l.diffId)) continue;
      const job = env.uploads.run(
        () => this.#withRetries(l),
        () => env.progress(layerStatus(shortId(hexOf(l.diffId)), 'Waiting')),
        env.signal,
      );
      job.catch((e: unknown) => env.abort(e));
      jobs.set(l.diffId, job);
    }
    const results = await Promise.allSettled(jobs.values());
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const layers: PushLayer[] = [];
    for (const l of img.layers) layers.push(await jobs.get(l.diffId)!);

    if ((await this.#repo.blobSize(img.id)) === undefined) {
      const up = await this.#repo.startUpload();
      if (up.mounted === false) await this.#repo.complete(up.location, img.id, img.configBytes, img.configBytes.length);
    }
    const manifest = buildImageManifest({ digest: img.id, size: img.configBytes.length }, layers);
    await this.#repo.putManifest(tag, manifest.mediaType, manifest.bytes);
    const digest = `sha256:${createHash('sha256').update(manifest.bytes).digest('hex')}`;
    env.progress(statusLine(`${tag}: digest: ${digest} size: ${manifest.bytes.length}`));
    env.progress(auxLine({ Tag: tag, Digest: digest, Size: manifest.bytes.length }));
    return { digest, size: manifest.bytes.length };
  }

  async #withRetries(l: LocalLayer): Promise<PushLayer> {
    const env = this.#env;
    const id = shortId(hexOf(l.diffId));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#upload(l, id);
      } catch (err) {
        const apiRefusal = err instanceof RegistryApiError && err.status < 500 && err.status !== 429;
        if (env.signal.aborted || attempt >= env.attempts || apiRefusal || err instanceof RegistryAuthError) throw err;
        env.log.info('layer upload failed, retrying', { diffId: l.diffId, attempt, error: String(err) });
        for (let delay = attempt * env.retryDelaySeconds; delay > 0; delay--) {
          env.progress(layerStatus(id, `Retrying in ${delay} second${delay === 1 ? '' : 's'}`));
          await sleep(1000, env.signal);
        }
      }
    }
  }

  /** The compression of the stored blob: from its media type, else from its first bytes. */
  async #compression(l: LocalLayer): Promise<'gzip' | 'zstd' | 'none'> {
    const c = layerCompression(l.blob.mediaType);
    if (c !== 'unknown') return c;
    const head = await new Promise<Buffer>((resolve, reject) => {
      const s = this.#env.store.blobStream(l.blob.digest);
      s.once('error', reject);
      s.once('readable', () => {
        const b = (s.read(8) as Buffer | null) ?? Buffer.alloc(0);
        s.destroy();
        resolve(b);
      });
    });
    const d = detectCompression(head);
    return d === 'gzip' || d === 'zstd' ? d : 'none';
  }

  async #upload(l: LocalLayer, id: string): Promise<PushLayer> {
    const env = this.#env;
    const known = this.#remote.get(l.diffId);
    if (known) {
      env.progress(layerStatus(id, 'Layer already exists'));
      return known;
    }
    const compression = await this.#compression(l);
    const sources = await env.sources.get(l.diffId);
    if (isForeignLayer(l.blob.mediaType) && !env.allowNondistributable) {
      env.progress(layerStatus(id, 'Skipped foreign layer'));
      const urls = sources.find((s) => s.digest === l.blob.digest && s.urls?.length)?.urls;
      return { digest: l.blob.digest, size: l.blob.size, compression, foreign: true, ...(urls ? { urls } : {}) };
    }
    const remember = async (p: PushLayer): Promise<PushLayer> => {
      this.#remote.set(l.diffId, p);
      await env.sources.add(l.diffId, { digest: p.digest, size: p.size, mediaType: p.compression === 'zstd' ? 'application/vnd.oci.image.layer.v1.tar+zstd' : 'application/vnd.docker.image.rootfs.diff.tar.gzip', repository: env.repoName });
      return p;
    };

    // digests this layer is known under: the stored blob when compressed, and what earlier pushes produced
    const candidates: { digest: string; size: number; compression: 'gzip' | 'zstd' | 'none' }[] = [];
    if (compression !== 'none') candidates.push({ digest: l.blob.digest, size: l.blob.size, compression });
    for (const s of sources) {
      const c = layerCompression(s.mediaType);
      if (!candidates.some((x) => x.digest === s.digest) && (c === 'gzip' || c === 'zstd')) candidates.push({ digest: s.digest, size: s.size, compression: c });
    }
    for (const c of candidates.slice(0, 3)) {
      const size = await this.#repo.blobSize(c.digest);
      if (size !== undefined) {
        env.progress(layerStatus(id, 'Layer already exists'));
        return remember({ digest: c.digest, size: size || c.size, compression: c.compression });
      }
    }

    // cross-repository mount from another repository of the same registry
    let location: string | undefined;
    const prefix = `${env.domain}/`;
    for (const s of sources.filter((x) => x.repository.startsWith(prefix) && x.repository !== env.repoName).slice(0, 3)) {
      const c = candidates.find((x) => x.digest === s.digest);
      if (!c) continue;
      const from = s.repository.slice(prefix.length);
      try {
        const r = await this.#repo.startUpload({ digest: s.digest, from });
        if (r.mounted) {
          env.progress(layerStatus(id, `Mounted from ${from}`));
          return remember({ digest: c.digest, size: c.size, compression: c.compression });
        }
        if (location) await this.#repo.cancel(location);
        location = r.location;
      } catch (err) {
        env.log.debug('cross-repository mount failed', { from, digest: s.digest, error: String(err) });
        await env.sources.remove(l.diffId, s);
      }
    }

    location ??= (await this.#repo.startUpload().then((r) => (r.mounted ? undefined : r.location)))!;
    return remember(await this.#send(l, id, compression, location));
  }

  /** Uploads the layer's bytes: one PUT when the digest is known, else PATCH (streamed or chunked) then PUT. */
  async #send(l: LocalLayer, id: string, compression: 'gzip' | 'zstd' | 'none', location: string): Promise<PushLayer> {
    const env = this.#env;
    const raw: Readable = env.store.blobStream(l.blob.digest);
    const onAbort = (): void => {
      raw.destroy(env.signal.reason as Error);
    };
    env.signal.addEventListener('abort', onAbort, { once: true });
    let compressing = false;
    try {
      const total = compression === 'none' ? l.tarSize : l.blob.size;
      const report = progressThrottle(total);
      let read = 0;
      const counted = async function* (): AsyncGenerator<Buffer> {
        for await (const c of raw) {
          read += (c as Buffer).length;
          if (report(read)) env.progress(layerProgress(id, 'Pushing', read, total));
          yield c as Buffer;
        }
      };
      if (compression !== 'none' && (env.chunkSize === undefined || l.blob.size <= env.chunkSize)) {
        await this.#repo.complete(location, l.blob.digest, counted(), l.blob.size);
        env.progress(layerStatus(id, 'Pushed'));
        return { digest: l.blob.digest, size: l.blob.size, compression };
      }
      let body: AsyncIterable<Uint8Array> = counted();
      if (compression === 'none') {
        // the cores are shared by the layers being compressed at the same time (daemon-wide)
        compressing = true;
        env.compressing.active++;
        body = gzipStream(Readable.from(body), { threads: Math.floor(availableParallelism() / env.compressing.active) });
      }
      const hash = createHash('sha256');
      let size = 0;
      const hashed = async function* (): AsyncGenerator<Buffer> {
        for await (const c of body) {
          const b = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
          hash.update(b);
          size += b.length;
          yield b;
        }
      };
      let loc = location;
      if (env.chunkSize !== undefined) {
        let start = 0;
        for await (const chunk of rechunk(hashed(), env.chunkSize)) {
          loc = await this.#repo.patch(loc, chunk, start, chunk.length);
          start += chunk.length;
        }
      } else {
        loc = await this.#repo.patch(loc, hashed(), 0);
      }
      const digest = `sha256:${hash.digest('hex')}`;
      await this.#repo.complete(loc, digest);
      env.progress(layerStatus(id, 'Pushed'));
      return { digest, size, compression: compression === 'none' ? 'gzip' : compression };
    } finally {
      if (compressing) env.compressing.active--;
      env.signal.removeEventListener('abort', onAbort);
      raw.destroy();
    }
  }
}
