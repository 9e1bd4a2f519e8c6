import { Readable } from 'node:stream';
import type { Logger } from '../../common/log.ts';
import { archiveEntryName } from '../../domain/container/archive-paths.ts';
import type { IdPair } from '../../domain/userns/id-map.ts';
import { headerFor, sortNames, TarWriter } from '../../drivers/snapshotter/overlayfs/tar-writer.ts';
import { childPath, type FsView } from './fs-view.ts';

/**
 * How an entry's owner on the host is written into the archive: with `--userns-remap`, the reverse of the
 * remapping (host 100000 → 0), throwing for an ID outside the ranges (moby's IdentityMapping.ToContainer).
 */
export type ArchiveOwners = (host: IdPair) => IdPair;

/**
 * The tar stream of GET /containers/{id}/archive: the resource at `source` (a clean container path, symlinks
 * already resolved as the request asks) with entries named as dockerd names them (archiveEntryName of `absPath`,
 * the path the client asked for). Directories are walked in Go's order; hardlinked files after the first become
 * links; sockets are left out; the content of skipped directories (/proc, /sys of a running container) too.
 * Errors on single entries (a file removed while the walk runs) are logged and skipped, as go-archive does.
 *
 * With `owners` (a remapping daemon), owners are written as the container sees them. An entry whose owner lies
 * outside the remapped ranges is left out with go-archive's "Can't add file … to tar" error in the log, and the
 * walk goes on below it, as go-archive's tarAppender with an IdentityMapping does.
 */
export function archiveView(view: FsView, source: string, absPath: string, log: Logger, owners?: ArchiveOwners): Readable {
  const w = new TarWriter();
  const seen = new Map<string, string>();
  const add = async (p: string, rel: string): Promise<void> => {
    const e = await view.lookup(p);
    if (!e) return;
    const isDir = e.st.isDirectory();
    const name = archiveEntryName(absPath, rel, isDir);
    const raw = await headerFor(name, e.host, e.st);
    if (!raw) return;
    let h: typeof raw | undefined = raw;
    if (owners) {
      try {
        h = { ...raw, ...owners({ uid: raw.uid ?? 0, gid: raw.gid ?? 0 }) };
      } catch (err) {
        log.error(`Can't add file ${e.host} to tar: ${(err as Error).message}`);
        h = undefined;
      }
    }
    if (isDir) {
      if (h) await w.add(h);
      if (view.skipContent(p)) return;
      const names = sortNames(await view.list(p));
      for (const n of names) {
        try {
          await add(childPath(p, n), rel === '.' ? n : `${rel}/${n}`);
        } catch (err) {
          if (w.pack.destroyed) throw err;
          log.debug("can't add file to tar", { path: childPath(p, n), error: (err as Error).message });
        }
      }
    } else if (!h) {
      return;
    } else if (h.type === 'file') {
      const key = `${e.st.dev}:${e.st.ino}`;
      const first = e.st.nlink > 1 ? seen.get(key) : undefined;
      if (first !== undefined) await w.add({ ...h, type: 'link', linkname: first });
      else {
        if (e.st.nlink > 1) seen.set(key, name);
        await w.addFile(h, e.host, e.st.size);
      }
    } else {
      await w.add(h);
    }
  };
  add(source, '.')
    .then(() => w.finalize())
    .catch((err: unknown) => w.destroy(err as Error));
  return Readable.from(w.pack, { objectMode: false });
}
