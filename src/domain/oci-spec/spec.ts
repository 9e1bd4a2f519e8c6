import { InvalidArgumentError } from '../../common/errors.ts';
import { tweakCapabilities } from './capabilities.ts';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  DEFAULT_INIT_PATH,
  DEFAULT_MASKED_PATHS,
  DEFAULT_NOFILE,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
  INIT_DESTINATION,
  ULIMIT_TYPES,
  defaultDeviceRules,
  defaultMounts,
} from './defaults.ts';
import type { OciDevice, OciDeviceCgroup, OciIdMapping, OciMount, OciNamespace, OciProcess, OciResources, OciRlimit, OciSeccomp, OciSpec, OciThrottleDevice } from './types.ts';

/** A namespace the container joins: a new one (default), the host's, or an existing one by path. */
export type NamespaceMode = { mode: 'private' } | { mode: 'host' } | { mode: 'path'; path: string };

export type SpecMount =
  /** A bind mount (volumes, /etc/hosts, /etc/resolv.conf, /etc/hostname, `-v /host:/ctr`). */
  | { type: 'bind'; source: string; destination: string; readonly?: boolean; propagation?: string; nonRecursive?: boolean }
  /** `--tmpfs /run:size=64m` or `--mount type=tmpfs`; `options` are the user's (size=…, mode=…, exec …). */
  | { type: 'tmpfs'; destination: string; options?: string[] };

export interface Ulimit {
  /** Docker's name: nofile, nproc, core, … */
  name: string;
  soft: number;
  hard: number;
}

export interface ResourceOptions {
  /** Bytes; 0 = unlimited. */
  memory?: number;
  /** Memory + swap in bytes; -1 = unlimited swap. */
  memorySwap?: number;
  memoryReservation?: number;
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  /** `--cpus` as NanoCPUs (1.5 CPUs = 1.5e9); becomes quota/period 100 ms. */
  nanoCpus?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** 0 or negative = unlimited. */
  pidsLimit?: number;
  blkioWeight?: number;
  cpuRealtimePeriod?: number;
  cpuRealtimeRuntime?: number;
  /** Per-device weights and throttles, devices already resolved to major:minor. */
  blkioWeightDevice?: { major: number; minor: number; weight: number }[];
  blkioReadBps?: OciThrottleDevice[];
  blkioWriteBps?: OciThrottleDevice[];
  blkioReadIOps?: OciThrottleDevice[];
  blkioWriteIOps?: OciThrottleDevice[];
}

export interface ProcessOptions {
  args: string[];
  env: string[];
  /** Working directory inside the container; "/" when empty. */
  cwd?: string;
  user: { uid: number; gid: number; additionalGids?: number[] };
  tty?: boolean;
  consoleSize?: { height: number; width: number };
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  ulimits?: Ulimit[];
  /**
   * The daemon's own RLIMIT_NOFILE hard limit: the default of 1048576 (dockerd's) is capped to it, since raising
   * a hard limit needs CAP_SYS_RESOURCE (see probeRuntimes' nofileHardLimit).
   */
  maxNofile?: number;
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  /** The capabilities the daemon holds: what `--privileged` and `--cap-add ALL` give (default: all 41). */
  availableCaps?: readonly string[];
}

export interface SpecOptions extends ProcessOptions {
  id: string;
  /** Absolute path of the container's root filesystem (the overlay mount). */
  rootfs: string;
  readonlyRootfs?: boolean;
  hostname?: string;
  domainname?: string;
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  uts?: NamespaceMode;
  /** cgroup namespace: Docker's default is "host" on cgroup v1, "private" on v2. */
  cgroupns?: NamespaceMode;
  mounts?: SpecMount[];
  /** /dev/shm size in bytes (default 64 MiB). */
  shmSize?: number;
  /** Full cgroups path; default `${cgroupParent}/${id}`. */
  cgroupsPath?: string;
  /** Default "/berth". */
  cgroupParent?: string;
  resources?: ResourceOptions;
  /** `--init`: run the init (tini) as pid 1, bind-mounted read-only as /sbin/docker-init. */
  init?: boolean;
  /** Host path of the init binary (default /usr/bin/tini-static). */
  initPath?: string;
  /** Device nodes to create (`--device`, or every host device with `--privileged`). */
  devices?: OciDevice[];
  /**
   * Device cgroup rules added to Docker's defaults (`--device` permissions, `--device-cgroup-rule`). Without
   * them, each node in `devices` gets an `rwm` allow rule.
   */
  deviceRules?: OciDeviceCgroup[];
  /** Masked and read-only paths; default Docker's (none when privileged). Empty lists: `systempaths=unconfined`. */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: OciSeccomp;
  /**
   * /dev/shm: a private tmpfs (default), none (`--ipc none`), or a bind of a host path (`--ipc host`, a
   * shareable donor's own tmpfs).
   */
  shm?: { kind: 'tmpfs' } | { kind: 'none' } | { kind: 'bind'; source: string };
  sysctls?: Record<string, string>;
  /**
   * Host-dependent paths dockerd (≥ 28.0.2) also masks: `/sys/devices/system/cpu/cpu*\/thermal_throttle` as found
   * on this host (probeRuntimes' hostMaskedPaths).
   */
  hostMaskedPaths?: string[];
  /**
   * A user namespace (daemon `--userns-remap`): the container's root is an unprivileged host ID. `path` joins an
   * existing one (that of a container whose network, IPC or PID namespace this one shares).
   */
  userns?: { uidMappings: OciIdMapping[]; gidMappings: OciIdMapping[]; path?: string };
}

