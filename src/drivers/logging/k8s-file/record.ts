/**
 * conmon's k8s-file (CRI) log lines: `<RFC3339Nano local time with offset> <stdout|stderr> <F|P> <bytes>\n`.
 * F ends a line (the container's own "\n" ends the record); P is a piece of a longer or unterminated line
 * (conmon adds the "\n" that ends the record). The bytes are the container's, not necessarily UTF-8.
 */
export interface LogRecord {
  stream: 'stdout' | 'stderr';
  timeNs: bigint;
  partial: boolean;
  /** The container's bytes: with the trailing "\n" for F records, without for P records. */
  data: Buffer;
}

const TS = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/;

/** RFC3339 (nano) text → ns since the epoch; undefined if malformed. */
export function parseRfc3339Nano(s: string): bigint | undefined {
  const m = TS.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  let offsetSec = 0;
  if (m[8] !== 'Z') {
    const sign = m[8]![0] === '-' ? -1 : 1;
    const digits = m[8]!.slice(1).replace(':', '');
    offsetSec = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
  }
  const frac = BigInt((m[7] ?? '').padEnd(9, '0'));
  return (BigInt(ms / 1000) - BigInt(offsetSec)) * 1_000_000_000n + frac;
}

/** ns since the epoch → "2026-11-23T12:36:54.529088003Z" (UTC, always 9 fraction digits, as dockerd prints). */
export function formatTimestamp(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  const iso = new Date(Number(sec) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}

/** Docker's `since`/`until` query values: "<unix seconds>[.<fraction>]" → ns. */
export function parseUnixTimestamp(s: string): bigint | undefined {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(s.trim());
  if (!m) return undefined;
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Parses one record (a line without its final "\n"); undefined if it is not a k8s-file line. */
export function parseRecord(line: Buffer): LogRecord | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const timeNs = parseRfc3339Nano(line.toString('latin1', 0, s1));
  const streamName = line.toString('latin1', s1 + 1, s2);
  const tag = line[s2 + 1];
  if (timeNs === undefined || (streamName !== 'stdout' && streamName !== 'stderr')) return undefined;
  if ((tag !== 0x46 && tag !== 0x50) || (line.length > s2 + 2 && line[s2 + 2] !== 0x20)) return undefined;
  const content = line.subarray(Math.min(line.length, s2 + 3));
  const partial = tag === 0x50;
  return { stream: streamName, timeNs, partial, data: partial ? Buffer.from(content) : Buffer.concat([content, Buffer.from('\n')]) };
}

/** A record line's stream and whether it is a P record, without parsing its time or copying its content. */
export function recordStream(line: Buffer): { stream: 'stdout' | 'stderr'; partial: boolean } | undefined {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  const tag = line[s2 + 1];
  if ((stream !== 'stdout' && stream !== 'stderr') || (tag !== 0x46 && tag !== 0x50)) return undefined;
  return { stream, partial: tag === 0x50 };
}

/** True when the record line (without "\n") is an F record, without parsing all of it. */
export function isFullRecord(line: Buffer): boolean {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  return s2 >= 0 && line[s2 + 1] === 0x46;
}
