import { lstat, readdir } from 'node:fs/promises';
import type { Change } from '../contract.ts';
import { isOpaqueDir, isOverlayWhiteout } from './diff-layer.ts';
import { sortNames } from './tar-writer.ts';

/** moby's sameFsTime: equal, or the same second when one side has no sub-second part (tar-extracted files). */
function sameFsTime(a: number, b: number): boolean {
  return a === b || (Math.floor(a / 1000) === Math.floor(b / 1000) && (a % 1000 === 0 || b % 1000 === 0));
}

/**
 * `docker diff`: the changes of an overlay upper dir against its lower dirs, as moby's archive.OverlayChanges — a
 * whiteout or an opaque dir is a deletion, a name absent below is an addition, one present below a modification
 * (except directories with the same size, mode and mtime), and the parent of an added or deleted entry counts as
 * modified. Paths are absolute, in walk order.
 */
export async function overlayChanges(lowerDirs: readonly string[], upperDir: string): Promise<Change[]> {
  const changes: Change[] = [];
  const changedDirs = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    for (const name of sortNames(await readdir(rel === '/' ? upperDir : upperDir + rel))) {
      const path = rel === '/' ? `/${name}` : `${rel}/${name}`;
      const full = upperDir + path;
      const st = await lstat(full);
      let kind: 0 | 1 | 2 | undefined;
      if (isOverlayWhiteout(st) || (st.isDirectory() && (await isOpaqueDir(full)))) kind = 2;
      else {
        kind = 1;
        for (const lower of lowerDirs) {
          const ls = await lstat(lower + path).catch(() => undefined);
          if (!ls) continue;
          if (ls.isDirectory() && st.isDirectory() && ls.size === st.size && ls.mode === st.mode && sameFsTime(ls.mtimeMs, st.mtimeMs)) {
            kind = undefined;
          } else kind = 0;
          break;
        }
      }
      if (kind !== undefined) {
        if (st.isDirectory()) changedDirs.add(path);
        if (kind === 1 || kind === 2) {
          const parent = rel;
          if (parent !== '/' && !changedDirs.has(parent)) {
            changes.push({ Path: parent, Kind: 0 });
            changedDirs.add(parent);
          }
        }
        changes.push({ Path: path, Kind: kind });
      }
      if (st.isDirectory()) await walk(path);
    }
  };
  await walk('/');
  return changes;
}
