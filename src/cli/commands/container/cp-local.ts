/**
 * The local half of `berth cp`, as the docker CLI does it with go-archive's copy.go: what the source and the
 * destination are (CopyInfo), a tar of a local resource (TarResource), renaming archive entries so they land
 * under the right name (PrepareArchiveCopy, RebaseArchiveEntries), and unpacking into a local directory
 * (CopyTo: no chown, a directory is never replaced by a file nor the reverse).
 */
import type { Stats } from 'node:fs';
import { chmod, link, lstat, lutimes, mkdir, open, readdir, readlink, realpath, rm, stat, symlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

type TarHeader = Omit<Partial<tar.Header>, 'pax'> & { name: string };
import { cleanEntryName, goBase, goClean, goDir } from '../../../domain/container/archive-paths.ts';

export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

function specifiesCurrentDir(p: string): boolean {
  return goBase(p) === '.';
}

export function assertsDirectory(p: string): boolean {
  return p.endsWith('/') || specifiesCurrentDir(p);
}

/** SplitPathDirEntry: "/a/b/" → ["/a", "b"], "/a/b/." → ["/a/b", "."]. */
export function splitPathDirEntry(p: string): [string, string] {
  let cleaned = goClean(p);
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return [goDir(cleaned), goBase(cleaned)];
}

/** GetRebaseName: keeps the "/." or "/" of `path` on the resolved path; the rebase name when the base changed. */
export function getRebaseName(path: string, resolved: string): [string, string] {
  let r = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(r)) r += '/.';
  if (path.endsWith('/') && !r.endsWith('/')) r += '/';
  return [r, goBase(path) !== goBase(r) ? goBase(path) : ''];
}

/** CopyInfoSourcePath: the local source, its symlinks resolved (the last one only with followLink). */
export async function copyInfoSourcePath(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    [resolved, rebaseName] = getRebaseName(path, await realpath(path));
  } else {
    const i = path.lastIndexOf('/');
    const dir = path.slice(0, i + 1);
    const base = path.slice(i + 1);
    resolved = `${await realpath(dir || '.')}/${base}`;
    if (path.endsWith('/') && goBase(path) !== goBase(resolved)) rebaseName = goBase(path);
  }
  const st = await lstat(resolved);
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

/** CopyInfoDestinationPath: the local destination, following symlinks (at most 10); its parent must exist. */
export async function copyInfoDestinationPath(path: string): Promise<CopyInfo> {
  let p = path;
  let st = await lstat(p).catch((e: NodeJS.ErrnoException) => e);
  for (let n = 0; !(st instanceof Error) && st.isSymbolicLink(); n++) {
    if (n > 10) throw new Error(`too many symlinks in ${path}`);
    let target = await readlink(p);
    if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(p)[0], target);
    p = target;
    st = await lstat(p).catch((e: NodeJS.ErrnoException) => e);
  }
  if (st instanceof Error) {
    if (st.code !== 'ENOENT') throw st;
    const [parent] = splitPathDirEntry(p);
    const ps = await stat(parent);
    if (!ps.isDirectory()) throw new Error('not a directory');
    return { path: p, exists: false, isDir: false, rebaseName: '' };
  }
  return { path: p, exists: true, isDir: st.isDirectory(), rebaseName: '' };
}

/**
 * PrepareArchiveCopy: the directory to unpack into and how to rename the archive's entries so that the source
 * lands at the destination's name. Throws go-archive's errors.
 */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): { dstDir: string; rebase?: [string, string] } {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  let [, srcBase] = splitPathDirEntry(src.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new Error('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new Error('no such directory');
  if (src.rebaseName) srcBase = src.rebaseName;
  return { dstDir, rebase: [srcBase, dstBase] };
}

/** newNameRebaser */
export function nameRebaser(oldBase: string, newBase: string): (name: string) => string {
  const o = oldBase.replace(/\/+$/, '');
  const n = newBase.replace(/\/+$/, '');
  if (o === '') return (name) => (n === '' ? name.replace(/^\/+/, '') : `${n}/${name.replace(/^\/+/, '')}`);
  return (name) => {
    if (!name.startsWith(o)) return name;
    const suffix = name.slice(o.length);
    if (suffix !== '' && !suffix.startsWith('/')) return name;
    return n + suffix;
  };
}

/** RebaseArchiveEntries: the same archive with entry names (and hardlink targets) starting with newBase. */
export function rebaseArchive(src: Readable, oldBase: string, newBase: string): Readable {
  const rebase = nameRebaser(oldBase, newBase);
  const extract = tar.extract();
  const pack = tar.pack();
  const piping = pipeline(src, extract);
  piping.catch(() => {});
  (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const header = { ...h, name: rebase(h.name) };
      if (h.type === 'link' && h.linkname) header.linkname = rebase(h.linkname);
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
        sink.on('error', reject);
        pipeline(entry, sink).catch(reject);
      });
    }
    await piping;
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  const out = new PassThrough();
  pipeline(pack, out).catch(() => {});
  return out;
}

