import { chmod, copyFile, lchown, link, lutimes, mkdir, open, symlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setAttribute } from '@napi-rs/xattr';
import tar from 'tar-stream';
import type { Ctx } from '../../common/ctx.ts';
import { BerthError, InvalidArgumentError, SystemError } from '../../common/errors.ts';
import { cleanEntryName, goBase, goDir } from '../../domain/container/archive-paths.ts';
import { type IdentityMapping, type IdPair, isEmptyMapping, pairToHost, rootPair } from '../../domain/userns/id-map.ts';
import { decompress } from '../../drivers/snapshotter/compression.ts';
import { ownerOf, type TarHeader } from '../../drivers/snapshotter/overlayfs/tar-writer.ts';
import { run } from '../../system/exec/exec.ts';
import { childPath, type FsView, resolveInView } from './fs-view.ts';

export interface ExtractOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (the docker CLI always asks for it). */
  noOverwriteDirNonDir: boolean;
  /** Owner (host IDs) of every extracted entry (copyUIDGID with a container user); else the archive's owners. */
  chown?: IdPair;
  /**
   * The daemon's `--userns-remap` mapping: the archive's owners are container IDs, written shifted into the
   * remapped range (an ID outside it fails the extraction, as go-archive's remapIDs), and parents the archive
   * does not list belong to the container's root.
   */
  idMapping?: IdentityMapping;
}

const XATTR = 'SCHILY.xattr.';

function joinPath(dir: string, rel: string): string {
  return rel === '' || rel === '.' ? dir : childPath(dir, rel);
}

/**
 * PUT /containers/{id}/archive: unpacks a tar (plain, gzip, zstd, xz or bzip2) into the directory `dest` (a
 * resolved container path) as go-archive's Unpack does: an existing directory merges with a directory entry,
 * anything else at an entry's path is replaced; missing parents are made (0755, the container's root); owners
 * (shifted with `--userns-remap`), modes (setuid
 * too), xattrs and mtimes are kept (directory mtimes last); hardlinks are made within the container. Entry paths
 * never leave the container: their parents are resolved in its scope, names with ".." are refused.
 */
export async function extractToView(ctx: Ctx, view: FsView, dest: string, input: Readable, o: ExtractOptions): Promise<void> {
  const { stream } = await decompress(input);
  const extract = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  const piping = pipeline(stream, extract);
  piping.catch(() => {});
  const x = new Extractor(ctx, view, dest, o);
  try {
    for await (const entry of extract) {
      await x.entry(entry.header as TarHeader, entry as unknown as AsyncIterable<Buffer>);
      entry.resume();
    }
    await piping;
    await x.finish();
  } catch (err) {
    extract.destroy();
    input.destroy();
    const code = (err as NodeJS.ErrnoException).code;
    if (!(err instanceof BerthError) && (code === undefined || code.startsWith('Z_'))) {
      throw new InvalidArgumentError((err as Error).message, { cause: err });
    }
    throw err;
  }
}

class Extractor {
  readonly #ctx: Ctx;
  readonly #view: FsView;
  readonly #dest: string;
  readonly #o: ExtractOptions;
  /** Parent (relative to dest) → its resolved container path. */
  readonly #parents = new Map<string, string>();
  readonly #dirTimes: { host: string; mtime: Date }[] = [];
  readonly #ids: IdentityMapping | undefined;
  /** Owner of the parents the extraction makes: the container's root on the host. */
  readonly #root: IdPair;

  constructor(ctx: Ctx, view: FsView, dest: string, o: ExtractOptions) {
    this.#ctx = ctx;
    this.#view = view;
    this.#dest = dest;
    this.#o = o;
    this.#ids = isEmptyMapping(o.idMapping) ? undefined : o.idMapping;
    this.#root = rootPair(this.#ids);
  }

