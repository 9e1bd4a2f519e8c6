import { Readable } from 'node:stream';
import type { Logger } from '../../common/log.ts';
import { archiveEntryName } from '../../domain/container/archive-paths.ts';
import { headerFor, sortNames, TarWriter } from '../../drivers/snapshotter/overlayfs/tar-writer.ts';
import { childPath, type FsView } from './fs-view.ts';

/**
 * The tar stream of GET /containers/{id}/archive: the resource at `source` (a clean container path, symlinks
 * already resolved as the request asks) with entries named as dockerd names them (archiveEntryName of `absPath`,
 * the path the client asked for). Directories are walked in Go's order; hardlinked files after the first become
 * links; sockets are left out; the content of skipped directories (/proc, /sys of a running container) too.
 * Errors on single entries (a file removed while the walk runs) are logged and skipped, as go-archive does.
 */
export function archiveView(view: FsView, source: string, absPath: string, log: Logger): Readable {
  const w = new TarWriter();
  const seen = new Map<string, string>();
  const add = async (p: string, rel: string): Promise<void> => {
    const e = await view.lookup(p);
    if (!e) return;
    const isDir = e.st.isDirectory();
    const name = archiveEntryName(absPath, rel, isDir);
    const h = await headerFor(name, e.host, e.st);
    if (!h) return;
    if (isDir) {
      await w.add(h);
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