/** Go's tar.FileInfoHeader for a local file (permission and setuid/setgid/sticky bits, numeric owners). */
function headerOf(name: string, st: Stats, linkname?: string): TarHeader {
  const h: TarHeader = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000), size: 0 };
  if (st.isDirectory()) {
    h.type = 'directory';
    if (!name.endsWith('/')) h.name = `${name}/`;
  } else if (st.isSymbolicLink()) {
    h.type = 'symlink';
    h.linkname = linkname;
  } else if (st.isFIFO()) h.type = 'fifo';
  else if (st.isCharacterDevice() || st.isBlockDevice()) {
    h.type = st.isCharacterDevice() ? 'character-device' : 'block-device';
    h.devmajor = Math.floor(st.rdev / 256) & 0xfff;
    h.devminor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
  } else h.type = 'file';
  return h;
}

function addEntry(pack: tar.Pack, h: TarHeader, body?: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry(h, (err) => (err ? reject(err) : resolve()));
    sink.on('error', reject);
    if (body) pipeline(body, sink).catch(reject);
    else (sink as unknown as { end(): void }).end();
  });
}

/**
 * TarResource: a tar of a local file or directory, entries named from its base name (or `rebaseName`); the
 * directory itself is an entry ("d/" or "./"), hardlinked files after the first are links, sockets are left out.
 */
export function tarResource(info: CopyInfo): Readable {
  const [dir, base] = splitPathDirEntry(info.path);
  const prefix = info.rebaseName || base;
  const pack = tar.pack();
  const seen = new Map<string, string>();
  const walk = async (host: string, name: string): Promise<void> => {
    const st = await lstat(host);
    if (st.isSocket()) return;
    const h = headerOf(name, st, st.isSymbolicLink() ? await readlink(host) : undefined);
    if (st.isFile() && st.nlink > 1) {
      const first = seen.get(`${st.dev}:${st.ino}`);
      if (first !== undefined) {
        await addEntry(pack, { ...h, type: 'link', linkname: first, size: 0 });
        return;
      }
      seen.set(`${st.dev}:${st.ino}`, name);
    }
    if (st.isFile()) {
      const fh = await open(host, 'r');
      try {
        await addEntry(pack, { ...h, size: st.size }, fh.createReadStream({ start: 0, end: Math.max(st.size - 1, 0), autoClose: false }));
      } finally {
        await fh.close();
      }
      return;
    }
    await addEntry(pack, h);
    if (!st.isDirectory()) return;
    const names = (await readdir(host)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const n of names) await walk(`${host}/${n}`, `${name.replace(/\/$/, '')}/${n}`);
  };
  const root = base === '.' ? dir : `${dir === '/' ? '' : dir}/${base}`;
  walk(root, prefix)
    .then(() => pack.finalize())
    .catch((err: Error) => pack.destroy(err));
  const out = new PassThrough();
  pipeline(pack, out).catch(() => {});
  return out;
}

/**
 * Untar as CopyTo calls it: into the existing directory `dest`, without chown, refusing to replace a directory
 * with a non-directory or the reverse; parents made 0755; an entry never goes through a symlink.
 */
export async function untarLocal(src: Readable, dest: string): Promise<void> {
  const extract = tar.extract();
  const piping = pipeline(src, extract);
  piping.catch(() => {});
  const dirTimes: [string, Date][] = [];
  for await (const entry of extract) {
    const h = entry.header;
    const rel = cleanEntryName(h.name);
    if (rel === undefined || (h.type as string) === 'pax-global-header') {
      entry.resume();
      continue;
    }
    const host = `${dest}/${rel}`;
    await ensureParents(dest, rel);
    const existing = await lstat(host).catch(() => undefined);
    const isDir = h.type === 'directory';
    if (existing) {
      if (existing.isDirectory() && !isDir) throw new Error(`cannot overwrite directory "${rel}" with non-directory "${dest}"`);
      if (!existing.isDirectory() && isDir) throw new Error(`cannot overwrite non-directory "${rel}" with directory "${dest}"`);
      if (!isDir) await rm(host, { recursive: true, force: true });
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    const mtime = h.mtime ?? new Date();
    switch (h.type) {
      case 'directory':
        if (!existing) await mkdir(host, { mode: mode & 0o777 });
        await chmod(host, mode);
        dirTimes.push([host, mtime]);
        break;
      case 'symlink':
        await symlink(h.linkname ?? '', host);
        await lutimes(host, mtime, mtime);
        break;
      case 'link': {
        const target = cleanEntryName(h.linkname ?? '');
        if (target === undefined) throw new Error(`invalid hardlink target ${h.linkname}`);
        await link(`${dest}/${target}`, host);
        break;
      }
      case 'file':
      case 'contiguous-file':
      case null:
      case undefined: {
        const fh = await open(host, 'wx', mode & 0o777);
        try {
          for await (const chunk of entry) await fh.write(chunk as Buffer);
        } finally {
          await fh.close();
        }
        await chmod(host, mode);
        await lutimes(host, mtime, mtime);
        break;
      }
      default:
        // devices and fifos need root and mknod: left out, as an unprivileged docker CLI would fail on them
        break;
    }
    entry.resume();
  }
  await piping;
  for (const [d, t] of dirTimes.reverse()) await lutimes(d, t, t).catch(() => {});
}

/** Makes the parents of `rel` below `dest` (0755), refusing to go through a symlink. */
async function ensureParents(dest: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  let cur = dest;
  for (const p of parts) {
    cur = `${cur}/${p}`;
    const st = await lstat(cur).catch(() => undefined);
    if (!st) await mkdir(cur, { mode: 0o755 });
    else if (!st.isDirectory()) throw new Error(`invalid entry name "${rel}": "${cur}" is not a directory`);
  }
}
