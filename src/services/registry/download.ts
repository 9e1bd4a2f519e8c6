import { createHash, type Hash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { Logger } from '../../common/log.ts';
import { urlError } from '../../domain/registry/api-errors.ts';
import { layerProgress, layerStatus, type ProgressSink, progressThrottle } from '../../domain/registry/progress.ts';
import type { ImagesForRegistry } from './contract.ts';
import { type HttpResponse, RegistryNetworkError } from './http.ts';
import { RegistryApiError } from './repository.ts';
import { RegistryAuthError } from './session.ts';

const WRITE_BATCH = 1 << 18;

/** A download that must not be tried again (verification failed, the registry refused). */
export class DoNotRetryError extends Error {
  override name = 'DoNotRetryError';
  readonly err: unknown;
  constructor(err: unknown) {
    super(err instanceof Error ? err.message : String(err), { cause: err });
    this.err = err;
  }
}

export interface BlobDownload {
  digest: string;
  /** Expected size from the manifest (0 when unknown). */
  size: number;
  /** Short id shown in progress lines. */
  id: string;
  /** Opens the blob from `offset`: 206 continues, 200 starts over. */
  open(offset: number): Promise<HttpResponse>;
}

export interface DownloadEnv {
  store: ImagesForRegistry;
  progress: ProgressSink;
  log: Logger;
  signal: AbortSignal;
  /** Attempts per blob (dockerd: 5). */
  attempts: number;
  /** Seconds added to the wait before each new attempt (dockerd: 5, so 5 s, 10 s, …). */
  retryDelaySeconds: number;
}

function retryable(err: unknown): boolean {
  // retryOnError: missing or refused credentials will not get better by asking again
  if (err instanceof DoNotRetryError || err instanceof RegistryAuthError) return false;
  if (err instanceof RegistryApiError) {
    // the registry answered: only its own hiccups are worth another try
    return err.status >= 500 || err.status === 429 ? err.code !== 'UNAUTHORIZED' : false;
  }
  return !(err instanceof InvalidArgumentError);
}

/** Waits `ms`, or rejects with the signal's reason when it is aborted first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Downloads one blob into the content store as dockerd's layerDescriptor.Download does: streamed to a scratch
 * file while hashing, `Downloading` progress, resumed with a Range request after a broken connection, then
 * `Verifying Checksum` and `Download complete`. A digest mismatch fails for good ("filesystem layer verification
 * failed for digest …") and nothing reaches the store.
 */
export async function downloadBlob(env: DownloadEnv, d: BlobDownload): Promise<void> {
  const dir = await env.store.scratchDir();
  const file = `${dir}/blob`;
  const fh = await open(file, 'w+');
  const algorithm = d.digest.slice(0, d.digest.indexOf(':'));
  let hash: Hash = createHash(algorithm);
  let written = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const offset = written;
        const res = await d.open(offset);
        if (offset > 0 && res.status !== 206) {
          // the registry ignored the range: start over
          await fh.truncate(0);
          written = 0;
          hash = createHash(algorithm);
        }
        const total = d.size > 0 ? d.size - written : Number(res.headers['content-length'] ?? 0);
        const report = progressThrottle(total);
        let current = 0;
        const onAbort = (): void => {
          res.body.destroy(env.signal.reason as Error);
        };
        env.signal.addEventListener('abort', onAbort, { once: true });
        // written to the file in batches of 256 KiB: a write per network chunk (~64 KiB) costs more than the rest
        let batch: Buffer[] = [];
        let batched = 0;
        const flush = async (): Promise<void> => {
          if (batched === 0) return;
          const b = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
          batch = [];
          batched = 0;
          await fh.write(b, 0, b.length, written);
          written += b.length;
        };
        try {
          try {
            for await (const chunk of res.body) {
              const b = chunk as Buffer;
              hash.update(b);
              batch.push(b);
              batched += b.length;
              current += b.length;
              if (batched >= WRITE_BATCH) await flush();
              if (report(current)) env.progress(layerProgress(d.id, 'Downloading', current, total));
            }
          } finally {
            // what arrived before a break is kept: a retry resumes after it
            await flush();
          }
        } catch (err) {
          if (env.signal.aborted) throw err;
          // the connection broke mid-body (a registry that died): Go's client reports "unexpected EOF"
          throw new RegistryNetworkError(urlError('GET', res.url, 'unexpected EOF'), (err as NodeJS.ErrnoException).code, err);
        } finally {
          env.signal.removeEventListener('abort', onAbort);
        }
        if (!res.body.complete) throw new RegistryNetworkError(urlError('GET', res.url, 'unexpected EOF'), undefined, undefined);
        break;
      } catch (err) {
        if (env.signal.aborted) throw err;
        if (attempt >= env.attempts || !retryable(err)) throw err instanceof DoNotRetryError ? err.err : err;
        env.log.info('download failed, retrying', { digest: d.digest, attempt, error: String(err) });
        for (let delay = attempt * env.retryDelaySeconds; delay > 0; delay--) {
          env.progress(layerStatus(d.id, `Retrying in ${delay} second${delay === 1 ? '' : 's'}`));
          await sleep(1000, env.signal);
        }
      }
    }
    env.progress(layerStatus(d.id, 'Verifying Checksum'));
    const got = `${algorithm}:${hash.digest('hex')}`;
    if (got !== d.digest) throw new InvalidArgumentError(`filesystem layer verification failed for digest ${d.digest}`);
    env.progress(layerStatus(d.id, 'Download complete'));
    await fh.sync();
    await fh.close();
    await env.store.commitBlob(file, d.digest);
  } finally {
    await fh.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
