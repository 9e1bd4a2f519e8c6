import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** What the readers need of a log file: positioned reads, its size and identity. */
export interface LogHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number; ino: number }>;
  close(): Promise<void>;
}

/**
 * Opens a log file for reading; a compressed rotation (`.gz`) is inflated into memory (a rotated file is about
 * max-size bytes) and read as if it were the plain file. A plain rotated file compressed since it was listed is
 * read from its `.gz`. Undefined when the file is gone.
 */
export async function openLog(path: string): Promise<LogHandle | undefined> {
  if (!path.endsWith('.gz')) {
    const fh = await open(path, 'r').catch(() => undefined);
    return fh ?? (/\.\d+$/.test(path) ? openLog(`${path}.gz`) : undefined);
  }
  let data: Buffer;
  let ino: number;
  try {
    ino = (await stat(path)).ino;
    data = await gunzipAsync(await readFile(path));
  } catch {
    return undefined;
  }
  return {
    async read(buffer, offset, length, position) {
      const n = Math.max(0, Math.min(length, data.length - position));
      data.copy(buffer, offset, position, position + n);
      return { bytesRead: n };
    },
    async stat() {
      return { size: data.length, ino };
    },
    async close() {},
  };
}

/** Replaces a rotated log file by its gzip (`<file>.gz`, written aside and renamed, then the plain file goes). */
export async function compressLog(path: string): Promise<void> {
  const tmp = `${path}.gz.tmp`;
  try {
    await pipeline(createReadStream(path), createGzip(), createWriteStream(tmp, { mode: 0o600 }));
    await rename(tmp, `${path}.gz`);
  } catch (err) {
    await rm(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await rm(path, { force: true });
}
