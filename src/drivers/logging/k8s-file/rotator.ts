import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { LogConfig, LogTracker } from '../contract.ts';
import { compressRotated, syncLinks, unstage } from './files.ts';
import { fullFile, stageNow } from './rotate-now.ts';

/** conmon's own `--log-size-max` under daemon-driven rotation: at least this much, or 4 × max-size. */
export const BACKSTOP_MIN = 128 * 1024 * 1024;

/**
 * What conmon gets as `--log-size-max` for a max-size (0 = no rotation): a backstop for while no daemon tracks
 * the log (daemon down), far enough above max-size that it never races the rotator's own reopens.
 */
export function conmonLogSizeMax(maxSize: number): number {
  return maxSize > 0 ? Math.max(BACKSTOP_MIN, 4 * maxSize) : 0;
}

/** A reopen asked for and not yet seen done is asked again after this long (conmon may have missed it). */
export const REASK_MS = 2000;

/** A check at least this often, should inotify have dropped events (its queue overflows under floods). */
export const SWEEP_MS = 2000;

/**
 * Daemon-driven log rotation of one container (see files.ts for the file layout). An inotify watch on the log's
 * directory drives it, with a synchronous hot path (rotate-now.ts) right in the event handler:
 *  - a write to `<log>` (a 'change' event) costs one stat: once the file reaches max-size, and the current file
 *    has its number and the next one is staged, conmon is asked to reopen — once per file;
 *  - conmon's rename of `<log>.tmp` over `<log>` (a 'rename' event) stages the next `<log>.tmp` at once (a
 *    container writing fast has filled the new file already: the next reopen can be asked for right away), then
 *    runs a full pass in the background: number the new current file if it has no number, delete the files beyond
 *    max-file, compress the rotated ones (behind the passes, one at a time).
 * Passes run one at a time; events during a pass ask for one more; a check every SWEEP_MS covers lost events (a
 * full file found with nothing staged gets its pass then).
 * conmon drains what is left in its pipe (up to 1 MiB) when the container exits, without reading its ctl FIFO: a
 * container that ends right after a burst leaves that much in its last file.
 */
export class LogRotator implements LogTracker {
  readonly #path: string;
  readonly #cfg: LogConfig;
  readonly #reopen: () => Promise<void>;
  #watcher: FSWatcher | undefined;
  readonly #sweep: NodeJS.Timeout;
  #running: Promise<void> | undefined;
  /** A full pass is due (a rename happened, the first pass, or the hot path found nothing staged). */
  #renamed = true;
  #closed = false;
  /** The reopen in flight: the inode it is to replace, and when it was asked. */
  #asked: { ino: number; at: number } | undefined;
  #compressing: Promise<void> = Promise.resolve();
  /** Above every seq in use, once a full pass listed them (0 until then). */
  #nextSeq = 0;

  constructor(logPath: string, config: LogConfig, reopen: () => Promise<void>) {
    this.#path = logPath;
    this.#cfg = config;
    this.#reopen = reopen;
    const base = basename(logPath);
    try {
      this.#watcher = watch(dirname(logPath), (event, name) => {
        if (name !== null && name !== base && name !== `${base}.tmp`) return;
        if (event === 'rename' || name === null) this.#onRename();
        else this.#checkOrPass();
      });
      this.#watcher.on('error', () => this.#watcher?.close());
    } catch {
      this.#watcher = undefined;
    }
    this.#sweep = setInterval(() => this.#checkOrPass(), SWEEP_MS);
    this.#sweep.unref();
    this.#kick();
  }

  /** Settles when the passes asked for so far are done (for tests). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#compressing;
  }

  async close(opts: { stopped?: boolean } = {}): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    clearInterval(this.#sweep);
    this.#renamed = true;
    this.#kick();
    await this.settled();
    if (opts.stopped) await unstage(this.#path).catch(() => {});
  }

  #onRename(): void {
    if (this.#nextSeq > 0 && !this.#closed) {
      try {
        const seq = stageNow(this.#path, this.#nextSeq);
        if (seq !== undefined) this.#nextSeq = seq + 1;
      } catch {
        // the full pass below stages, or the directory is gone
      }
      this.#check();
    }
    this.#renamed = true;
    this.#kick();
  }

  /** The hot path of a write: a full file that is not ready yet gets a full pass (which checks again). */
  #checkOrPass(): void {
    if (this.#check() !== 'notReady') return;
    this.#renamed = true;
    this.#kick();
  }

  /**
   * Asks conmon to reopen once the file is full, it has its number and the next one is staged: once per file.
   * Says 'notReady' when the file is full but needs a pass first.
   */
  #check(): 'notReady' | undefined {
    if (this.#closed) return undefined;
    let full: ReturnType<typeof fullFile>;
    try {
      full = fullFile(this.#path, this.#cfg.maxSize);
    } catch {
      return undefined;
    }
    if (full === undefined || full === 'notReady') return full;
    if (this.#asked?.ino === full.ino && Date.now() - this.#asked.at < REASK_MS) return undefined;
    const asked = { ino: full.ino, at: Date.now() };
    this.#asked = asked;
    this.#reopen().catch(() => {
      // conmon not listening (not started yet, or gone): ask again on the next write
      if (this.#asked === asked) this.#asked = undefined;
    });
    return undefined;
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = (async () => {
      while (this.#renamed) {
        this.#renamed = false;
        try {
          this.#nextSeq = Math.max(this.#nextSeq, (await syncLinks(this.#path, this.#cfg.maxFile)) + 1);
          if (this.#cfg.compress) this.#compressing = this.#compressing.then(() => compressRotated(this.#path)).catch(() => {});
        } catch {
          // the directory went away (docker rm) or a file changed under us: the next event tries again
        }
        // a full file that was not ready (or an event lost): the pass has numbered and staged what it needs; if
        // it still is not ready, the next event or sweep tries again
        if (!this.#renamed) this.#check();
      }
      this.#running = undefined;
    })();
  }
}
