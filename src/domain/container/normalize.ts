import { InvalidArgumentError } from '../../common/errors.ts';
import { replaceOrAppendEnv } from '../oci-spec/spec.ts';
import type { ImageConfig } from '../../services/images/contract.ts';
import { type HealthConfig, mergeHealthcheck, validateHealthcheck } from './health.ts';
import { parseSignal } from './status.ts';
import type { ContainerConfig, HostConfig, RestartPolicy } from './types.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's container name rule. Returns the name with its leading slash. */
export function validateName(name: string): string {
  if (!NAME_RE.test(name)) throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function strList(v: unknown, field: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type []string`);
}

function str(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type string`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type bool`);
  return v;
}

function num(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type int64`);
  return v;
}

function strMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'string')) throw new InvalidArgumentError(`json: cannot unmarshal into Go struct field ${field} of type map[string]string`);
  return v as Record<string, string>;
}

function objMap(v: unknown, field: string): Record<string, object> | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw new InvalidArgumentError(`json: cannot unmarshal into Go struct field ${field} of type map[string]struct {}`);
  return v as Record<string, object>;
}

export function parseRestartPolicy(v: unknown): RestartPolicy {
  if (v === undefined || v === null) return { Name: 'no', MaximumRetryCount: 0 };
  if (!isObj(v)) throw new InvalidArgumentError('json: cannot unmarshal into Go struct field HostConfig.RestartPolicy');
  const name = str(v.Name, 'RestartPolicy.Name');
  const max = num(v.MaximumRetryCount, 'RestartPolicy.MaximumRetryCount');
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(name)) throw new InvalidArgumentError(`invalid restart policy '${name}'`);
  if (max < 0) throw new InvalidArgumentError("invalid restart policy: maximum retry count can't be negative");
  if (max > 0 && name !== 'on-failure') throw new InvalidArgumentError("invalid restart policy: maximum retry count can only be used with 'on-failure'");
  return { Name: (name || 'no') as RestartPolicy['Name'], MaximumRetryCount: max };
}

/** Validates and normalizes the create body's Config (wrong types → 400 as Go's decoder reports). */
export function normalizeConfig(body: Record<string, unknown>): ContainerConfig {
  const image = str(body.Image, 'Config.Image');
  const c: ContainerConfig = {
    Hostname: str(body.Hostname, 'Config.Hostname'),
    Domainname: str(body.Domainname, 'Config.Domainname'),
    User: str(body.User, 'Config.User'),
    AttachStdin: bool(body.AttachStdin, 'Config.AttachStdin'),
    AttachStdout: bool(body.AttachStdout, 'Config.AttachStdout'),
    AttachStderr: bool(body.AttachStderr, 'Config.AttachStderr'),
    ExposedPorts: objMap(body.ExposedPorts, 'Config.ExposedPorts'),
    Tty: bool(body.Tty, 'Config.Tty'),
    OpenStdin: bool(body.OpenStdin, 'Config.OpenStdin'),
    StdinOnce: bool(body.StdinOnce, 'Config.StdinOnce'),
    Env: strList(body.Env, 'Config.Env'),
    Cmd: strList(body.Cmd, 'Config.Cmd'),
    Image: image,
    Volumes: objMap(body.Volumes, 'Config.Volumes'),
    WorkingDir: str(body.WorkingDir, 'Config.WorkingDir'),
    Entrypoint: strList(body.Entrypoint, 'Config.Entrypoint'),
    OnBuild: strList(body.OnBuild, 'Config.OnBuild'),
    Labels: strMap(body.Labels, 'Config.Labels'),
  };
  if (body.StopSignal !== undefined && body.StopSignal !== null && body.StopSignal !== '') c.StopSignal = str(body.StopSignal, 'Config.StopSignal');
  if (c.StopSignal) parseSignal(c.StopSignal);
  if (typeof body.StopTimeout === 'number') c.StopTimeout = body.StopTimeout;
  if (isObj(body.Healthcheck)) {
    validateHealthcheck(body.Healthcheck as HealthConfig);
    c.Healthcheck = body.Healthcheck;
  }
  if (typeof body.MacAddress === 'string' && body.MacAddress) c.MacAddress = body.MacAddress;
  if (Array.isArray(body.Shell) && body.Shell.every((x) => typeof x === 'string') && body.Shell.length > 0) c.Shell = body.Shell;
  if (c.WorkingDir && !c.WorkingDir.startsWith('/')) throw new InvalidArgumentError(`the working directory '${c.WorkingDir}' is invalid, it needs to be an absolute path`);
  for (const e of c.Env ?? []) {
    if (e === '' || e.startsWith('=')) throw new InvalidArgumentError(`invalid environment variable: ${e}`);
  }
  if (c.Hostname && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(c.Hostname)) throw new InvalidArgumentError(`invalid hostname format: ${c.Hostname}`);
  return c;
}

