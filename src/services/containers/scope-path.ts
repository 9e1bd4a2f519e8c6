import { lstat, readFile, readlink, realpath } from 'node:fs/promises';
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
    let st: Awaited<ReturnType<typeof lstat>>;
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

/** The mount (from /proc/self/mountinfo) that holds `path`, with its propagation fields (shared:N, master:N). */
export async function mountOf(path: string): Promise<{ mountPoint: string; optional: string[] } | undefined> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  let best: { mountPoint: string; optional: string[] } | undefined;
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 7) continue;
    const mp = f[4]!.replace(/\\040/g, ' ');
    const sep = f.indexOf('-', 6);
    if (path !== mp && !path.startsWith(mp === '/' ? '/' : `${mp}/`)) continue;
    // a later line for the same mount point is mounted over the earlier one
    if (!best || mp.length >= best.mountPoint.length) best = { mountPoint: mp, optional: f.slice(6, sep < 0 ? 6 : sep) };
  }
  return best;
}

/**
 * dockerd's ensureShared / ensureSharedOrSlave: a bind with shared (or slave) propagation needs a source on a
 * shared (or shared or slave) mount. Throws dockerd's message otherwise.
 */
export async function ensurePropagation(source: string, propagation: string): Promise<void> {
  const shared = /^r?shared$/.test(propagation);
  const slave = /^r?slave$/.test(propagation);
  if (!shared && !slave) return;
  const real = await realpath(source).catch(() => source);
  const m = await mountOf(real);
  if (!m) return;
  const isShared = m.optional.some((o) => o.startsWith('shared:'));
  const isSlave = m.optional.some((o) => o.startsWith('master:'));
  if (shared && !isShared) throw new Error(`path ${source} is mounted on ${m.mountPoint} but it is not a shared mount`);
  if (slave && !isShared && !isSlave) throw new Error(`path ${source} is mounted on ${m.mountPoint} but it is not a shared or slave mount`);
}
