import { lstat, readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { getAttribute } from '@napi-rs/xattr';
import type { Logger } from '../../../common/log.ts';
import { OVERLAY_OPAQUE_XATTR, opaqueMarkerFor, whiteoutFor } from '../../../domain/image/whiteout.ts';
import { headerFor, mapOwner, type OwnerMap, sortNames, TarWriter } from './tar-writer.ts';

/** True for an overlay whiteout: a character device 0/0. */
export function isOverlayWhiteout(st: { isCharacterDevice(): boolean; rdev: number }): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

export async function isOpaqueDir(path: string): Promise<boolean> {
  const v = await getAttribute(path, OVERLAY_OPAQUE_XATTR).catch(() => null);
  return v !== null && v.length === 1 && v[0] === 0x79;
}

/**
 * An overlay upper (or layer diff) dir as an OCI layer tar: overlay whiteouts become `.wh.<name>` files and opaque
 * dirs get a `.wh..wh..opq` entry, as moby's overlay WhiteoutFormat. Hardlinks inside the dir are kept as links.
 * The root itself is not an entry. With `owners` (a remapping daemon), owners are written as the container sees
 * them; whiteouts, which the kernel creates as the host's root, say root.
 */
export function diffLayer(upperDir: string, log: Logger, owners?: OwnerMap): Readable {
  const w = new TarWriter();
  const seen = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    const dir = rel ? `${upperDir}/${rel}` : upperDir;
    for (const name of sortNames(await readdir(dir))) {
      const r = rel ? `${rel}/${name}` : name;
      const p = `${upperDir}/${r}`;
      const st = await lstat(p);
      if (isOverlayWhiteout(st)) {
        const owner = owners ? { uid: 0, gid: 0 } : { uid: st.uid, gid: st.gid };
        await w.add({ name: whiteoutFor(r), type: 'file', mode: 0o100000 | (st.mode & 0o777), ...owner, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000) });
        continue;
      }
      const raw = await headerFor(r, p, st);
      if (!raw) {
        log.debug('skipping socket in layer diff', { path: r });
        continue;
      }
      const h = mapOwner(raw, owners);
      if (h.type === 'directory') {
        await w.add(h);
        if (await isOpaqueDir(p)) await w.add({ name: opaqueMarkerFor(r), type: 'file', mode: 0o100000 | (st.mode & 0o777), uid: h.uid, gid: h.gid, mtime: h.mtime });
        await walk(r);
      } else if (h.type === 'file') {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(key) : undefined;
        if (first !== undefined) {
          await w.add({ ...h, type: 'link', linkname: first });
        } else {
          if (st.nlink > 1) seen.set(key, r);
          await w.addFile(h, p, st.size);
        }
      } else {
        await w.add(h);
      }
    }
  };
  walk('')
    .then(() => w.finalize())
    .catch((err: unknown) => w.destroy(err as Error));
  return Readable.from(w.pack, { objectMode: false });
}