  /**
   * An entry's owner on the host: `chown`, else the archive's, shifted by the remapping. An ID outside the ranges
   * is a server error with moby's words ("Container ID 70000 cannot be mapped to a host ID").
   */
  #owner(h: TarHeader): IdPair {
    if (this.#o.chown) return this.#o.chown;
    const p = ownerOf(h);
    if (!this.#ids) return p;
    try {
      return pairToHost(this.#ids, p);
    } catch (err) {
      throw new SystemError((err as Error).message, { cause: err });
    }
  }

  /** The container path of an entry's parent, made (0755) if missing. */
  async #parent(rel: string): Promise<string> {
    const dir = goDir(rel);
    const cached = this.#parents.get(dir);
    if (cached) return cached;
    const resolved = await resolveInView(this.#view, joinPath(this.#dest, dir));
    await this.#mkdirAll(resolved);
    this.#parents.set(dir, resolved);
    return resolved;
  }

  async #mkdirAll(p: string): Promise<void> {
    if (p === '/') return;
    const e = await this.#view.lookup(p);
    if (e) {
      if (!e.st.isDirectory()) throw Object.assign(new Error(`mkdir ${p}: not a directory`), { code: 'ENOTDIR' });
      return;
    }
    await this.#mkdirAll(goDir(p));
    const { host, opaque } = await this.#view.prepareCreate(p);
    await mkdir(host, { mode: 0o755 });
    if (opaque) await this.#view.markOpaque(host);
    await lchown(host, this.#root.uid, this.#root.gid);
  }

  async entry(h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    if ((h.type as string) === 'pax-global-header') return;
    let rel: string | undefined;
    try {
      rel = cleanEntryName(h.name);
    } catch (err) {
      throw new InvalidArgumentError(`invalid entry name ${JSON.stringify(h.name)}: breakout of ${this.#dest}`, { cause: err });
    }
    if (rel === undefined) return;
    // before anything is changed for the entry: an owner the remapping cannot hold stops the extraction
    const owner = this.#owner(h);
    const parent = await this.#parent(rel);
    const p = childPath(parent, goBase(rel));
    const isDir = h.type === 'directory';
    const existing = await this.#view.lookup(p);
    if (existing && this.#o.noOverwriteDirNonDir) {
      if (existing.st.isDirectory() && !isDir) throw new InvalidArgumentError(`cannot overwrite directory "${rel}" with non-directory "${this.#dest}"`);
      if (!existing.st.isDirectory() && isDir) throw new InvalidArgumentError(`cannot overwrite non-directory "${rel}" with directory "${this.#dest}"`);
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    let host: string;
    if (isDir && existing?.st.isDirectory()) {
      host = await this.#view.materialize(p);
    } else if (h.type === 'link') {
      host = await this.#hardlink(h, p);
    } else {
      const made = await this.#view.prepareCreate(p);
      host = made.host;
      switch (h.type) {
        case 'directory':
          await mkdir(host, { mode: mode & 0o777 });
          if (made.opaque) await this.#view.markOpaque(host);
          break;
        case 'symlink':
          await symlink(h.linkname ?? '', host);
          break;
        case 'character-device':
        case 'block-device':
        case 'fifo': {
          const args = h.type === 'fifo' ? [host, 'p'] : [host, h.type === 'block-device' ? 'b' : 'c', String(h.devmajor ?? 0), String(h.devminor ?? 0)];
          await run(this.#ctx, 'mknod', ['-m', (mode & 0o777).toString(8), ...args]);
          break;
        }
        case 'file':
        case 'contiguous-file':
        case null:
        case undefined: {
          const fh = await open(host, 'wx', mode & 0o777);
          try {
            for await (const chunk of body) await fh.write(chunk);
          } finally {
            await fh.close();
          }
          break;
        }
        default:
          throw new InvalidArgumentError(`unhandled tar header type ${String(h.type)}`);
      }
    }
    if (h.type === 'link') return;
    await this.#meta(host, h, mode, owner);
  }

  async #hardlink(h: TarHeader, p: string): Promise<string> {
    let targetRel: string | undefined;
    try {
      targetRel = cleanEntryName(h.linkname ?? '');
    } catch (err) {
      throw new InvalidArgumentError(`invalid hardlink target ${JSON.stringify(h.linkname)}: breakout of ${this.#dest}`, { cause: err });
    }
    if (targetRel === undefined) throw new InvalidArgumentError(`invalid hardlink target ${JSON.stringify(h.linkname)}`);
    const target = childPath(await this.#parent(targetRel), goBase(targetRel));
    const e = await this.#view.lookup(target);
    if (!e || e.st.isDirectory()) throw new InvalidArgumentError(`invalid hardlink "${h.name}" to missing or invalid target "${h.linkname}"`);
    const targetHost = await this.#view.materialize(target);
    const { host } = await this.#view.prepareCreate(p);
    try {
      await link(targetHost, host);
    } catch (err) {
      // the target is on another mount (a volume): a copy is the best a link across file systems can be
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(targetHost, host);
      await this.#meta(host, h, e.st.mode & 0o7777, { uid: e.st.uid, gid: e.st.gid }, e.st.mtime);
    }
    return host;
  }

  async #meta(host: string, h: TarHeader, mode: number, owner: IdPair, mtime = h.mtime ?? new Date(0)): Promise<void> {
    await lchown(host, owner.uid, owner.gid);
    for (const [k, v] of Object.entries(h.pax ?? {})) {
      if (!k.startsWith(XATTR)) continue;
      try {
        await setAttribute(host, k.slice(XATTR.length), v);
      } catch (err) {
        this.#ctx.log.warn('ignored xattr in archive', { path: host, xattr: k.slice(XATTR.length), error: (err as Error).message });
      }
    }
    if (h.type === 'symlink') {
      await lutimes(host, mtime, mtime);
      return;
    }
    await chmod(host, mode);
    if (h.type === 'directory') this.#dirTimes.push({ host, mtime });
    else await lutimes(host, mtime, mtime);
  }

  async finish(): Promise<void> {
    for (const d of this.#dirTimes.reverse()) await lutimes(d.host, d.mtime, d.mtime).catch(() => {});
  }
}
