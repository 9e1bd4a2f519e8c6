import { appendFile, open, rename } from 'node:fs/promises';

/**
 * Writes k8s-file records the way conmon does, for tests: `write` appends records (time, stream, F/P), and
 * `rotate` does what conmon's --log-size-max does (a new "<log>.tmp", renamed over "<log>").
 */
export class FakeConmonLog {
  readonly path: string;
  #t: bigint;
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
  async write(stream: 'stdout' | 'stderr', text: string, partial = false): Promise<bigint> {
    const t = this.nextTime();
    await appendFile(this.path, FakeConmonLog.line(t, stream, text, partial));
    return t;
  }
  async rotate(): Promise<void> {
    const fh = await open(`${this.path}.tmp`, 'w');
    await fh.close();
    await rename(`${this.path}.tmp`, this.path);
  }
}
