/** Opens an input file up front so a missing file fails with Go's "open <path>: no such file or directory". */
import type { ReadStream } from 'node:fs';

export function openFile(path: string, create: (p: string) => ReadStream): Promise<ReadStream> {
  return new Promise((resolve, reject) => {
    const s = create(path);
    s.once('open', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
      reject(new Error(`open ${path}: ${why}`));
    });
  });
}
