import { chown, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import { parseSecurityOpts, validateSysctls } from '../../domain/container/security.ts';
import type { NamespaceChoices } from './namespaces.ts';
import { type HostSecurity, containerCaps, customDevices, hostDevices, probeHostSecurity, seccompOf } from './security.ts';
import { parseResources, type ThrottleDevice } from '../../domain/container/resources.ts';
import { processEnv } from '../../domain/container/normalize.ts';
import type { ContainerRecord, HostConfig } from '../../domain/container/types.ts';
import { type NamespaceMode, type ResourceOptions, type SpecMount, type Ulimit, buildSpec } from '../../domain/oci-spec/spec.ts';
import type { OciSeccomp, OciSpec } from '../../domain/oci-spec/types.ts';
import { type ResolvedUser, resolveUser } from '../../domain/oci-spec/user.ts';
import { type DaemonSeccomp, setsNoNewPrivileges, setsSeccomp } from '../../domain/oci-spec/daemon-security.ts';
import { seccompFor } from '../../domain/oci-spec/seccomp.ts';
import { joinedUserns, usesUserns } from '../../domain/userns/container.ts';
import { type IdentityMapping, type IdPair, ociMappings, rootPair } from '../../domain/userns/id-map.ts';
import type { NetnsChoice } from '../networks/contract.ts';
import { resolveInRoot } from './scope-path.ts';

async function readOpt(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Resolves `--user` against the container's own /etc/passwd and /etc/group (as runc's GetExecUser). */
export async function userIn(rootfs: string, spec: string, groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([readOpt(join(rootfs, 'etc/passwd')), readOpt(join(rootfs, 'etc/group'))]);
  return resolveUser(spec, passwd, group, groupAdd);
}

/** The cgroup parent of a container: HostConfig.CgroupParent, else the daemon's --cgroup-parent, else /berth. */
export function cgroupParentOf(p: string | undefined): string {
  if (!p) return '/berth';
  return p.startsWith('/') ? p.replace(/\/+$/, '') : `/${p.replace(/\/+$/, '')}`;
}

export interface SpecInput {
  rec: ContainerRecord;
  rootfs: string;
  containerDir: string;
  netns: NetnsChoice;
  defaults: {
    init: boolean;
    initPath: string;
    ulimits: { Name: string; Soft: number; Hard: number }[];
    maxNofile?: number;
    cgroupParent?: string;
    /** The daemon's `--userns-remap` mapping: containers run in a user namespace unless `--userns=host`. */
    idMapping?: IdentityMapping;
    /** The daemon's `seccomp-profile` (default: Docker's): for containers that name no profile. */
    seccomp?: DaemonSeccomp;
    /** The daemon's `no-new-privileges`: for containers whose security options do not set it. */
    noNewPrivileges?: boolean;
  };
  /** The container's volumes, binds and tmpfs mounts (ContainerMounts.setup). */
  mounts: SpecMount[];
  /** What the host offers (capabilities held, seccomp, kernel); default: everything. */
  security?: HostSecurity;
  /** PID/IPC/cgroup namespaces and /dev/shm (resolveNamespaces); default: private ones. */
  namespaces?: NamespaceChoices;
  /** Legacy --link variables (ALIAS_PORT_…), placed between Docker's defaults and the user's Env. */
  linkEnv?: string[];
}

/** Maps a container's Docker configuration onto the OCI spec builder's options. */
export async function buildContainerSpec(i: SpecInput): Promise<OciSpec> {
  const { rec, rootfs } = i;
  const h = rec.HostConfig;
  const user = await userIn(rootfs, rec.Config.User, h.GroupAdd ?? []);
  const userns = usesUserns(h, i.defaults.idMapping !== undefined) ? i.defaults.idMapping : undefined;
  // what the engine creates for the container belongs to its root (the remapped one with --userns-remap)
  const owner = rootPair(userns);
  const cwd = rec.Config.WorkingDir || '/';
  if (cwd !== '/') {
    // Docker creates a missing WORKDIR
    await mkdirOwned(rootfs, cwd, owner).catch(() => {});
  }
  const hostNet = i.netns.kind === 'host';
  // the network files, unless the user mounts something there (dockerd's TrySetNetworkMount)
  const taken = new Set(i.mounts.map((m) => m.destination));
  const mounts: SpecMount[] = [];
  for (const f of ['resolv.conf', 'hostname', 'hosts']) {
    if (!taken.has(`/etc/${f}`)) mounts.push({ type: 'bind', source: join(i.containerDir, f), destination: `/etc/${f}` });
  }
  mounts.push(...i.mounts);
  if (userns) {
    await Promise.all(['resolv.conf', 'hostname', 'hosts'].map((f) => chown(join(i.containerDir, f), owner.uid, owner.gid).catch(() => {})));
  }
  const network: NamespaceMode = i.netns.kind === 'host' ? { mode: 'host' } : i.netns.kind === 'path' ? { mode: 'path', path: i.netns.path } : { mode: 'private' };
  const ns = i.namespaces ?? { shm: { kind: 'tmpfs' as const } };
  // a shareable donor's /dev/shm tmpfs (never the host's /dev/shm of --ipc host)
  if (userns && h.IpcMode === 'shareable' && ns.shm.kind === 'bind') await chown(ns.shm.source, owner.uid, owner.gid).catch(() => {});
  const host = i.security ?? probeHostSecurity();
  const sec = parseSecurityOpts(h.SecurityOpt);
  // a container on the host's network still has its own UTS namespace (its hostname is the host's by default);
  // only --uts host shares the host's (dockerd)
  const utsHost = h.UTSMode === 'host';
  validateSysctls(h.Sysctls as Record<string, string> | undefined, { ipcHost: h.IpcMode === 'host', netHost: hostNet, utsHost: utsHost || hostNet });
  const devs = await customDevices(h);
  const devices = h.Privileged ? await hostDevices() : devs.devices;
  const masked = h.MaskedPaths as string[] | null | undefined;
  const readonly = h.ReadonlyPaths as string[] | null | undefined;
  const ulimits = new Map<string, Ulimit>();
  for (const u of i.defaults.ulimits) ulimits.set(u.Name, { name: u.Name, soft: u.Soft, hard: u.Hard });
  for (const u of h.Ulimits ?? []) ulimits.set(u.Name, { name: u.Name, soft: u.Soft, hard: u.Hard });
  const init = h.Init ?? i.defaults.init;
  return buildSpec({
    id: rec.Id,
    rootfs,
    args: [rec.Path, ...rec.Args],
    env: processEnv(rec.Config, rec.Config.Hostname, user.home, i.linkEnv),
    cwd,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    tty: rec.Config.Tty,
    consoleSize: h.ConsoleSize[0] > 0 ? { height: h.ConsoleSize[0], width: h.ConsoleSize[1] } : undefined,
    capAdd: h.CapAdd ?? [],
    capDrop: h.CapDrop ?? [],
    privileged: h.Privileged,
    ulimits: [...ulimits.values()],
    maxNofile: i.defaults.maxNofile,
    oomScoreAdj: h.OomScoreAdj || undefined,
    readonlyRootfs: h.ReadonlyRootfs,
    hostname: utsHost ? undefined : rec.Config.Hostname,
    domainname: rec.Config.Domainname || undefined,
    network,
    pid: ns.pid,
    ipc: ns.ipc,
    uts: utsHost ? { mode: 'host' } : undefined,
    cgroupns: ns.cgroupns,
    shm: ns.shm,
    availableCaps: host.caps,
    noNewPrivileges: setsNoNewPrivileges(h.SecurityOpt) ? sec.noNewPrivileges : (i.defaults.noNewPrivileges ?? false),
    seccomp: seccompWithDefault(h, containerCaps(h, host), host, i.defaults.seccomp),
    devices,
    deviceRules: h.Privileged ? undefined : devs.rules,
    maskedPaths: Array.isArray(masked) ? masked : undefined,
    readonlyPaths: Array.isArray(readonly) ? readonly : undefined,
    sysctls: (h.Sysctls as Record<string, string> | undefined) ?? undefined,
    mounts,
    shmSize: h.ShmSize || undefined,
    resources: await resourceOptions(h),
    cgroupParent: cgroupParentOf((h.CgroupParent as string | undefined) || i.defaults.cgroupParent),
    init,
    initPath: init ? i.defaults.initPath || undefined : undefined,
    userns: userns
      ? {
          uidMappings: ociMappings(userns.uids),
          gidMappings: ociMappings(userns.gids),
          path: joinedUserns([network.mode === 'path' ? network.path : undefined, ns.ipc?.mode === 'path' ? ns.ipc.path : undefined, ns.pid?.mode === 'path' ? ns.pid.path : undefined]),
        }
      : undefined,
  });
}

/**
 * The container's seccomp section: its own `--security-opt seccomp=…`, else the daemon's `seccomp-profile`
 * (dockerd's WithSeccomp: privileged containers and hosts without seccomp get none).
 */
function seccompWithDefault(h: HostConfig, bounding: readonly string[], host: HostSecurity, daemon: DaemonSeccomp | undefined): OciSeccomp | undefined {
  if (!daemon || daemon.mode === 'builtin' || setsSeccomp(h.SecurityOpt) || h.Privileged || !host.seccomp) return seccompOf(h, bounding, host);
  if (daemon.mode === 'unconfined') return undefined;
  return seccompFor(daemon.profile, { arch: host.arch, bounding, kernel: host.kernel });
}

/**
 * mkdir -p of `path` as the container sees it (symlinks resolved inside `root`), the directories it creates owned
 * by `owner` (dockerd's SetupWorkingDirectory: MkdirAllAndChownNew).
 */
async function mkdirOwned(root: string, path: string, owner: IdPair): Promise<void> {
  const target = await resolveInRoot(root, path);
  const first = await mkdir(target, { recursive: true });
  if (first === undefined || (owner.uid === 0 && owner.gid === 0)) return;
  for (let p = first; ; ) {
    await chown(p, owner.uid, owner.gid);
    if (p === target) break;
    const next: string = join(p, target.slice(p.length + 1).split('/')[0]!);
    p = next;
  }
}

/** Linux device numbers of a device node (Go's unix.Major/Minor of st_rdev). */
export async function deviceNumbers(path: string): Promise<{ major: number; minor: number }> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path, { bigint: true });
  } catch (err) {
    throw new InvalidArgumentError(`stat ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (!st.isBlockDevice() && !st.isCharacterDevice()) throw new InvalidArgumentError(`${path} is not a device`);
  const rdev = st.rdev;
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

/** The OCI resources of a container's HostConfig (dockerd's getMemoryResources/getCPUResources/blkio). */
export async function resourceOptions(h: HostConfig): Promise<ResourceOptions> {
  const r = parseResources(h);
  const throttle = async (list: ThrottleDevice[] | null) => Promise.all((list ?? []).map(async (d) => ({ ...(await deviceNumbers(d.Path)), rate: d.Rate })));
  return {
    memory: r.Memory || undefined,
    memorySwap: r.MemorySwap || undefined,
    memoryReservation: r.MemoryReservation || undefined,
    memorySwappiness: r.MemorySwappiness ?? undefined,
    oomKillDisable: r.OomKillDisable ?? undefined,
    nanoCpus: r.NanoCpus || undefined,
    cpuShares: r.CpuShares || undefined,
    cpuPeriod: r.CpuPeriod || undefined,
    cpuQuota: r.CpuQuota || undefined,
    cpuRealtimePeriod: r.CpuRealtimePeriod || undefined,
    cpuRealtimeRuntime: r.CpuRealtimeRuntime || undefined,
    cpusetCpus: r.CpusetCpus || undefined,
    cpusetMems: r.CpusetMems || undefined,
    pidsLimit: r.PidsLimit && r.PidsLimit > 0 ? r.PidsLimit : undefined,
    blkioWeight: r.BlkioWeight || undefined,
    blkioWeightDevice: await Promise.all((r.BlkioWeightDevice ?? []).map(async (d) => ({ ...(await deviceNumbers(d.Path)), weight: d.Weight }))),
    blkioReadBps: await throttle(r.BlkioDeviceReadBps),
    blkioWriteBps: await throttle(r.BlkioDeviceWriteBps),
    blkioReadIOps: await throttle(r.BlkioDeviceReadIOps),
    blkioWriteIOps: await throttle(r.BlkioDeviceWriteIOps),
  };
}
