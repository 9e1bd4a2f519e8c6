import { mkdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { InvalidArgumentError, NotImplementedError } from '../../common/errors.ts';
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

/** Parses `-v src:dst[:opts]` binds. Host paths only for now; named volumes come with the volumes work. */
export function parseBind(b: string): SpecMount {
  const parts = b.split(':');
  if (parts.length < 2 || parts.length > 3) throw new InvalidArgumentError(`invalid volume specification: '${b}'`);
  const [src, dst, mode = ''] = parts as [string, string, string?];
  if (!isAbsolute(dst)) throw new InvalidArgumentError(`invalid volume specification: '${b}': invalid mount config for type "bind": invalid mount path: '${dst}' mount path must be absolute`);
  if (!isAbsolute(src)) throw new NotImplementedError(`named volumes are not supported by berth yet: '${b}'`);
  const opts = mode.split(',').filter(Boolean);
  for (const o of opts) {
    if (!['ro', 'rw', 'z', 'Z', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'nocopy'].includes(o)) throw new InvalidArgumentError(`invalid mode: ${o}`);
  }
  const propagation = opts.find((o) => /^r?(private|shared|slave)$/.test(o));
  return { type: 'bind', source: src, destination: dst, readonly: opts.includes('ro'), propagation };
}

export interface SpecInput {
  rec: ContainerRecord;
  rootfs: string;
  containerDir: string;
  netns: NetnsChoice;
  defaults: { init: boolean; initPath: string; ulimits: { Name: string; Soft: number; Hard: number }[]; maxNofile?: number };
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
  const mounts: SpecMount[] = [];
  const hostNet = i.netns.kind === 'host';
  mounts.push({ type: 'bind', source: join(i.containerDir, 'resolv.conf'), destination: '/etc/resolv.conf' });
  mounts.push({ type: 'bind', source: join(i.containerDir, 'hostname'), destination: '/etc/hostname' });
  mounts.push({ type: 'bind', source: join(i.containerDir, 'hosts'), destination: '/etc/hosts' });
  for (const b of h.Binds ?? []) {
    const m = parseBind(b);
    if (m.type === 'bind') {
      try {
        await stat(m.source);
      } catch {
        // docker creates a missing host directory for -v binds
        await mkdir(m.source, { recursive: true });
      }
    }
    mounts.push(m);
  }
  for (const [dst, opts] of Object.entries(h.Tmpfs ?? {})) {
    mounts.push({ type: 'tmpfs', destination: dst, options: opts ? opts.split(',') : [] });
  }
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
    init,
    initPath: init ? i.defaults.initPath || undefined : undefined,
  });
}
