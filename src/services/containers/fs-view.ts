import type { Stats } from 'node:fs';
import { chmod, copyFile, lchown, lstat, lutimes, mkdir, readdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { setAttribute } from '@napi-rs/xattr';
import type { Ctx } from '../../common/ctx.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { goDir } from '../../domain/container/archive-paths.ts';
import { OVERLAY_OPAQUE_XATTR } from '../../domain/image/whiteout.ts';
import { isOpaqueDir, isOverlayWhiteout } from '../../drivers/snapshotter/overlayfs/diff-layer.ts';
import { run } from '../../system/exec/exec.ts';

/**
 * A container's filesystem as `docker cp` sees it, addressed by container paths ("/", "/etc/hosts"): the rootfs
 * with the container's mounts over it. Paths given to a view are absolute and clean; the view does not follow
 * symlinks (callers resolve them in the container's scope, see resolveInView).
 */
export interface ViewEntry {
  st: Stats;
  /** The host path that holds the entry (read content, link target and xattrs there). */
  host: string;
}

export interface FsView {
  lookup(p: string): Promise<ViewEntry | undefined>;
  /** Names in the directory `p`. */
  list(p: string): Promise<string[]>;
  /** The host path of the existing entry `p`, where it can be changed in place (copied up in an overlay). */
  materialize(p: string): Promise<string>;
  /**
   * Makes room for a new entry `p` (whose parent exists): removes what is there and returns the host path to
   * create it at; `opaque`: a directory made there must hide what lower layers hold (set with markOpaque).
   */
  prepareCreate(p: string): Promise<{ host: string; opaque: boolean }>;
  markOpaque(host: string): Promise<void>;
  /** Directories whose content is not archived (the pseudo filesystems of a running container). */
  skipContent(p: string): boolean;
}

export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** A real directory tree: a running container's `/proc/<pid>/root`, a volume, a bind source, a single file. */
export class DirView implements FsView {
  readonly #root: string;
  readonly #skip: Set<string>;

  constructor(root: string, skip: Iterable<string> = []) {
    this.#root = root;
    this.#skip = new Set(skip);
  }

  #host(p: string): string {
    return p === '/' ? this.#root : `${this.#root}${p}`;
  }

  async lookup(p: string): Promise<ViewEntry | undefined> {
    const host = this.#host(p);
    // the root itself is followed: /proc/<pid>/root is a link to the container's root
    const st = p === '/' ? await stat(host).catch(() => undefined) : await lstatOrUndefined(host);
    return st && { st, host };
  }

  list(p: string): Promise<string[]> {
    return readdir(this.#host(p));
  }

  async materialize(p: string): Promise<string> {
    return this.#host(p);
  }

  async prepareCreate(p: string): Promise<{ host: string; opaque: boolean }> {
    if (p === '/') throw new InvalidArgumentError('cannot replace a mount point');
    const host = this.#host(p);
    await rm(host, { recursive: true, force: true });
    return { host, opaque: false };
  }

  async markOpaque(): Promise<void> {}

  skipContent(p: string): boolean {
    return this.#skip.has(p);
  }
}

/**
 * A stopped container's rootfs read from its overlay layers without mounting them (upper first, then the image's
 * layers): the top-most layer that has a name wins, whiteouts hide lower entries, opaque directories hide lower
 * directories, a directory merges with the directories of the same name below it. Writes go to the upper layer as
 * overlayfs would make them: parents copied up with their metadata, a replaced directory made opaque.
 */
export class LayerView implements FsView {
  readonly #ctx: Ctx;
  readonly #roots: readonly string[];
  readonly #upper: string;
  /** Directory → the layer dirs it merges (top-most first); null: not a directory. */
  readonly #dirs = new Map<string, string[] | null>();

  constructor(ctx: Ctx, layers: readonly string[]) {
    this.#ctx = ctx;
    this.#roots = layers;
    this.#upper = layers[0]!;
  }

  #at(root: string, p: string): string {
    return p === '/' ? root : `${root}${p}`;
  }

  async #dirRoots(p: string): Promise<string[] | null> {
    if (p === '/') return [...this.#roots];
    const cached = this.#dirs.get(p);
    if (cached !== undefined) return cached;
    const parent = await this.#dirRoots(goDir(p));
    let out: string[] | null = null;
    if (parent) {
      for (const r of parent) {
        const st = await lstatOrUndefined(this.#at(r, p));
        if (!st) continue;
        if (out === null) {
          if (!st.isDirectory()) break;
          out = [r];
        } else if (st.isDirectory()) out.push(r);
        else break;
        if (await isOpaqueDir(this.#at(r, p))) break;
      }
    }
    this.#dirs.set(p, out);
    return out;
  }

  #forget(p: string): void {
    for (const k of this.#dirs.keys()) if (k === p || k.startsWith(`${p}/`)) this.#dirs.delete(k);
  }

  async lookup(p: string): Promise<ViewEntry | undefined> {
    if (p === '/') return { st: await lstat(this.#upper), host: this.#upper };
    const parent = await this.#dirRoots(goDir(p));
    if (!parent) return undefined;
    for (const r of parent) {
      const host = this.#at(r, p);
      const st = await lstatOrUndefined(host);
      if (!st) continue;
      return isOverlayWhiteout(st) ? undefined : { st, host };
    }
    return undefined;
  }

  async list(p: string): Promise<string[]> {
    const roots = await this.#dirRoots(p);
    if (!roots) throw Object.assign(new Error(`not a directory: ${p}`), { code: 'ENOTDIR' });
    const found = new Set<string>();
    const hidden = new Set<string>();
    for (const r of roots) {
      for (const name of await readdir(this.#at(r, p)).catch(() => [] as string[])) {
        if (found.has(name) || hidden.has(name)) continue;
        const st = await lstatOrUndefined(`${this.#at(r, p)}/${name}`);
        if (!st) continue;
        if (isOverlayWhiteout(st)) hidden.add(name);
        else found.add(name);
      }
    }
    return [...found];
  }

  async materialize(p: string): Promise<string> {
    const up = this.#at(this.#upper, p);
    if (p === '/') return up;
    const e = await this.lookup(p);
    if (!e) throw Object.assign(new Error(`no such file or directory: ${p}`), { code: 'ENOENT' });
    if (e.host === up) return up;
    await this.materialize(goDir(p));
    const st = e.st;
    if (st.isDirectory()) await mkdir(up);
    else if (st.isFile()) await copyFile(e.host, up);
    else if (st.isSymbolicLink()) await symlink(await readlink(e.host), up);
    else await run(this.#ctx, 'cp', ['-a', '--', e.host, up]);
    await lchown(up, st.uid, st.gid);
    if (!st.isSymbolicLink()) await chmod(up, st.mode & 0o7777);
    await lutimes(up, st.atime, st.mtime);
    this.#forget(p);
    return up;
  }

  async prepareCreate(p: string): Promise<{ host: string; opaque: boolean }> {
    await this.materialize(goDir(p));
    const host = this.#at(this.#upper, p);
    // a directory made here hides the lower layers only when they hold something at p (as overlayfs decides)
    const before = await this.lookup(p);
    const upper = await lstatOrUndefined(host);
    const opaque = before !== undefined || (upper !== undefined && isOverlayWhiteout(upper));
    await rm(host, { recursive: true, force: true });
    this.#forget(p);
    return { host, opaque };
  }

  async markOpaque(host: string): Promise<void> {
    await setAttribute(host, OVERLAY_OPAQUE_XATTR, 'y');
  }

  skipContent(): boolean {
    return false;
  }
}

export interface ViewMount {
  /** Container path of the mount point. */
  destination: string;
  view: FsView;
}

/** A base view with other views mounted over some of its paths (a stopped container's volumes and binds). */
export class MountedView implements FsView {
  readonly #base: FsView;
  readonly #mounts: ViewMount[];

  constructor(base: FsView, mounts: ViewMount[]) {
    this.#base = base;
    this.#mounts = [...mounts].sort((a, b) => b.destination.length - a.destination.length);
  }

  #route(p: string): { view: FsView; p: string } {
    for (const m of this.#mounts) {
      const d = m.destination;
      if (p === d) return { view: m.view, p: '/' };
      if (p.startsWith(`${d}/`)) return { view: m.view, p: p.slice(d.length) };
    }
    return { view: this.#base, p };
  }

  lookup(p: string): Promise<ViewEntry | undefined> {
    const r = this.#route(p);
    return r.view.lookup(r.p);
  }

  async list(p: string): Promise<string[]> {
    const r = this.#route(p);
    const names = await r.view.list(r.p);
    // mount points the rootfs does not have yet (a container never started)
    for (const m of this.#mounts) {
      if (m.destination === '/' || goDir(m.destination) !== p) continue;
      const name = m.destination.slice(m.destination.lastIndexOf('/') + 1);
      if (!names.includes(name)) names.push(name);
    }
    return names;
  }

  materialize(p: string): Promise<string> {
    const r = this.#route(p);
    return r.view.materialize(r.p);
  }

  prepareCreate(p: string): Promise<{ host: string; opaque: boolean }> {
    const r = this.#route(p);
    return r.view.prepareCreate(r.p);
  }

  markOpaque(host: string): Promise<void> {
    return this.#base.markOpaque(host);
  }

  skipContent(p: string): boolean {
    const r = this.#route(p);
    return r.view.skipContent(r.p);
  }
}

/**
 * Resolves `path` in the view as the container would (moby's FollowSymlinkInScope): symlinks are followed,
 * absolute ones from the container's root, `..` never leaves it; a missing element ends the walk and the rest is
 * kept as is. With followLast false, a symlink in the last element is not followed. Returns a clean absolute path.
 */
export async function resolveInView(view: FsView, path: string, followLast = true): Promise<string> {
  const pending = path.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const seg = pending.shift()!;
    if (seg === '..') {
      done.pop();
      // back in resolved territory: what follows is looked up again
      missing = false;
      continue;
    }
    if (missing || (pending.length === 0 && !followLast)) {
      done.push(seg);
      continue;
    }
    const e = await view.lookup(`/${[...done, seg].join('/')}`);
    if (!e) {
      missing = true;
      done.push(seg);
      continue;
    }
    if (!e.st.isSymbolicLink()) {
      done.push(seg);
      continue;
    }
    if (++links > 255) throw new InvalidArgumentError(`too many links in ${path}`);
    const target = await readlink(e.host);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
  }
  return `/${done.join('/')}`;
}
