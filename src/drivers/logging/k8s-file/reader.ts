import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { LogEntry, LogReadOptions } from '../contract.ts';
import { CutFilter, readCut } from './cut.ts';
import { type LogFile, logFiles, snapshotSize } from './files.ts';
import { type LogRecord, formatTimestamp, parseRecord } from './record.ts';
import { type LogHandle, openLog } from './open-log.ts';
import { findTailStart } from './tail.ts';

const CHUNK = 64 * 1024;

/** Reads records from one file forward, from an offset; keeps an unterminated last line for the next read. */
class RecordReader {
  readonly path: string;
  /** Valid as an identity while this reader holds the file open. */
  readonly ino: number;
  seq: number | undefined;
  #fh: LogHandle;
  #pos: number;
  #carry = Buffer.alloc(0);
  private constructor(path: string, fh: LogHandle, ino: number, pos: number, seq: number | undefined) {
    this.path = path;
    this.#fh = fh;
    this.ino = ino;
    this.#pos = pos;
    this.seq = seq;
  }
  static async open(f: LogFile, pos: number): Promise<RecordReader | undefined> {
    const fh = await openLog(f.path);
    if (!fh) return undefined;
    return new RecordReader(f.path, fh, (await fh.stat()).ino, pos, f.seq);
  }
  /** All complete records from the current position to the end of the file as it is now (or to `limit`). */
  async *records(limit = Number.POSITIVE_INFINITY): AsyncGenerator<LogRecord> {
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const want = Math.min(CHUNK, limit - this.#pos);
      if (want <= 0) return;
      const { bytesRead } = await this.#fh.read(buf, 0, want, this.#pos);
      if (bytesRead === 0) return;
      this.#pos += bytesRead;
      let data = this.#carry.length ? Buffer.concat([this.#carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let nl = data.indexOf(0x0a);
      while (nl >= 0) {
        const rec = parseRecord(data.subarray(0, nl));
        if (rec) yield rec;
        data = data.subarray(nl + 1);
        nl = data.indexOf(0x0a);
      }
      this.#carry = Buffer.from(data);
    }
  }
  async close(): Promise<void> {
    await this.#fh.close().catch(() => {});
  }
}

