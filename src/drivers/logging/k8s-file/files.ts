import { link, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { writeCut, unfinishedStreams } from './cut.ts';
import { compressLog } from './open-log.ts';

/**
 * Log files with conmon (k8s-file) and Docker's json-file semantics (`max-size`, `max-file`).
 *
 * What conmon does when it reopens its log (asked through its ctl FIFO, or by itself past `--log-size-max`): it
 * opens `<log>.tmp` (O_CREAT|O_TRUNC) and renames it over `<log>` (ctr_logging.c reopen_k8s_file). By itself that
 * drops the old file: conmon keeps exactly one.
 *
 * What berth adds, with hard links only (no copying, no daemon on conmon's write path):
 *  - every data file is `<log>.<seq>` (seq increasing); `<log>` is a second name of the newest one;
 *  - `<log>.tmp` is staged in advance as a second name of a new, empty `<log>.<seq+1>`.
 * So a reopen truncates the (empty) staged file and renames it over `<log>`: the old data keeps its `<log>.<seq>`
 * name and the new current file is already numbered. The rotator (rotator.ts) asks for a reopen only when both
 * hold (the current file has its number, the next one is staged), and once per rotation, so no file is ever
 * replaced before it has a name of its own. conmon's own `--log-size-max` is only a backstop far above max-size
 * (for while no daemon watches); a reopen that finds nothing staged creates an unnumbered file, which the next
 * pass numbers.
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
  /** The file conmon writes to (`<log>`) when listed. */
  current?: boolean;
}

/** How much of a listed file a snapshot read takes: its size when listed (a gzipped rotation is read whole). */
export function snapshotSize(f: LogFile): number | undefined {
  return f.compressed ? undefined : f.size;
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
 * Every data file of the log, oldest first, each inode once; the current one last (`current`), with the seq of
 * its numbered name and that name as its path: `<log>` itself may name a newer file by the time it is opened (a
 * rotation since the listing), and reading that one instead would skip this one's lines. An unnumbered current
 * file has `<log>` as its path.
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
  if (current) {
    const own = links.findLast((l) => l.ino === current.ino && !l.compressed);
    out.push({ path: own?.path ?? logPath, ...current, seq: own?.seq, current: true });
  }
  return out;
}

const nextSeq = (links: LogFile[]) => (links.at(-1)?.seq ?? 0) + 1;

