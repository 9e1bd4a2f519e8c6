import { link, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { compressLog } from './open-log.ts';

/**
 * Log rotation with conmon (k8s-file) and Docker's json-file semantics (`max-size`, `max-file`).
 *
 * What conmon does: with `--log-size-max N` it counts the bytes it writes; before a record that would pass N it
 * opens `<log>.tmp` (O_CREAT|O_TRUNC) and renames it over `<log>` (ctr_logging.c reopen_k8s_file). By itself
 * that drops the old file: conmon keeps exactly one.
 *
 * What berth adds, with hard links only (no copying, no daemon on conmon's write path):
 *  - every data file is `<log>.<seq>` (seq increasing); `<log>` is a second name of the newest one;
 *  - `<log>.tmp` is staged in advance as a second name of a new, empty `<log>.<seq+1>`.
 * So conmon's rotation truncates the (empty) staged file and renames it over `<log>`: the old data keeps its
 * `<log>.<seq>` name and the new current file is already numbered. The tracker (an fs.watch on the directory while
 * the container runs) then stages the next `<log>.tmp` and deletes the oldest files beyond `max-file`. Should
 * conmon rotate twice before the tracker reacts (a burst of more than max-size, or the daemon being down), the
 * second rotation creates an unnumbered file, which the tracker numbers when it runs; only a third rotation in
 * that window loses a file. Disk use stays bounded either way.
 *
 * Readers see the data files by seq, each inode once; the staged empty file is not one of them.
 */
export interface LogFile {
  path: string;
  ino: number;
  size: number;
  /**
   * The file's sequence number (its `<log>.<seq>` name): files are ordered by it. Inode numbers are not a lasting
   * identity — a deleted file's inode is soon reused — only while the file is open or known to exist.
   */
  seq?: number;
  /** A gzipped rotation (`<log>.<seq>.gz`, read through openLog). */
  compressed?: boolean;
}

async function statOrUndefined(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const s = await stat(path);
    return { ino: s.ino, size: s.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The `<log>.<seq>` files next to the log, by seq ascending. */
export async function listLinks(logPath: string): Promise<LogFile[]> {
  const dir = dirname(logPath);
  const base = basename(logPath);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: LogFile[] = [];
  const plain = new Set(names);
  for (const n of names) {
    if (!n.startsWith(`${base}.`)) continue;
    const m = /^(\d+)(\.gz)?$/.exec(n.slice(base.length + 1));
    if (!m) continue;
    // mid-compression both exist: the plain file is the one to read
    if (m[2] && plain.has(n.slice(0, -3))) continue;
    const s = await statOrUndefined(`${dir}/${n}`);
    if (s) out.push({ path: `${dir}/${n}`, seq: Number(m[1]), ...s, ...(m[2] ? { compressed: true } : {}) });
  }
  return out.sort((a, b) => a.seq! - b.seq!);
}

interface LogState {
  links: LogFile[];
  current?: { ino: number; size: number };
  staged?: { ino: number; size: number };
}

async function state(logPath: string): Promise<LogState> {
  const [links, current, staged] = await Promise.all([listLinks(logPath), statOrUndefined(logPath), statOrUndefined(`${logPath}.tmp`)]);
  return { links, current, staged };
}

/**
 * Every data file of the log, oldest first, each inode once; the current one last, under the name `<log>` and with
 * the seq of its numbered name (undefined while it has none).
 */
export async function logFiles(logPath: string): Promise<LogFile[]> {
  const { links, current, staged } = await state(logPath);
  const seen = new Set<number>();
  if (staged && staged.ino !== current?.ino) seen.add(staged.ino);
  if (current) seen.add(current.ino);
  const out: LogFile[] = [];
  for (const f of links) {
    if (seen.has(f.ino)) continue;
    seen.add(f.ino);
    out.push(f);
  }
  if (current) out.push({ path: logPath, ...current, seq: links.findLast((l) => l.ino === current.ino)?.seq });
  return out;
}

const nextSeq = (links: LogFile[]) => (links.at(-1)?.seq ?? 0) + 1;

/** Creates an empty `<log>.<seq>` (never an existing one) and returns its path. */
async function createNumbered(logPath: string, links: LogFile[]): Promise<string> {
  for (let seq = nextSeq(links); ; seq++) {
    const path = `${logPath}.${seq}`;
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.close();
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function linkIgnoringExists(target: string, path: string): Promise<boolean> {
  try {
    await link(target, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * One pass of the tracker: number the current file if it has no number, stage `<log>.tmp`, and delete the data
 * files of all but the newest `maxFile`. Idempotent; safe to run at any time, also while conmon writes.
 */
export async function syncLinks(logPath: string, maxFile: number, stage = true): Promise<void> {
  let s = await state(logPath);
  if (s.current && !s.links.some((l) => l.ino === s.current!.ino)) {
    await linkIgnoringExists(logPath, `${logPath}.${nextSeq(s.links)}`);
    s = await state(logPath);
  }
  if (stage && !s.staged) {
    const path = await createNumbered(logPath, s.links);
    // conmon may have created "<log>.tmp" itself meanwhile (mid-rotation): then this empty file is dropped
    if (!(await linkIgnoringExists(path, `${logPath}.tmp`))) await rm(path, { force: true });
    s = await state(logPath);
  }
  const keep = new Set<number>();
  if (s.current) keep.add(s.current.ino);
  if (s.staged) keep.add(s.staged.ino);
  const data = [...s.links].reverse().filter((l) => l.ino !== s.staged?.ino || l.ino === s.current?.ino);
  const kept = new Set<number>();
  for (const l of data) {
    if (kept.size < Math.max(1, maxFile) || kept.has(l.ino)) kept.add(l.ino);
  }
  for (const l of s.links) {
    if (!kept.has(l.ino) && !keep.has(l.ino)) await rm(l.path, { force: true });
  }
}

/**
 * gzips the rotated files (`compress`): those that are neither the current file nor the staged next one. Safe at
 * any time: conmon only ever writes to the current file and renames the staged `.tmp` over it, so a file that is
 * neither now never will be. Kept off syncLinks' path so that staging the next file is never delayed by it.
 */
export async function compressRotated(logPath: string): Promise<void> {
  const { links, current, staged } = await state(logPath);
  for (const l of links) {
    if (l.compressed || l.ino === current?.ino || l.ino === staged?.ino) continue;
    await compressLog(l.path);
  }
}

/** Removes the staged `<log>.tmp` and its empty numbered file (the container stopped: no more rotations). */
export async function unstage(logPath: string): Promise<void> {
  const { links, current, staged } = await state(logPath);
  if (!staged || staged.ino === current?.ino || staged.size > 0) return;
  await rm(`${logPath}.tmp`, { force: true });
  for (const l of links) if (l.ino === staged.ino) await rm(l.path, { force: true });
}

/** Makes `<log>` a new, empty, numbered file; the previous one keeps its number. */
async function startNewFile(logPath: string): Promise<void> {
  const { links } = await state(logPath);
  const path = await createNumbered(logPath, links);
  await rm(`${logPath}.new`, { force: true });
  await link(path, `${logPath}.new`);
  await rename(`${logPath}.new`, logPath);
}

/**
 * Before a conmon starts on this log (creation, restart): number what exists, start a new file if there is none
 * or the current one is full (conmon appends otherwise), and stage `<log>.tmp`. Without rotation (maxSize 0)
 * nothing is done: conmon creates and appends to `<log>` alone.
 */
export async function prepareLog(logPath: string, maxSize: number, maxFile: number, compress = false): Promise<void> {
  if (maxSize <= 0) return;
  const cur = await statOrUndefined(logPath);
  await syncLinks(logPath, maxFile, false);
  if (!cur || cur.size >= maxSize) await startNewFile(logPath);
  await syncLinks(logPath, maxFile);
  if (compress) await compressRotated(logPath);
}

/** Removes the log and all its files. */
export async function removeLog(logPath: string): Promise<void> {
  for (const l of await listLinks(logPath)) await rm(l.path, { force: true });
  for (const l of await listLinks(logPath)) await rm(`${l.path}.gz.tmp`, { force: true });
  for (const p of [logPath, `${logPath}.tmp`, `${logPath}.new`]) await rm(p, { force: true });
}
