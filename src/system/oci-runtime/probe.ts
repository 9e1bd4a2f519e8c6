import { mkdir, readdir, readFile, readlink, stat, statfs } from 'node:fs/promises';
import type { Ctx } from '../../common/ctx.ts';
import { errorMessage } from '../../common/errors.ts';
import { run } from '../exec/exec.ts';
import { OciRuntimeCli } from './cli.ts';

const CGROUP2_MAGIC = 0x63677270;
const TMPFS_MAGIC = 0x01021994;

export type CgroupLayout = 'v2' | 'v1' | 'hybrid' | 'none';

export interface RuntimeInfo {
  name: string;
  path: string;
  usable: boolean;
  version?: string;
  /** Why the runtime cannot be used here. */
  reason?: string;
}

export interface ProbeResult {
  cgroup: CgroupLayout;
  /** Controllers still enabled in the v2 hierarchy of a hybrid host (crun refuses to run while any is). */
  v2Controllers: string[];
  /** True when this probe bound hugetlb to a v1 hierarchy (mounted at `hugetlbMountDir`). */
  hugetlbFixed: boolean;
  runtimes: RuntimeInfo[];
  /** The preferred usable runtime's name (crun, else runc), undefined if none works. */
  preferred?: string;
  /** This process's RLIMIT_NOFILE hard limit: containers cannot get more without CAP_SYS_RESOURCE. */
  nofileHardLimit?: number;
  /** Paths dockerd masks that depend on the host: each CPU's thermal_throttle dir (SpecOptions.hostMaskedPaths). */
  hostMaskedPaths: string[];
}

export interface ProbeOptions {
  /** name → path; default crun (/usr/bin/crun) then runc (/usr/sbin/runc). */
  runtimes?: Record<string, string>;
  /** Where to mount the hugetlb v1 hierarchy on a hybrid host (inside the daemon's private mount namespace). */
  hugetlbMountDir?: string;
  /** Apply the hugetlb fix when needed and safe (default true). */
  fixHybrid?: boolean;
  /**
   * The caller knows it runs in a private mount namespace (e.g. its launcher ran `unshare -m --propagation
   * private`); skips the detection, which needs to read another process's /proc/<pid>/ns/mnt.
   */
  privateMountNamespace?: boolean;
  /** The cgroup mount point (tests only). */
  cgroupRoot?: string;
}

export const DEFAULT_RUNTIMES: Readonly<Record<string, string>> = { crun: '/usr/bin/crun', runc: '/usr/sbin/runc' };

async function fsType(path: string): Promise<number | undefined> {
  try {
    return Number((await statfs(path)).type);
  } catch {
    return undefined;
  }
}

async function v2Controllers(unified: string): Promise<string[]> {
  try {
    return (await readFile(`${unified}/cgroup.controllers`, 'utf8')).split(/\s+/).filter((c) => c !== '');
  } catch {
    return [];
  }
}

export async function cgroupLayout(root = '/sys/fs/cgroup'): Promise<{ layout: CgroupLayout; v2Controllers: string[] }> {
  const t = await fsType(root);
  if (t === CGROUP2_MAGIC) return { layout: 'v2', v2Controllers: await v2Controllers(root) };
  if (t !== TMPFS_MAGIC) return { layout: 'none', v2Controllers: [] };
  if ((await fsType(`${root}/unified`)) === CGROUP2_MAGIC) {
    return { layout: 'hybrid', v2Controllers: await v2Controllers(`${root}/unified`) };
  }
  return { layout: 'v1', v2Controllers: [] };
}

async function mountNs(pid: number | 'self'): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

