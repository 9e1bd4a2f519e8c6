import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotImplementedError } from '../../common/errors.ts';
import { processEnv } from '../../domain/container/normalize.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';
import { type NamespaceMode, type SpecMount, type Ulimit, buildSpec } from '../../domain/oci-spec/spec.ts';
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
  const nsMode = (v: string, what: string): NamespaceMode | undefined => {
    if (!v || v === 'private' || v === 'shareable') return undefined;
    if (v === 'host') return { mode: 'host' };
    throw new NotImplementedError(`--${what}=${v} is not supported by berth yet`);
  };
  const ulimits = new Map<string, Ulimit>();
  for (const u of i.defaults.ulimits) ulimits.set(u.Name, { name: u.Name, soft: u.Soft, hard: u.Hard });
  for (const u of h.Ulimits ?? []) ulimits.set(u.Name, { name: u.Name, soft: u.Soft, hard: u.Hard });
  const init = h.Init ?? i.defaults.init;
  return buildSpec({
    id: rec.Id,
    rootfs,
    args: [rec.Path, ...rec.Args],
    env: processEnv(rec.Config, rec.Config.Hostname, user.home),
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
    pid: nsMode(h.PidMode, 'pid'),
    ipc: nsMode(h.IpcMode, 'ipc'),
    uts: hostNet || h.UTSMode === 'host' ? { mode: 'host' } : undefined,
    mounts,
    shmSize: h.ShmSize || undefined,
    resources: {
      memory: h.Memory || undefined,
      nanoCpus: h.NanoCpus || undefined,
      cpuShares: h.CpuShares || undefined,
      cpuPeriod: h.CpuPeriod || undefined,
      cpuQuota: h.CpuQuota || undefined,
      pidsLimit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : undefined,
    },
    cgroupParent: cgroupParentOf((h.CgroupParent as string | undefined) || i.defaults.cgroupParent),
    init,
    initPath: init ? i.defaults.initPath || undefined : undefined,
  });
}
