import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { InvalidArgumentError } from '../../common/errors.ts';
import { cleanTarPath } from '../../domain/image/whiteout.ts';
import { decompress } from '../../drivers/snapshotter/compression.ts';
import type { BlobInfo, ContentStore } from './content-store.ts';

interface Staged {
  file: string;
  digest: string;
  size: number;
}

/**
 * An image archive (docker-archive or OCI layout, maybe compressed) unpacked into a staging dir on the content
 * store's filesystem, every file hashed on the way, so layers can be moved into the store without copying.
 */
export class StagedArchive {
  readonly #files = new Map<string, Staged>();
  readonly #links = new Map<string, string>();
  readonly #adopted = new Map<Staged, BlobInfo>();

  private constructor() {}

  static async stage(src: Readable | AsyncIterable<Uint8Array>, dir: string): Promise<StagedArchive> {
    const a = new StagedArchive();
    await mkdir(`${dir}/f`, { recursive: true });
    const { stream } = await decompress(src);
    const extract = tar.extract();
    stream.on('error', (e) => extract.destroy(e));
    stream.pipe(extract as unknown as NodeJS.WritableStream);
    let n = 0;
    for await (const entry of extract) {
      const h = entry.header;
      const name = cleanTarPath(h.name);
      if (h.type === 'file' || h.type === 'contiguous-file') {
        const file = `${dir}/f/${n++}`;
        const hash = createHash('sha256');
        let size = 0;
        const fh = await open(file, 'w');
        try {
          for await (const chunk of entry) {
            hash.update(chunk as Buffer);
            size += (chunk as Buffer).length;
            await fh.write(chunk as Buffer);
          }
        } finally {
          await fh.close();
        }
        a.#files.set(name, { file, digest: 'sha256:' + hash.digest('hex'), size });
      } else {
        if (h.type === 'symlink') a.#links.set(name, posix.normalize(posix.join(posix.dirname(name), h.linkname ?? '')));
        else if (h.type === 'link') a.#links.set(name, cleanTarPath(h.linkname ?? ''));
        entry.resume();
      }
    }
    return a;
  }

  #resolve(path: string): Staged | undefined {
    let p = cleanTarPath(path);
    for (let i = 0; i < 16; i++) {
      const f = this.#files.get(p);
      if (f) return f;
      const l = this.#links.get(p);
      if (l === undefined) return undefined;
      p = cleanTarPath(l);
    }
    return undefined;
  }

  has(path: string): boolean {
    return this.#resolve(path) !== undefined;
  }

  async read(path: string): Promise<Buffer> {
    const f = this.#resolve(path);
    if (!f) throw new InvalidArgumentError(`invalid archive: ${path} not found`);
    return readFile(f.file);
  }

  async json<T>(path: string): Promise<T> {
    const f = this.#resolve(path);
    if (!f) throw new InvalidArgumentError(`invalid archive: ${path} not found`);
    try {
      return JSON.parse((await this.read(path)).toString('utf8')) as T;
    } catch (err) {
      throw new InvalidArgumentError(`invalid archive: ${path}: ${(err as Error).message}`);
    }
  }

  /** The digest of a staged file. */
  digestOf(path: string): string | undefined {
    return this.#resolve(path)?.digest;
  }

  /** Moves a staged file into the content store (once; later calls return the same blob). */
  async adopt(path: string, content: ContentStore, expected?: string): Promise<BlobInfo> {
    const f = this.#resolve(path);
    if (!f) throw new InvalidArgumentError(`invalid archive: ${path} not found`);
    if (expected !== undefined && expected !== f.digest) throw new InvalidArgumentError(`invalid archive: ${path}: digest mismatch, expected ${expected}, got ${f.digest}`);
    const done = this.#adopted.get(f);
    if (done) return done;
    const info = { digest: f.digest, size: f.size };
    if (!(await content.has(f.digest))) await rename(f.file, content.path(f.digest));
    this.#adopted.set(f, info);
    f.file = content.path(f.digest);
    return info;
  }
}
