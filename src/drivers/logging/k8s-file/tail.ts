import { type LogFile, snapshotSize } from './files.ts';
import { type LogHandle, openLog } from './open-log.ts';
import { isFullRecord } from './record.ts';

const CHUNK = 64 * 1024;

/**
 * The complete lines of a file, last first, with the offset just past each line's "\n". Bytes after the last
 * "\n" (a record conmon is still writing) are not a line yet and are skipped. Reads backwards in 64 KiB chunks.
 */
export async function* linesBackward(fh: LogHandle, size: number): AsyncGenerator<{ line: Buffer; end: number }> {
  let bufStart = size;
  let buf = Buffer.alloc(0);
  const extend = async (): Promise<boolean> => {
    if (bufStart === 0) return false;
    const start = Math.max(0, bufStart - CHUNK);
    const chunk = Buffer.alloc(bufStart - start);
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, start);
    buf = Buffer.concat([chunk.subarray(0, bytesRead), buf]);
    bufStart = start;
    return true;
  };
  // the end of the last complete line
  let nl = -1;
  while ((nl = buf.lastIndexOf(0x0a)) < 0) if (!(await extend())) return;
  let tailEnd = bufStart + nl + 1;
  buf = buf.subarray(0, nl + 1);
  while (tailEnd > 0) {
    const lineNl = tailEnd - 1 - bufStart; // index of this line's "\n" in buf
    let prev = lineNl > 0 ? buf.lastIndexOf(0x0a, lineNl - 1) : -1;
    while (prev < 0 && bufStart > 0) {
      const before = bufStart;
      await extend();
      prev = buf.lastIndexOf(0x0a, tailEnd - 1 - bufStart - 1);
      if (bufStart === before) break;
    }
    const startRel = prev + 1;
    const nlRel = tailEnd - 1 - bufStart;
    yield { line: Buffer.from(buf.subarray(startRel, nlRel)), end: tailEnd };
    tailEnd = bufStart + startRel;
    buf = buf.subarray(0, startRel);
  }
}

/**
 * Where to start reading so that exactly the last `n` entries follow (an entry is a run of P records ended by an
 * F record, or a trailing run of P records). Files are oldest first, and an entry may begin in one file and end
 * in the next (conmon's reopen can come between the pieces of a line); returns the file index and the offset.
 */
export async function findTailStart(files: readonly LogFile[], n: number): Promise<{ file: number; offset: number }> {
  if (n <= 0) return { file: files.length, offset: 0 };
  let count = 0;
  // records seen after the last F record (going backwards): an entry whose beginning is further back
  let pending = false;
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i]!;
    const fh = await openLog(f.path);
    if (!fh) continue;
    try {
      // the file as it was listed (the reader stops there too), not what was written since
      const size = Math.min((await fh.stat()).size, snapshotSize(f) ?? Number.POSITIVE_INFINITY);
      for await (const { line, end } of linesBackward(fh, size)) {
        if (isFullRecord(line)) {
          if (pending) count++;
          if (count === n) return end === size && i + 1 < files.length ? { file: i + 1, offset: 0 } : { file: i, offset: end };
        }
        pending = true;
      }
    } finally {
      await fh.close();
    }
  }
  return { file: 0, offset: 0 };
}
