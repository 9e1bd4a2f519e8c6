import { InvalidArgumentError } from '../../common/errors.ts';
import type { IdMap } from './id-map.ts';

/**
 * /etc/subuid and /etc/subgid (`name-or-uid:start:count` per line) as dockerd reads them (moby's
 * idtools.parseSubidFile, createIDMap, findNextRangeStart). Pure: the callers read and write the files.
 */
export interface SubidEntry {
  /** A user name or a numeric uid, as written. */
  owner: string;
  start: number;
  length: number;
}

/** Docker's size of a subordinate range it creates, and where it starts looking. */
export const DEFAULT_RANGE_LENGTH = 65536;
export const DEFAULT_RANGE_START = 100000;

function atoi(s: string, path: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new InvalidArgumentError(`String to int conversion failed during subuid/gid parsing of ${path}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** Every entry of a subuid/subgid file; blank lines and `#` comments are skipped, a malformed line is an error. */
export function parseSubidFile(text: string, path: string): SubidEntry[] {
  const out: SubidEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length !== 3) throw new InvalidArgumentError(`Cannot parse subuid/gid information: Format not correct for ${path} file`);
    out.push({ owner: parts[0]!, start: atoi(parts[1]!, path), length: atoi(parts[2]!, path) });
  }
  return out;
}

/**
 * The ranges of one user, in file order: those listed under its numeric uid, or else under its name (dockerd's
 * lookupSubUIDRanges). Empty when it has none.
 */
export function rangesOf(entries: readonly SubidEntry[], user: { name: string; uid: number }): SubidEntry[] {
  const byUid = entries.filter((e) => e.owner === String(user.uid));
  return byUid.length > 0 ? byUid : entries.filter((e) => e.owner === user.name);
}

/** Ranges → ID map: the ranges are laid end to end from container ID 0, in the order given (moby's createIDMap). */
export function createIdMap(ranges: readonly { start: number; length: number }[]): IdMap[] {
  const out: IdMap[] = [];
  let containerId = 0;
  for (const r of ranges) {
    out.push({ containerId, hostId: r.start, size: r.length });
    containerId += r.length;
  }
  return out;
}

/** Whether [id, id+65536) meets range r (dockerd's test misses a range lying wholly inside the new one). */
function wouldOverlap(r: { start: number; length: number }, id: number): boolean {
  return r.start < id + DEFAULT_RANGE_LENGTH && id < r.start + r.length;
}

/** Where dockerd puts a new range of 65536: from 100000, past every range of the file (sorted) that it would overlap. */
export function findNextRangeStart(entries: readonly SubidEntry[]): number {
  let start = DEFAULT_RANGE_START;
  for (const r of [...entries].sort((a, b) => a.start - b.start)) {
    if (wouldOverlap(r, start)) start = r.start + r.length;
  }
  return start;
}
