import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { openLog } from './open-log.ts';
import { recordStream } from './record.ts';
import { linesBackward } from './tail.ts';

type Stream = 'stdout' | 'stderr';

/**
 * Where max-file cut a line in two. conmon writes a line that spans two of its reads as P records then an F
 * record, and a rotation can come between them: when the file with the P records is deleted, the next file
 * starts with the end of a line whose beginning is gone. `<log>.cut` ("<seq> <stream>…") names that file and the
 * streams concerned, so that readers starting there drop those pieces (dockerd never shows such fragments).
 */
export interface LogCut {
  /** The file that starts with the pieces. */
  seq: number;
  streams: Stream[];
}

/** How far back from a file's end its streams' last records are looked for. */
const SCAN_LIMIT = 1 << 20;

/** The streams whose last record in the file is a P record (a line the next file finishes). */
export async function unfinishedStreams(path: string): Promise<Stream[]> {
  const fh = await openLog(path);
  if (!fh) return [];
  try {
    const size = (await fh.stat()).size;
    const last = new Map<Stream, boolean>();
    for await (const { line, end } of linesBackward(fh, size)) {
      if (size - end > SCAN_LIMIT) break;
      const r = recordStream(line);
      if (!r || last.has(r.stream)) continue;
      last.set(r.stream, r.partial);
      if (last.size === 2) break;
    }
    return [...last].filter(([, partial]) => partial).map(([s]) => s);
  } finally {
    await fh.close();
  }
}

/** Records the cut before file `seq` (none: removes the record). */
export async function writeCut(logPath: string, seq: number, streams: Stream[]): Promise<void> {
  const path = `${logPath}.cut`;
  if (streams.length === 0) {
    await rm(path, { force: true });
    return;
  }
  await writeFile(`${path}.new`, `${seq} ${streams.join(' ')}\n`, { mode: 0o600 });
  await rename(`${path}.new`, path);
}

export async function readCut(logPath: string): Promise<LogCut | undefined> {
  let text: string;
  try {
    text = await readFile(`${logPath}.cut`, 'utf8');
  } catch {
    return undefined;
  }
  const [seq, ...streams] = text.trim().split(' ');
  const n = Number(seq);
  if (!Number.isSafeInteger(n)) return undefined;
  return { seq: n, streams: streams.filter((s): s is Stream => s === 'stdout' || s === 'stderr') };
}

/** Drops the records that finish lines begun before a cut: per stream, up to and with its first F record. */
export class CutFilter {
  readonly #pending: Set<Stream>;
  constructor(streams: readonly Stream[]) {
    this.#pending = new Set(streams);
  }
  /** True when the record is a piece to drop. */
  drop(r: { stream: Stream; partial: boolean }): boolean {
    if (!this.#pending.has(r.stream)) return false;
    if (!r.partial) this.#pending.delete(r.stream);
    return true;
  }
}