/** Joins P records with the record that ends their line, per stream; the entry has the first piece's time. */
class Grouper {
  readonly #pending = new Map<string, LogRecord[]>();
  push(r: LogRecord): LogEntry | undefined {
    const list = this.#pending.get(r.stream) ?? [];
    list.push(r);
    if (r.partial) {
      this.#pending.set(r.stream, list);
      return undefined;
    }
    this.#pending.delete(r.stream);
    return entry(list, false);
  }
  /** The unfinished lines, as partial entries. */
  flush(): LogEntry[] {
    const out = [...this.#pending.values()].map((l) => entry(l, true)).sort((a, b) => (a.timeNs < b.timeNs ? -1 : 1));
    this.#pending.clear();
    return out;
  }
}

function entry(records: LogRecord[], partial: boolean): LogEntry {
  const first = records[0]!;
  return {
    stream: first.stream,
    timeNs: first.timeNs,
    time: formatTimestamp(first.timeNs),
    data: records.length === 1 ? first.data : Buffer.concat(records.map((r) => r.data)),
    partial,
  };
}

/**
 * Reads a container's log: rotated files oldest first, then the current one; `tail` counts entries back from the
 * end; `sinceNs`/`untilNs` and the stream choice filter; with `follow` it then waits for more (an inotify watch on
 * the log's directory — writes and conmon's renames both show up there), goes over to the new file when conmon
 * starts one, and ends when `stopped` settles (after reading what was written until then), when an entry is past
 * `untilNs`, or when `signal` aborts.
 */
export async function* readLog(logPath: string, opts: LogReadOptions = {}): AsyncGenerator<LogEntry> {
  const wantOut = opts.stdout ?? true;
  const wantErr = opts.stderr ?? true;
  const since = opts.sinceNs ?? 0n;
  const until = opts.untilNs !== undefined && opts.untilNs > 0n ? opts.untilNs : undefined;
  const grouper = new Grouper();
  let pastUntil = false;
  /** Applies the filters; sets pastUntil when the end of the window is reached. */
  const pass = (e: LogEntry): boolean => {
    if (until !== undefined && e.timeNs > until) {
      pastUntil = true;
      return false;
    }
    if (since > 0n && e.timeNs < since) return false;
    return e.stream === 'stdout' ? wantOut : wantErr;
  };

  // follow: the watch is set up before the first listing, so nothing written in between is missed
  let watcher: FSWatcher | undefined;
  let dirty = true;
  let wakeUp: (() => void) | undefined;
  let stop = false;
  const wake = () => {
    dirty = true;
    const w = wakeUp;
    wakeUp = undefined;
    w?.();
  };
  const onAbort = () => wake();
  if (opts.follow) {
    const base = basename(logPath);
    try {
      watcher = watch(dirname(logPath), (_ev, name) => {
        if (name === null || name.startsWith(base)) wake();
      });
      watcher.on('error', () => {
        stop = true;
        wake();
      });
    } catch {
      // no directory: nothing to follow
    }
    opts.stopped?.then(
      () => {
        stop = true;
        wake();
      },
      () => {
        stop = true;
        wake();
      },
    );
    opts.signal?.addEventListener('abort', onAbort);
  }

  let current: RecordReader | undefined;
  try {
    const [files, cut] = await Promise.all([logFiles(logPath), readCut(logPath)]);
    const start = typeof opts.tail === 'number' ? await findTailStart(files, opts.tail) : { file: 0, offset: 0 };
    let opened = false;
    for (let i = start.file; i < files.length; i++) {
      const r = await RecordReader.open(files[i]!, i === start.file ? start.offset : 0);
      if (!r) continue;
      // the oldest file left, from its start: drop the ends of lines whose beginnings max-file deleted
      const fromStart = i > start.file || start.offset === 0;
      const cutFilter = !opened && fromStart && cut && cut.seq === files[i]!.seq ? new CutFilter(cut.streams) : undefined;
      opened = true;
      const last = i === files.length - 1 && files[i]!.current === true;
      // without --follow, what the files held when listed (dockerd reads a snapshot too: `--tail 1` of a busy
      // container is one line)
      for await (const rec of r.records(opts.follow ? undefined : snapshotSize(files[i]!))) {
        if (cutFilter?.drop(rec)) continue;
        const e = grouper.push(rec);
        if (e && pass(e)) yield e;
        if (pastUntil || opts.signal?.aborted) break;
      }
      if (last) current = r;
      else await r.close();
      if (pastUntil || opts.signal?.aborted) return;
    }
    const newest = files.at(-1);
    if (opts.follow && !current && newest?.current) {
      // --tail 0: follow from the end as it was when listed
      current = await RecordReader.open(newest, newest.size);
    }
    if (!opts.follow) {
      for (const e of grouper.flush()) if (pass(e)) yield e;
      return;
    }

    for (;;) {
      if (opts.signal?.aborted || pastUntil) return;
      const finalPass = stop;
      dirty = false;
      // the current file, then whatever conmon started since (rotated files in order, then the new current one)
      for (;;) {
        if (current) {
          for await (const rec of current.records()) {
            const e = grouper.push(rec);
            if (e && pass(e)) yield e;
            if (pastUntil) return;
          }
        }
        const ino = await stat(logPath).then((s) => s.ino, () => undefined);
        if (ino === undefined || ino === current?.ino) break;
        const all = await logFiles(logPath);
        // the files after ours by seq (ours is still open, so its inode identifies it); the new current one last
        const ours = current ? (current.seq ?? all.find((f) => f.ino === current!.ino)?.seq) : undefined;
        const newer = ours === undefined ? all.slice(-1) : all.filter((f) => f.seq === undefined || f.seq > ours);
        await current?.close();
        current = undefined;
        for (const f of newer) {
          const r = await RecordReader.open(f, 0);
          if (!r) continue;
          if (f.current) {
            current = r;
            break;
          }
          for await (const rec of r.records()) {
            const e = grouper.push(rec);
            if (e && pass(e)) yield e;
          }
          await r.close();
        }
        if (!current) break;
      }
      // caught up: show unfinished lines now (a later piece then comes as an entry of its own)
      for (const e of grouper.flush()) if (pass(e)) yield e;
      if (finalPass) return;
      if (!dirty) await new Promise<void>((r) => (wakeUp = r));
    }
  } finally {
    watcher?.close();
    opts.signal?.removeEventListener('abort', onAbort);
    await current?.close();
  }
}
