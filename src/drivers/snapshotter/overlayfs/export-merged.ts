import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Logger } from '../../../common/log.ts';
import { isOpaqueDir, isOverlayWhiteout } from './diff-layer.ts';
import { headerFor, mapOwner, type OwnerMap, sortNames, TarWriter } from './tar-writer.ts';

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/**
 * The merged view of overlay layers (top-most first: upper, then lowers) as one tar, without mounting: the top-most
 * layer that has a name wins, whiteouts hide lower entries, opaque dirs hide everything below them, and a directory
 * merges with the directories of the same name below it (stopping at a non-directory). With `owners` (a
 * remapping daemon), owners are written as the container sees them.
 */
export function exportMerged(layers: readonly string[], log: Logger, owners?: OwnerMap): Readable {
  const w = new TarWriter();
  const seen = new Map<string, string>();
  const walk = async (rel: string, roots: readonly string[]): Promise<void> => {
    const found = new Map<string, { i: number; st: Stats }>();
    const hidden = new Set<string>();
    for (let i = 0; i < roots.length; i++) {
      const dir = rel ? `${roots[i]}/${rel}` : roots[i]!;
      for (const name of await names(dir)) {
        if (found.has(name) || hidden.has(name)) continue;
        const st = await lstat(`${dir}/${name}`);
        if (isOverlayWhiteout(st)) hidden.add(name);
        else found.set(name, { i, st });
      }
      if (await isOpaqueDir(dir)) break;
    }
    for (const name of sortNames([...found.keys()])) {
      const { i, st } = found.get(name)!;
      const r = rel ? `${rel}/${name}` : name;
      const p = `${roots[i]}/${r}`;
      const raw = await headerFor(r, p, st);
      if (!raw) {
        log.debug('skipping socket in export', { path: r });
        continue;
      }
      const h = mapOwner(raw, owners);
      if (h.type === 'directory') {
        await w.add(h);
        const below: string[] = [roots[i]!];
        for (let j = i + 1; j < roots.length; j++) {
          const s = await lstat(`${roots[j]}/${r}`).catch(() => undefined);
          if (!s) continue;
          if (!s.isDirectory()) break;
          below.push(roots[j]!);
        }
        await walk(r, below);
      } else if (h.type === 'file') {
        const key = `${roots[i]}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(key) : undefined;
        if (first !== undefined) await w.add({ ...h, type: 'link', linkname: first });
        else {
          if (st.nlink > 1) seen.set(key, r);
          await w.addFile(h, p, st.size);
        }
      } else {
        await w.add(h);
      }
    }
  };
  walk('', layers)
    .then(() => w.finalize())
    .catch((err: unknown) => w.destroy(err as Error));
  return Readable.from(w.pack, { objectMode: false });
}