export function normalizeHostConfig(v: unknown): HostConfig {
  if (v !== undefined && v !== null && !isObj(v)) throw new InvalidArgumentError(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field .HostConfig of type container.HostConfig`);
  const h = isObj(v) ? v : {};
  const log = isObj(h.LogConfig) ? h.LogConfig : {};
  const pb = h.PortBindings;
  if (pb !== undefined && pb !== null && !isObj(pb)) throw new InvalidArgumentError('json: cannot unmarshal into Go struct field HostConfig.PortBindings of type nat.PortMap');
  const cs = Array.isArray(h.ConsoleSize) && h.ConsoleSize.length === 2 ? (h.ConsoleSize as [number, number]) : ([0, 0] as [number, number]);
  const out: HostConfig = {
    ...h,
    Binds: strList(h.Binds, 'HostConfig.Binds'),
    ContainerIDFile: str(h.ContainerIDFile, 'HostConfig.ContainerIDFile'),
    LogConfig: { Type: str(log.Type, 'LogConfig.Type'), Config: strMap(log.Config, 'LogConfig.Config') },
    NetworkMode: str(h.NetworkMode, 'HostConfig.NetworkMode') || 'default',
    PortBindings: (pb ?? {}) as HostConfig['PortBindings'],
    RestartPolicy: parseRestartPolicy(h.RestartPolicy),
    AutoRemove: bool(h.AutoRemove, 'HostConfig.AutoRemove'),
    VolumeDriver: str(h.VolumeDriver, 'HostConfig.VolumeDriver'),
    VolumesFrom: strList(h.VolumesFrom, 'HostConfig.VolumesFrom'),
    ConsoleSize: cs,
    CapAdd: strList(h.CapAdd, 'HostConfig.CapAdd'),
    CapDrop: strList(h.CapDrop, 'HostConfig.CapDrop'),
    CgroupnsMode: str(h.CgroupnsMode, 'HostConfig.CgroupnsMode'),
    Dns: strList(h.Dns, 'HostConfig.Dns') ?? [],
    DnsOptions: strList(h.DnsOptions, 'HostConfig.DnsOptions') ?? [],
    DnsSearch: strList(h.DnsSearch, 'HostConfig.DnsSearch') ?? [],
    ExtraHosts: strList(h.ExtraHosts, 'HostConfig.ExtraHosts'),
    GroupAdd: strList(h.GroupAdd, 'HostConfig.GroupAdd'),
    IpcMode: str(h.IpcMode, 'HostConfig.IpcMode'),
    Cgroup: str(h.Cgroup, 'HostConfig.Cgroup'),
    Links: strList(h.Links, 'HostConfig.Links'),
    OomScoreAdj: num(h.OomScoreAdj, 'HostConfig.OomScoreAdj'),
    PidMode: str(h.PidMode, 'HostConfig.PidMode'),
    Privileged: bool(h.Privileged, 'HostConfig.Privileged'),
    PublishAllPorts: bool(h.PublishAllPorts, 'HostConfig.PublishAllPorts'),
    ReadonlyRootfs: bool(h.ReadonlyRootfs, 'HostConfig.ReadonlyRootfs'),
    SecurityOpt: strList(h.SecurityOpt, 'HostConfig.SecurityOpt'),
    UTSMode: str(h.UTSMode, 'HostConfig.UTSMode'),
    UsernsMode: str(h.UsernsMode, 'HostConfig.UsernsMode'),
    ShmSize: num(h.ShmSize, 'HostConfig.ShmSize'),
    Runtime: str(h.Runtime, 'HostConfig.Runtime'),
    Init: typeof h.Init === 'boolean' ? h.Init : null,
    Memory: num(h.Memory, 'HostConfig.Memory'),
    NanoCpus: num(h.NanoCpus, 'HostConfig.NanoCpus'),
    CpuShares: num(h.CpuShares, 'HostConfig.CpuShares'),
    CpuPeriod: num(h.CpuPeriod, 'HostConfig.CpuPeriod'),
    CpuQuota: num(h.CpuQuota, 'HostConfig.CpuQuota'),
    PidsLimit: typeof h.PidsLimit === 'number' ? h.PidsLimit : null,
    Ulimits: Array.isArray(h.Ulimits) ? (h.Ulimits as HostConfig['Ulimits']) : null,
  };
  if (out.AutoRemove && out.RestartPolicy.Name !== 'no' && out.RestartPolicy.Name !== '') {
    throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
  }
  if (out.Memory !== 0 && out.Memory < 6 * 1024 * 1024) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  if (out.ShmSize < 0) throw new InvalidArgumentError('SHM size can not be less than 0');
  if (out.NanoCpus < 0) throw new InvalidArgumentError('Range of CPUs is from 0.01 to the number of CPUs available');
  const nm = out.NetworkMode;
  if (nm.startsWith('container:') && nm.length === 'container:'.length) throw new InvalidArgumentError('Invalid network mode: invalid container format container:<name|id>');
  return out;
}

/** Docker's merge of the image's config into the container's (daemon/commit.go merge). */
export function mergeImageConfig(c: ContainerConfig, img: ImageConfig): ContainerConfig {
  const out: ContainerConfig = { ...c };
  if (out.User === '') out.User = img.User ?? '';
  if (!out.ExposedPorts || Object.keys(out.ExposedPorts).length === 0) out.ExposedPorts = img.ExposedPorts ? { ...img.ExposedPorts } : out.ExposedPorts;
  else if (img.ExposedPorts) out.ExposedPorts = { ...img.ExposedPorts, ...out.ExposedPorts };
  // Env: the user's first, then the image's variables the user did not set (moby's merge)
  if (!out.Env || out.Env.length === 0) out.Env = [...(img.Env ?? [])];
  else {
    const keys = new Set(out.Env.map((e) => e.split('=')[0]));
    out.Env = [...out.Env, ...(img.Env ?? []).filter((e) => !keys.has(e.split('=')[0]))];
  }
  // `--entrypoint ""` ([""]) keeps the image's CMD out, then resets the entrypoint
  if (!out.Entrypoint || out.Entrypoint.length === 0) {
    if (!out.Cmd || out.Cmd.length === 0) out.Cmd = img.Cmd ?? null;
    if (out.Entrypoint === null) out.Entrypoint = img.Entrypoint ?? null;
  }
  if (out.Entrypoint !== null && out.Entrypoint.length === 1 && out.Entrypoint[0] === '') out.Entrypoint = null;
  if (!out.WorkingDir) out.WorkingDir = img.WorkingDir ?? '';
  if (!out.Volumes || Object.keys(out.Volumes).length === 0) out.Volumes = img.Volumes ?? out.Volumes;
  else if (img.Volumes) out.Volumes = { ...img.Volumes, ...out.Volumes };
  if (!out.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  const hc = mergeHealthcheck(out.Healthcheck as HealthConfig | undefined, img.Healthcheck as HealthConfig | undefined);
  if (hc) out.Healthcheck = hc as Record<string, unknown>;
  out.Labels = { ...(img.Labels ?? {}), ...out.Labels };
  if (!out.OnBuild) out.OnBuild = null;
  return out;
}

/** Path and Args as Docker splits them: entrypoint + cmd. */
export function commandLine(c: ContainerConfig): { path: string; args: string[] } {
  const all = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (all.length === 0) throw new InvalidArgumentError('no command specified');
  return { path: all[0]!, args: all.slice(1) };
}

/** The process environment: user+image env plus Docker's defaults (PATH, HOSTNAME, TERM with a tty, HOME). */
export function processEnv(c: ContainerConfig, hostname: string, home: string, linkEnv: readonly string[] = []): string[] {
  // dockerd's CreateDaemonEnvironment: PATH, HOSTNAME, TERM with a TTY, the legacy --link variables, then the
  // container's env replacing or appending; the runtime adds HOME from the user's passwd entry when it is not set
  const base = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`];
  if (c.Tty) base.push('TERM=xterm');
  base.push(...linkEnv);
  const env = replaceOrAppendEnv(base, c.Env ?? []);
  if (!env.some((e) => e.split('=')[0] === 'HOME')) env.push(`HOME=${home}`);
  return env;
}
