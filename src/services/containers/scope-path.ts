import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Resolves `path` inside `root` the way the container would see it: symlinks are followed, absolute ones
 * relative to `root`, and `..` never leaves `root` (moby's FollowSymlinkInScope / securejoin). A missing
 * component ends the walk: the rest is appended as is. Returns a host path under `root`.
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  const pending = path.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const seg = pending.shift()!;
    if (seg === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, seg);
    let st;
    try {
      st = await lstat(host);
    } catch {
      done.push(seg, ...pending.filter((s) => s !== '..'));
      break;
    }
    if (!st.isSymbolicLink()) {
      done.push(seg);
      continue;
    }
    if (++links > 255) throw new Error(`too many links in ${path}`);
    const target = await readlink(host);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
  }
  return join(root, ...done);
}
