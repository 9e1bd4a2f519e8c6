import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import { writeFileAtomic } from '../../common/fs.ts';
import { hexOf, sha256 } from '../../domain/image/config.ts';

export interface BlobInfo {
  digest: string;
  size: number;
}

/**
 * Content-addressed blobs (configs, layer tars, manifests) under `<root>/blobs/sha256/<hex>`, written through
 * `<root>/ingest` and renamed into place once their digest is known, so a blob is never seen half-written.
 */
export class ContentStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    await mkdir(`${this.root}/blobs/sha256`, { recursive: true });
    await rm(`${this.root}/ingest`, { recursive: true, force: true });
    await mkdir(`${this.root}/ingest`, { recursive: true });
  }

  path(digest: string): string {
    return `${this.root}/blobs/sha256/${hexOf(digest)}`;
  }

  async has(digest: string): Promise<boolean> {
    return (await stat(this.path(digest)).catch(() => undefined)) !== undefined;
  }

  async size(digest: string): Promise<number> {
    return (await stat(this.path(digest))).size;
  }

  async put(data: string | Uint8Array): Promise<BlobInfo> {
    const digest = sha256(data);
    if (!(await this.has(digest))) await writeFileAtomic(this.path(digest), data);
    return { digest, size: Buffer.byteLength(data) };
  }

  /** Streams `src` into the store, hashing as it goes; refuses the blob when `expected` does not match. */
  async ingest(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, expected?: string): Promise<BlobInfo> {
    const tmp = `${this.root}/ingest/${process.pid}-${Math.random().toString(36).slice(2)}`;
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'w', 0o644);
    try {
      for await (const chunk of src) {
        hash.update(chunk);
        size += chunk.length;
        await fh.write(chunk);
      }
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    const digest = 'sha256:' + hash.digest('hex');
    if (expected !== undefined && expected !== digest) {
      await rm(tmp, { force: true });
      throw new InvalidArgumentError(`digest mismatch: expected ${expected}, got ${digest}`);
    }
    await rename(tmp, this.path(digest));
    return { digest, size };
  }

  /** A scratch directory on the store's filesystem (for staging archives); the caller removes it. */
  tempDir(): Promise<string> {
    return mkdtemp(`${this.root}/ingest/tmp-`);
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`content ${digest}: not found`);
      throw err;
    }
  }

  /** The first `n` bytes of a blob (to detect its compression). */
  async head(digest: string, n: number): Promise<Buffer> {
    const fh = await open(this.path(digest), 'r');
    try {
      const b = Buffer.alloc(n);
      const { bytesRead } = await fh.read(b, 0, n, 0);
      return b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  stream(digest: string): Readable {
    return createReadStream(this.path(digest));
  }

  async delete(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}