/** Creates an empty `<log>.<seq>` with seq ≥ from (never an existing one) and returns its path. */
async function createNumbered(logPath: string, from: number): Promise<string> {
  for (let seq = from; ; seq++) {
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
 * Stages `<log>.tmp` as a second name of a new, empty `<log>.<seq>` (seq ≥ from, above every number in use),
 * unless `<log>.tmp` exists. The one step a rotation needs before the next one can be asked for; the rest of a
 * pass (numbering, pruning) can come after. Returns the seq used, or undefined when nothing was staged.
 */
export async function stageNext(logPath: string, from: number): Promise<number | undefined> {
  if (await statOrUndefined(`${logPath}.tmp`)) return undefined;
  const path = await createNumbered(logPath, from);
  // conmon may have created "<log>.tmp" itself meanwhile (mid-rotation): then this empty file is dropped
  if (!(await linkIgnoringExists(path, `${logPath}.tmp`))) {
    await rm(path, { force: true });
    return undefined;
  }
  return Number(path.slice(logPath.length + 1));
}

/**
 * Gives the unnumbered current file (made by a reopen that found nothing staged) its number. Its data is newer
 * than every numbered file's but the staged one's, which is still empty (the staged file only gets data once a
 * reopen made it current, and that reopen would have replaced this one): so when the staged file holds the
 * highest number, it moves up one and the current file takes its number. Only numbered names move; `<log>.tmp`,
 * the name conmon opens, is never touched while conmon may reopen.
 */
async function numberCurrent(logPath: string, s: LogState): Promise<void> {
  const staged = s.staged && s.staged.ino !== s.current?.ino ? s.links.find((l) => l.ino === s.staged!.ino) : undefined;
  if (!staged || staged !== s.links.at(-1)) {
    await linkIgnoringExists(logPath, `${logPath}.${nextSeq(s.links)}`);
    return;
  }
  if (!(await linkIgnoringExists(staged.path, `${logPath}.${staged.seq! + 1}`))) return;
  await rm(staged.path, { force: true });
  await linkIgnoringExists(logPath, staged.path);
}

/**
 * One pass of the tracker: number the current file if it has no number, stage `<log>.tmp`, and delete the data
 * files of all but the newest `maxFile`. Idempotent; safe to run at any time, also while conmon writes. Returns
 * the highest seq in use.
 */
export async function syncLinks(logPath: string, maxFile: number, stage = true): Promise<number> {
  let s = await state(logPath);
  if (s.current && !s.links.some((l) => l.ino === s.current!.ino)) {
    await numberCurrent(logPath, s);
    s = await state(logPath);
  }
  if (stage && !s.staged) {
    await stageNext(logPath, nextSeq(s.links));
    s = await state(logPath);
  }
  const keep = new Set<number>();
  if (s.current) keep.add(s.current.ino);
  if (s.staged) keep.add(s.staged.ino);
  const curSeq = s.links.find((l) => l.ino === s.current?.ino)?.seq;
  // the data files: up to the current one (a file numbered above it is staged, or being staged right now)
  const isData = (l: LogFile) => (curSeq !== undefined ? l.seq! <= curSeq : l.ino !== s.staged?.ino);
  const data = s.links.filter(isData).reverse();
  const kept = new Set<number>();
  for (const l of data) {
    if (kept.size < Math.max(1, maxFile) || kept.has(l.ino)) kept.add(l.ino);
  }
  const doomed = s.links.filter((l) => isData(l) && !kept.has(l.ino) && !keep.has(l.ino));
  if (doomed.length > 0) {
    // the last file to go may end with the first pieces of a line that the oldest kept one finishes
    const oldest = data.findLast((l) => kept.has(l.ino));
    if (oldest) await writeCut(logPath, oldest.seq!, await unfinishedStreams(doomed.at(-1)!.path));
  }
  for (const l of doomed) await rm(l.path, { force: true });
  return s.links.at(-1)?.seq ?? 0;
}

/**
 * gzips the rotated files (`compress`): those numbered below the current file. Safe at any time, also while a
 * pass stages the next file: conmon only ever writes to the current file, and a file below it (created before it)
 * was current before and is done; the staged file, even one caught between its creation and its `.tmp` link, is
 * numbered above. With an unnumbered current file nothing is compressed until a pass numbers it. Kept off
 * syncLinks' path so that staging the next file is never delayed by it.
 */
export async function compressRotated(logPath: string): Promise<void> {
  const { links, current, staged } = await state(logPath);
  const below = links.find((l) => l.ino === current?.ino)?.seq;
  if (below === undefined) return;
  for (const l of links) {
    if (l.compressed || l.seq! >= below || l.ino === staged?.ino) continue;
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

/**
 * Makes `<log>` a new, empty, numbered file; the previous one keeps its number. No conmon runs: a staged file is
 * taken the way conmon's reopen would take it (it has the next number), else a new one is made.
 */
async function startNewFile(logPath: string): Promise<void> {
  const { links, staged, current } = await state(logPath);
  if (staged && staged.size === 0 && staged.ino !== current?.ino && links.some((l) => l.ino === staged.ino)) {
    await rename(`${logPath}.tmp`, logPath);
    return;
  }
  const path = await createNumbered(logPath, nextSeq(links));
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
  for (const p of [logPath, `${logPath}.tmp`, `${logPath}.new`, `${logPath}.cut`]) await rm(p, { force: true });
}
