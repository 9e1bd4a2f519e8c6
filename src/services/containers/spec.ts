import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import { parseSecurityOpts, validateSysctls } from '../../domain/container/security.ts';
import type { NamespaceChoices } from './namespaces.ts';
import { type HostSecurity, containerCaps, customDevices, hostDevices, probeHostSecurity, seccompOf } from './security.ts';
import { parseResources, type ThrottleDevice } from '../../domain/container/resources.ts';
import { processEnv } from '../../domain/container/normalize.ts';
import type { ContainerRecord, HostConfig } from '../../domain/container/types.ts';
import { type NamespaceMode, type ResourceOptions, type SpecMount, type Ulimit, buildSpec } from '../../domain/oci-spec/spec.ts';
import type { OciSpec } from '../../domain/oci-spec/types.ts';
import { type ResolvedUser, resolveUser } from '../../domain/oci-spec/user.ts';
import type { NetnsChoice } from '../networks/contract.ts';

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
  defaults: { init: boolean; initPath: string; ulimits: { Name: string; Soft: number; Hard: number }[]; maxNofile?: number; cgroupParent?: string };
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
  const cwd = rec.Config.WorkingDir || '/';
  if (cwd !== '/') {
    // Docker creates a missing WORKDIR
    await mkdir(join(rootfs, cwd), { recursive: true }).catch(() => {});
  }
  const hostNet = i.netns.kind === 'host';
  // the network files, unless the user mounts something there (dockerd's TrySetNetworkMount)
  const taken = new Set(i.mounts.map((m) => m.destination));
  const mounts: SpecMount[] = [];
  for (const f of ['resolv.conf', 'hostname', 'hosts']) {
    if (!taken.has(`/etc/${f}`)) mounts.push({ type: 'bind', source: join(i.containerDir, f), destination: `/etc/${f}` });
  }
  mounts.push(...i.mounts);
  const network: NamespaceMode = i.netns.kind === 'host' ? { mode: 'host' } : i.netns.kind === 'path' ? { mode: 'path', path: i.netns.path } : { mode: 'private' };
  const ns = i.namespaces ?? { shm: { kind: 'tmpfs' as const } };
  const host = i.security ?? probeHostSecurity();
  const sec = parseSecurityOpts(h.SecurityOpt);
  const utsHost = hostNet || h.UTSMode === 'host';
  validateSysctls(h.Sysctls as Record<string, string> | undefined, { ipcHost: h.IpcMode === 'host', netHost: hostNet, utsHost });
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
    hostname: hostNet ? undefined : rec.Config.Hostname,
    domainname: rec.Config.Domainname || undefined,
    network,
    pid: ns.pid,
    ipc: ns.ipc,
    uts: utsHost ? { mode: 'host' } : undefined,
    cgroupns: ns.cgroupns,
    shm: ns.shm,
    availableCaps: host.caps,
    noNewPrivileges: sec.noNewPrivileges,
    seccomp: seccompOf(h, containerCaps(h, host), host),
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
  });
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
