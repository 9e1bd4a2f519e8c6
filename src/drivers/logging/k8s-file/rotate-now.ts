import { closeSync, linkSync, openSync, rmSync, statSync } from 'node:fs';

/**
 * The rotator's hot path, synchronous on purpose: a container writing fast fills a file in well under a
 * millisecond, and every trip through the thread pool and back lets it write more into the file that should have
 * been rotated already. These are metadata calls on the log's own directory (stat, an O_EXCL create, a link), a
 * few microseconds each, never a wait on data.
 */

/**
 * The current file when it is full (size ≥ maxSize) and can be replaced now without losing it: it has a second
 * name (its number) and `<log>.tmp` is staged as another numbered file. `notReady` when it is full but a pass must
 * number or stage first; undefined when it is not full (or gone).
 */
export function fullFile(logPath: string, maxSize: number): { ino: number } | 'notReady' | undefined {
  const cur = statSync(logPath, { throwIfNoEntry: false });
  if (!cur || cur.size < maxSize) return undefined;
  const staged = statSync(`${logPath}.tmp`, { throwIfNoEntry: false });
  if (!staged || staged.ino === cur.ino || cur.nlink < 2 || staged.nlink < 2) return 'notReady';
  return { ino: cur.ino };
}

/**
 * Stages `<log>.tmp` as a second name of a new, empty `<log>.<seq>` (seq ≥ from, which must be above every number
 * in use) unless `<log>.tmp` exists. Returns the seq used, or undefined when nothing was staged.
 */
export function stageNow(logPath: string, from: number): number | undefined {
  if (statSync(`${logPath}.tmp`, { throwIfNoEntry: false })) return undefined;
  for (let seq = from; ; seq++) {
    const path = `${logPath}.${seq}`;
    try {
      closeSync(openSync(path, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      linkSync(path, `${logPath}.tmp`);
      return seq;
    } catch (err) {
      // conmon created "<log>.tmp" itself meanwhile (mid-reopen): this empty file is not needed
      rmSync(path, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw err;
    }
  }
}