/** Docker's default environment (PATH, HOSTNAME, TERM with a TTY) overridden or extended by `env` (KEY=VALUE). */
export function containerEnv(opts: { hostname: string; tty: boolean; env: readonly string[]; pathEnv?: string }): string[] {
  const base = [`PATH=${opts.pathEnv ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'}`, `HOSTNAME=${opts.hostname}`];
  if (opts.tty) base.push('TERM=xterm');
  return replaceOrAppendEnv(base, opts.env);
}

/** moby's ReplaceOrAppendEnvValues: later KEY=VALUE entries replace earlier ones with the same key; "KEY" alone removes. */
export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const out = [...defaults];
  const index = new Map<string, number>();
  for (const [i, e] of out.entries()) index.set(envKey(e), i);
  const removed = new Set<number>();
  for (const e of overrides) {
    const k = envKey(e);
    const i = index.get(k);
    if (!e.includes('=')) {
      if (i !== undefined) removed.add(i);
      continue;
    }
    if (i !== undefined) {
      out[i] = e;
      removed.delete(i);
    } else {
      index.set(k, out.length);
      out.push(e);
    }
  }
  return out.filter((_, i) => !removed.has(i));
}

function envKey(e: string): string {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
}

export function buildRlimits(ulimits: readonly Ulimit[] = [], maxNofile?: number): OciRlimit[] {
  const byType = new Map<string, OciRlimit>();
  const nofile = maxNofile !== undefined && maxNofile > 0 ? Math.min(DEFAULT_NOFILE, maxNofile) : DEFAULT_NOFILE;
  byType.set('RLIMIT_NOFILE', { type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile });
  for (const u of ulimits) {
    const type = ULIMIT_TYPES[u.name];
    if (!type) throw new InvalidArgumentError(`invalid ulimit type: ${u.name}`);
    if (u.soft > u.hard && u.hard !== -1) {
      throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`);
    }
    byType.set(type, { type, hard: u.hard, soft: u.soft });
  }
  return [...byType.values()];
}

/** The OCI process of a container (or the base of an exec). */
export function buildProcess(o: ProcessOptions): OciProcess {
  const caps = tweakCapabilities(DEFAULT_CAPABILITIES, o.capAdd, o.capDrop, o.privileged, o.availableCaps);
  const p: OciProcess = {
    terminal: o.tty ?? false,
    user: { uid: o.user.uid, gid: o.user.gid },
    args: [...o.args],
    env: [...o.env],
    cwd: o.cwd || '/',
    capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
    rlimits: buildRlimits(o.ulimits, o.maxNofile),
    noNewPrivileges: o.noNewPrivileges ?? false,
    oomScoreAdj: o.oomScoreAdj ?? 0,
  };
  if (o.user.additionalGids && o.user.additionalGids.length > 0) p.user.additionalGids = [...o.user.additionalGids];
  if (o.tty && o.consoleSize && o.consoleSize.height > 0 && o.consoleSize.width > 0) p.consoleSize = { ...o.consoleSize };
  return p;
}

/**
 * The process of `docker exec`: the container's process with the exec's args, env, tty, working dir and user
 * (dockerd copies the container spec's process and overrides these). `privileged` gives all capabilities.
 */
export function buildExecProcess(
  base: OciProcess,
  o: { args: string[]; env?: string[]; cwd?: string; user?: OciProcess['user']; tty: boolean; privileged?: boolean; consoleSize?: { height: number; width: number }; availableCaps?: readonly string[] },
): OciProcess {
  const p: OciProcess = structuredClone(base);
  p.args = [...o.args];
  p.terminal = o.tty;
  delete p.consoleSize;
  if (o.tty && o.consoleSize && o.consoleSize.height > 0 && o.consoleSize.width > 0) p.consoleSize = { ...o.consoleSize };
  if (o.env) p.env = replaceOrAppendEnv(base.env, o.env);
  if (o.cwd) p.cwd = o.cwd;
  if (o.user) p.user = structuredClone(o.user);
  if (o.privileged) {
    const all = [...(o.availableCaps ?? ALL_CAPABILITIES)];
    p.capabilities = { bounding: all, effective: [...all], permitted: [...all] };
  }
  return p;
}

function namespace(type: OciNamespace['type'], mode: NamespaceMode | undefined, dflt: 'private' | 'host'): OciNamespace | undefined {
  const m = mode ?? { mode: dflt };
  if (m.mode === 'host') return undefined;
  if (m.mode === 'path') return { type, path: m.path };
  return { type };
}

function userMount(m: SpecMount): OciMount {
  if (m.type === 'bind') {
    const opts = [m.nonRecursive ? 'bind' : 'rbind', m.propagation ?? 'rprivate'];
    if (m.readonly) opts.push('ro');
    return { destination: m.destination, type: 'bind', source: m.source, options: opts };
  }
  const user = m.options ?? [];
  const opts = ['noexec', 'nosuid', 'nodev'].filter((d) => !user.some((u) => u === d || u === d.replace(/^no/, '')));
  return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: [...opts, ...user] };
}

function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

/** Default mounts first (minus those a user mount replaces), then user mounts sorted by depth as dockerd does. */
function buildMounts(o: SpecOptions): OciMount[] {
  const user = (o.mounts ?? []).map((m) => ({ ...userMount(m), destination: cleanPath(m.destination) }));
  const taken = new Set(user.map((m) => m.destination));
  for (const m of user) {
    if (m.destination === '/') throw new InvalidArgumentError('invalid mount config: destination can\'t be \'/\'');
  }
  const shm = o.shm ?? { kind: 'tmpfs' };
  const defaults = defaultMounts(o.shmSize ?? DEFAULT_SHM_SIZE, o.privileged ?? false).flatMap((m): OciMount[] => {
    if (m.destination !== '/dev/shm' || shm.kind === 'tmpfs') return [m];
    return shm.kind === 'none' ? [] : [{ destination: '/dev/shm', type: 'bind', source: shm.source, options: ['rbind', 'rprivate'] }];
  }).filter((m) => {
    if (taken.has(m.destination)) return false;
    // a user mount on /dev replaces /dev/pts, /dev/shm and /dev/mqueue too (dockerd's rule for /dev)
    if (taken.has('/dev') && m.destination.startsWith('/dev/')) return false;
    return true;
  });
  if (o.readonlyRootfs) {
    for (const m of user) {
      if (['/etc/hosts', '/etc/resolv.conf', '/etc/hostname'].includes(m.destination) && m.type === 'bind' && !m.options?.includes('ro')) {
        m.options?.push('ro');
      }
    }
  }
  const depth = (m: OciMount) => m.destination.split('/').length;
  const sortedUser = user.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i).map((x) => x.m);
  const mounts = [...defaults, ...sortedUser];
  if (o.init) {
    mounts.push({ destination: INIT_DESTINATION, type: 'bind', source: o.initPath ?? DEFAULT_INIT_PATH, options: ['bind', 'ro'] });
  }
  return mounts;
}

function buildResources(o: SpecOptions): OciResources {
  const r: OciResources = { devices: o.privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceRules() };
  if (!o.privileged) {
    if (o.deviceRules) r.devices.push(...o.deviceRules.map((d) => ({ ...d })));
    else {
      for (const d of o.devices ?? []) {
        if (d.type === 'c' || d.type === 'b') r.devices.push({ allow: true, type: d.type, major: d.major, minor: d.minor, access: 'rwm' });
      }
    }
  }
  const x = o.resources;
  if (!x) return r;
  const mem: NonNullable<OciResources['memory']> = {};
  if (x.memory && x.memory > 0) mem.limit = x.memory;
  if (x.memoryReservation && x.memoryReservation > 0) mem.reservation = x.memoryReservation;
  if (x.memorySwap !== undefined && x.memorySwap !== 0) mem.swap = x.memorySwap;
  if (x.memorySwappiness !== undefined && x.memorySwappiness >= 0) mem.swappiness = x.memorySwappiness;
  if (x.oomKillDisable) mem.disableOOMKiller = true;
  if (Object.keys(mem).length > 0) r.memory = mem;
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (x.cpuShares && x.cpuShares > 0) cpu.shares = x.cpuShares;
  if (x.nanoCpus && x.nanoCpus > 0) {
    cpu.period = 100000;
    cpu.quota = Math.floor((x.nanoCpus * 100000) / 1e9);
  } else {
    if (x.cpuQuota && x.cpuQuota !== 0) cpu.quota = x.cpuQuota;
    if (x.cpuPeriod && x.cpuPeriod > 0) cpu.period = x.cpuPeriod;
  }
  if (x.cpuRealtimePeriod) cpu.realtimePeriod = x.cpuRealtimePeriod;
  if (x.cpuRealtimeRuntime) cpu.realtimeRuntime = x.cpuRealtimeRuntime;
  if (x.cpusetCpus) cpu.cpus = x.cpusetCpus;
  if (x.cpusetMems) cpu.mems = x.cpusetMems;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (x.pidsLimit !== undefined && x.pidsLimit > 0) r.pids = { limit: x.pidsLimit };
  const bio: NonNullable<OciResources['blockIO']> = {};
  if (x.blkioWeight && x.blkioWeight > 0) bio.weight = x.blkioWeight;
  if (x.blkioWeightDevice?.length) bio.weightDevice = x.blkioWeightDevice.map((d) => ({ ...d }));
  if (x.blkioReadBps?.length) bio.throttleReadBpsDevice = x.blkioReadBps.map((d) => ({ ...d }));
  if (x.blkioWriteBps?.length) bio.throttleWriteBpsDevice = x.blkioWriteBps.map((d) => ({ ...d }));
  if (x.blkioReadIOps?.length) bio.throttleReadIOPSDevice = x.blkioReadIOps.map((d) => ({ ...d }));
  if (x.blkioWriteIOps?.length) bio.throttleWriteIOPSDevice = x.blkioWriteIOps.map((d) => ({ ...d }));
  if (Object.keys(bio).length > 0) r.blockIO = bio;
  return r;
}

/**
 * The rootfs propagation a container's binds need (dockerd's WithMounts): a shared bind needs a shared root, a
 * slave one an rslave root (unless shared already); otherwise the runtime's default (private).
 */
export function rootfsPropagation(mounts: readonly SpecMount[]): string | undefined {
  let out: string | undefined;
  for (const m of mounts) {
    if (m.type !== 'bind' || !m.propagation) continue;
    if (/^r?shared$/.test(m.propagation)) out = 'shared';
    else if (/^r?slave$/.test(m.propagation) && out !== 'shared') out = 'rslave';
  }
  return out;
}

/**
 * Builds the OCI runtime spec (config.json) of a container the way dockerd does for runc: Docker's default mounts,
 * capabilities, masked and read-only paths, device rules and namespaces, then the container's own settings.
 * Pure: everything host-specific (rootfs path, resolved user, devices, netns path) comes in through `o`.
 */
export function buildSpec(o: SpecOptions): OciSpec {
  const args = o.init ? [INIT_DESTINATION, '--', ...o.args] : [...o.args];
  if (args.length === 0) throw new InvalidArgumentError('no command specified');
  const namespaces = [
    namespace('mount', undefined, 'private'),
    namespace('network', o.network, 'private'),
    namespace('uts', o.uts, 'private'),
    namespace('pid', o.pid, 'private'),
    namespace('ipc', o.ipc, 'private'),
    namespace('cgroup', o.cgroupns, 'host'),
    o.userns ? namespace('user', o.userns.path ? { mode: 'path', path: o.userns.path } : undefined, 'private') : undefined,
  ].filter((n): n is OciNamespace => n !== undefined);
  const utsHost = o.uts?.mode === 'host';
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: buildProcess({ ...o, args }),
    root: { path: o.rootfs, readonly: o.readonlyRootfs ?? false },
    mounts: buildMounts(o),
    linux: {
      namespaces,
      cgroupsPath: o.cgroupsPath ?? `${o.cgroupParent ?? '/berth'}/${o.id}`,
      resources: buildResources(o),
    },
  };
  if (!utsHost && o.hostname) spec.hostname = o.hostname;
  if (!utsHost && o.domainname) spec.domainname = o.domainname;
  if (!o.privileged) {
    spec.linux.maskedPaths = o.maskedPaths ? [...o.maskedPaths] : [...DEFAULT_MASKED_PATHS, ...(o.hostMaskedPaths ?? [])];
    spec.linux.readonlyPaths = o.readonlyPaths ? [...o.readonlyPaths] : [...DEFAULT_READONLY_PATHS];
  }
  if (o.userns) {
    spec.linux.uidMappings = o.userns.uidMappings.map((m) => ({ ...m }));
    spec.linux.gidMappings = o.userns.gidMappings.map((m) => ({ ...m }));
    // dockerd: a read-only cgroup mount cannot be remounted inside a user namespace, so it is left writable
    for (const m of spec.mounts) if (m.type === 'cgroup') m.options = (m.options ?? []).filter((x) => x !== 'ro');
  }
  if (o.seccomp) spec.linux.seccomp = o.seccomp;
  if (o.devices && o.devices.length > 0) spec.linux.devices = o.devices.map((d) => ({ ...d }));
  if (o.sysctls && Object.keys(o.sysctls).length > 0) spec.linux.sysctl = { ...o.sysctls };
  const rp = rootfsPropagation(o.mounts ?? []);
  if (rp) spec.linux.rootfsPropagation = rp;
  return spec;
}
