import { readFileSync, rmdirSync } from 'node:fs';
import { parseMountinfo } from './leak-scan.ts';

/**
 * Cgroup directories of processes a sandbox killed. Killing a pid namespace leaves the cgroups the OCI runtime
 * made for its containers; the sandbox removes the (now empty) ones it can tie to its own processes.
 */

interface CgroupMount {
  mountPoint: string;
  /** Controllers of a v1 hierarchy (`cpu`, `name=systemd`), or [] for the cgroup2 mount. */
  controllers: string[];
  v2: boolean;
}

export function cgroupMounts(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const m of parseMountinfo(mountinfo)) {
    if (m.fsType === 'cgroup2') out.push({ mountPoint: m.mountPoint, controllers: [], v2: true });
    else if (m.fsType === 'cgroup') {
      const ctl = m.superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro' && !o.startsWith('release_agent') && o !== 'clone_children' && o !== 'noprefix' && o !== 'xattr');
      out.push({ mountPoint: m.mountPoint, controllers: ctl, v2: false });
    }
  }
  return out;
}

/** Parses /proc/<pid>/cgroup into absolute directories under the given mounts. */
export function cgroupDirs(procCgroup: string, mounts: CgroupMount[]): string[] {
  const dirs: string[] = [];
  for (const line of procCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const ctl = m[2]!;
    const path = m[3]!;
    if (path === '/' || path === '') continue;
    const mount =
      ctl === ''
        ? mounts.find((x) => x.v2)
        : mounts.find((x) => !x.v2 && ctl.split(',').every((c) => x.controllers.includes(c)));
    if (mount) dirs.push(mount.mountPoint + path);
  }
  return dirs;
}

/** The cgroup directories of the given pids, minus those the calling process itself lives in (and their parents). */
export function cgroupsOfPids(pids: number[]): string[] {
  const mounts = cgroupMounts();
  const own = new Set(cgroupDirs(readFileSync('/proc/self/cgroup', 'utf8'), mounts));
  const isOwnOrAncestor = (d: string) => [...own].some((o) => o === d || o.startsWith(`${d}/`));
  const found = new Set<string>();
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      continue;
    }
    for (const d of cgroupDirs(text, mounts)) if (!isOwnOrAncestor(d)) found.add(d);
  }
  return [...found];
}

/**
 * Removes empty cgroup directories, deepest first, then their parents whose names contain "berth" (a runtime's
 * `berth/<id>` layout) once those are empty too. Busy or missing ones are left alone. Returns what remained.
 */
export function removeCgroups(dirs: string[], mounts = cgroupMounts()): string[] {
  const roots = new Set(mounts.map((m) => m.mountPoint));
  const todo = new Set(dirs);
  for (const d of dirs) {
    for (let p = d.slice(0, d.lastIndexOf('/')); p && !roots.has(p) && p.startsWith('/sys/fs/cgroup/'); p = p.slice(0, p.lastIndexOf('/'))) {
      if (/berth|^docker$/.test(p.slice(p.lastIndexOf('/') + 1))) todo.add(p);
    }
  }
  const left: string[] = [];
  for (const d of [...todo].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && dirs.includes(d)) left.push(d);
    }
  }
  return left;
}
