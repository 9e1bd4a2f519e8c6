import { appendFile, open, rename } from 'node:fs/promises';

/**
 * Writes k8s-file records the way conmon does, for tests: `write` appends records (time, stream, F/P), and
 * `rotate` does what conmon's reopen does (ctl message 2, or --log-size-max): opens "<log>.tmp" with O_TRUNC and
 * renames it over "<log>". `reopen` is the ctl request: done in order with the writes, as conmon's main loop does.
 */
export class FakeConmonLog {
  readonly path: string;
  #t: bigint;
  /** Writes and reopens, in the order they were asked for. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Reopens done through `reopen`. */
  reopens = 0;
  constructor(path: string, startNs = 1795437483000000000n) {
    this.path = path;
    this.#t = startNs;
  }
  /** The next record's timestamp (1 ms apart). */
  nextTime(): bigint {
    this.#t += 1_000_000n;
    return this.#t;
  }
  static line(ns: bigint, stream: 'stdout' | 'stderr', text: string, partial = false): string {
    const sec = ns / 1_000_000_000n;
    const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
    const iso = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
    return `${iso}.${frac}+00:00 ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
  }
  write(stream: 'stdout' | 'stderr', text: string, partial = false): Promise<bigint> {
    const t = this.nextTime();
    const done = this.#queue.then(() => appendFile(this.path, FakeConmonLog.line(t, stream, text, partial))).then(() => t);
    this.#queue = done.catch(() => {});
    return done;
  }
  /** Settles when every write and reopen asked for so far is done (conmon exiting after its last output). */
  async idle(): Promise<void> {
    for (let q = this.#queue; ; q = this.#queue) {
      await q;
      if (q === this.#queue) return;
    }
  }
  /** The ctl request: resolves once queued (like a FIFO write); the rotation happens before later writes. */
  async reopen(): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      await this.rotate();
      this.reopens++;
    });
  }
  async rotate(): Promise<void> {
    const fh = await open(`${this.path}.tmp`, 'w');
    await fh.close();
    await rename(`${this.path}.tmp`, this.path);
  }
}
