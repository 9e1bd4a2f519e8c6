import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';

/** Reads conmon's exit file (the exit code as text, written atomically); undefined if it is not there yet. */
export async function readExitFile(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const n = Number.parseInt(text.trim(), 10);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * Resolves with the exit code once `<dir>/<name>` exists: an inotify watch on the directory (conmon writes a
 * temporary file and renames it into place) plus one read after the watch is set up, so a file written before the
 * call — even by a container whose exit happened while the daemon was down — is found without waiting.
 */
export async function waitExitFile(dir: string, name: string, signal?: AbortSignal): Promise<number> {
  await mkdir(dir, { recursive: true });
  signal?.throwIfAborted();
  return new Promise<number>((resolve, reject) => {
    let watcher: FSWatcher | undefined;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      watcher?.close();
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(signal?.reason ?? new Error('aborted')));
    const check = () => {
      readExitFile(`${dir}/${name}`).then(
        (code) => {
          if (code !== undefined) finish(() => resolve(code));
        },
        (err) => finish(() => reject(err)),
      );
    };
    try {
      watcher = watch(dir, { persistent: true }, (_event, filename) => {
        if (filename === null || filename === name) check();
      });
      watcher.on('error', (err) => finish(() => reject(err)));
    } catch (err) {
      finish(() => reject(err));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