async function parentPid(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …"; comm may contain spaces and parentheses
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** True when pid 1, or else one of our ancestors (the daemon is started by `unshare -m …`), has another mount ns. */
async function ownMountNamespace(): Promise<boolean> {
  const self = await mountNs('self');
  if (!self) return false;
  const init = await mountNs(1);
  if (init) return init !== self;
  let pid = process.ppid;
  for (let i = 0; i < 64 && pid > 1; i++) {
    const ns = await mountNs(pid);
    if (ns && ns !== self) return true;
    const next = await parentPid(pid);
    if (next === undefined) break;
    pid = next;
  }
  return false;
}

/**
 * True when mounts made here stay here: this process runs in a mount namespace of its own (not pid 1's), and the
 * mount that holds `dir` does not propagate to a peer group (no "shared:N" in /proc/self/mountinfo).
 */
export async function inPrivateMountNamespace(dir: string): Promise<boolean> {
  if (!(await ownMountNamespace())) return false;
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  let best: { point: string; shared: boolean } | undefined;
  for (const line of info.split('\n')) {
    const f = line.split(' ');
    const point = f[4];
    if (!point) continue;
    const sep = f.indexOf('-');
    const optional = f.slice(6, sep < 0 ? undefined : sep);
    const within = dir === point || dir.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (within && (!best || point.length >= best.point.length)) best = { point, shared: optional.some((o) => o.startsWith('shared:')) };
  }
  return best !== undefined && !best.shared;
}

/**
 * Finds out which OCI runtimes work on this host. crun 1.8 refuses a cgroup v1 "hybrid" layout while the v2
 * hierarchy has controllers ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"); on the
 * usual hybrid host the only one is hugetlb, which is unbound from v2 by mounting it as a v1 hierarchy
 * (`mount -t cgroup -o hugetlb cgroup <dir>`). That is done only when this process runs in its own private mount
 * namespace (the daemon always does), so the host's mount table is never touched. runc works either way.
 */
/** Whether a cgroup v1 hierarchy with the hugetlb controller is mounted in this mount namespace. */
async function hugetlbMountedHere(): Promise<boolean> {
  try {
    const text = await readFile('/proc/self/mountinfo', 'utf8');
    return text.split('\n').some((l) => / - cgroup cgroup .*\bhugetlb\b/.test(l));
  } catch {
    return false;
  }
}

export async function probeRuntimes(ctx: Ctx, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const root = opts.cgroupRoot ?? '/sys/fs/cgroup';
  let { layout, v2Controllers: ctrls } = await cgroupLayout(root);
  let hugetlbFixed = false;
  // Also when hugetlb is already on a v1 hierarchy (another daemon bound it): that hierarchy lives only while
  // mounted somewhere, so this daemon holds a mount of its own in its namespace, or crun breaks when the other goes.
  const needFix = layout === 'hybrid' && (ctrls.length > 0 || !(await hugetlbMountedHere()));
  if (needFix && (opts.fixHybrid ?? true) && opts.hugetlbMountDir) {
    const isPrivate = opts.privateMountNamespace ?? (await inPrivateMountNamespace(opts.hugetlbMountDir));
    if (!isPrivate && ctrls.length > 0) ctx.log.warn('not in a private mount namespace: crun stays disabled on this hybrid cgroup host');
    if (ctrls.every((c) => c === 'hugetlb') && isPrivate) {
      try {
        await mkdir(opts.hugetlbMountDir, { recursive: true });
        await run(ctx, 'mount', ['-t', 'cgroup', '-o', 'hugetlb', 'cgroup', opts.hugetlbMountDir]);
        ctrls = await v2Controllers(`${root}/unified`);
        hugetlbFixed = true;
        ctx.log.info('bound the hugetlb cgroup controller to a v1 hierarchy', { dir: opts.hugetlbMountDir });
      } catch (err) {
        ctx.log.warn('could not bind hugetlb to a v1 hierarchy', { error: errorMessage(err) });
      }
    }
  }
  const runtimes: RuntimeInfo[] = [];
  for (const [name, path] of Object.entries(opts.runtimes ?? DEFAULT_RUNTIMES)) {
    const info: RuntimeInfo = { name, path, usable: false };
    try {
      info.version = await new OciRuntimeCli(path, '/nonexistent').version(ctx);
      info.usable = true;
    } catch (err) {
      info.reason = errorMessage(err);
    }
    if (info.usable && layout === 'none') {
      info.usable = false;
      info.reason = `no cgroup hierarchy mounted at ${root}`;
    }
    if (info.usable && (name === 'crun' || path.endsWith('/crun')) && layout === 'hybrid' && ctrls.length > 0) {
      info.usable = false;
      info.reason = `cgroups in hybrid mode not supported, drop all controllers from cgroupv2 (enabled: ${ctrls.join(' ')})`;
    }
    runtimes.push(info);
  }
  const preferred = runtimes.find((r) => r.usable && r.name === 'crun') ?? runtimes.find((r) => r.usable);
  return {
    cgroup: layout,
    v2Controllers: ctrls,
    hugetlbFixed,
    runtimes,
    preferred: preferred?.name,
    nofileHardLimit: await nofileHardLimit(),
    hostMaskedPaths: await thermalThrottlePaths(),
  };
}

/** `/sys/devices/system/cpu/cpu*\/thermal_throttle` (masked by dockerd since 28.0.2, GHSA-6fw5-f8r9-fgfm). */
export async function thermalThrottlePaths(root = '/sys/devices/system/cpu'): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: string[] = [];
  // filepath.Glob order (lexical), as dockerd lists them
  for (const n of names.filter((x) => /^cpu\d+$/.test(x)).sort()) {
    try {
      await stat(`${root}/${n}/thermal_throttle`);
      out.push(`${root}/${n}/thermal_throttle`);
    } catch {
      // not on this CPU / kernel
    }
  }
  return out;
}

/** The hard "Max open files" limit of this process (/proc/self/limits); undefined when unlimited or unknown. */
export async function nofileHardLimit(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/self/limits', 'utf8')).split('\n').find((l) => l.startsWith('Max open files'));
    const hard = line?.trim().split(/\s{2,}/)[2];
    const n = Number(hard);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
