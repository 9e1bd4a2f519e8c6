/**
 * `run`/`create` flags → the POST /containers/create body, built field by field in the order and with the
 * null/[]/{} choices docker CLI 28 sends (container/opts.go parse + client ContainerCreate normalisation).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseExposeSpec, parsePortSpecs, toStandardNotation } from '../../domain/net/ports.ts';
import type { ContainerOptions } from './container-flags.ts';
import { parseKvFile } from './kvfile.ts';
import { parseVolumeSpec } from './mounts.ts';
import { isCdiDevice, parseDevice } from './devices.ts';
import { kvMap, sorted } from './kv.ts';
import { InvalidParameter, parseNetworkOpts } from './network-config.ts';
import { validateMACAddress } from './validators.ts';

export { InvalidParameter };

export interface ContainerConfig {
  Config: Record<string, unknown>;
  HostConfig: Record<string, unknown>;
  NetworkingConfig: { EndpointsConfig: Record<string, Record<string, unknown>> };
}

type Env = Record<string, string | undefined>;

function nilIfEmpty<T>(a: T[]): T[] | null {
  return a.length ? a : null;
}

/** The -e values after docker's proxy-config merge: one entry per variable, "K" when it has no value. */
function mergeEnv(values: string[]): string[] {
  const m = new Map<string, string | undefined>();
  for (const v of values) {
    const i = v.indexOf('=');
    m.set(i >= 0 ? v.slice(0, i) : v, i >= 0 ? v.slice(i + 1) : undefined);
  }
  return [...m].map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
}

function parseRestartPolicy(policy: string): { Name: string; MaximumRetryCount: number } {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const i = policy.indexOf(':');
  const k = i >= 0 ? policy.slice(0, i) : policy;
  const v = i >= 0 ? policy.slice(i + 1) : '';
  if (i >= 0 && k === '') throw new Error('invalid restart policy format: no policy provided before colon');
  let count = 0;
  if (v !== '') {
    if (!/^[+-]?\d+$/.test(v)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
    count = Number(v);
  }
  return { Name: k, MaximumRetryCount: count };
}

function parseSecurityOpts(opts: string[]): string[] {
  return opts.map((opt) => {
    let i = opt.indexOf('=');
    let k = i >= 0 ? opt.slice(0, i) : opt;
    if (i < 0 && k !== 'no-new-privileges') {
      i = opt.indexOf(':');
      k = i >= 0 ? opt.slice(0, i) : opt;
    }
    const v = i >= 0 ? opt.slice(i + 1) : '';
    if ((i < 0 || v === '') && k !== 'no-new-privileges') throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (k === 'seccomp' && v !== 'builtin' && v !== 'unconfined') {
      let f: string;
      try {
        f = readFileSync(v, 'utf8');
      } catch (err) {
        throw new Error(`opening seccomp profile (${v}) failed: open ${v}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
      }
      let compact: string;
      try {
        compact = JSON.stringify(JSON.parse(f));
      } catch (err) {
        throw new Error(`compacting json for seccomp profile (${v}) failed: ${(err as Error).message}`);
      }
      return `seccomp=${compact}`;
    }
    return opt;
  });
}

function normalizeCapabilities(caps: string[]): string[] | null {
  const out: string[] = [];
  for (let c of caps) {
    c = c.toUpperCase();
    if (c !== 'ALL' && !c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!out.includes(c)) out.push(c);
  }
  out.sort();
  return out.length ? out : null;
}

export interface ParseInput {
  image: string;
  args: string[];
  /** Names of the flags given (entrypoint/stop-timeout/init matter when explicitly set). */
  changed: Set<string>;
  env: Env;
  cwd?: string;
}

/** container/opts.go parse(): flags → Config, HostConfig, NetworkingConfig. */
export function buildContainerConfig(o: ContainerOptions, input: ParseInput): ContainerConfig {
  const cwd = input.cwd ?? process.cwd();
  let attachStdin = o.attach.includes('stdin');
  let attachStdout = o.attach.includes('stdout');
  let attachStderr = o.attach.includes('stderr');
  if (o.macAddress) {
    try {
      validateMACAddress(o.macAddress);
    } catch {
      throw new Error(`${o.macAddress} is not a valid mac address`);
    }
  }
  if (o.interactive) attachStdin = true;
  if (o.attach.length === 0) {
    attachStdout = true;
    attachStderr = true;
  }
  const swappiness = o.memorySwappiness;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new Error(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);

  const volumes: Record<string, object> = {};
  const binds: string[] = [];
  for (const bind of new Set(o.volume)) {
    const parsed = parseVolumeSpec(bind);
    if (parsed.source !== '') {
      let toBind = bind;
      if (parsed.type === 'bind') {
        const i = bind.indexOf(':');
        if (i >= 0) {
          let host = bind.slice(0, i);
          if (!host.startsWith('/') && host.startsWith('.')) host = resolve(cwd, host);
          toBind = `${host}:${bind.slice(i + 1)}`;
        }
      }
      binds.push(toBind);
    } else {
      volumes[bind] = {};
    }
  }
  const tmpfs: Record<string, string> = {};
  for (const t of o.tmpfs) {
    const i = t.indexOf(':');
    tmpfs[i >= 0 ? t.slice(0, i) : t] = i >= 0 ? t.slice(i + 1) : '';
  }

  const cmd = input.args.length > 0 ? input.args : null;
  let entrypoint: string[] | null = null;
  if (o.entrypoint !== '') entrypoint = [o.entrypoint];
  else if (input.changed.has('entrypoint')) entrypoint = [''];

  const published = o.publish.map(toStandardNotation);
  const { exposedPorts, portBindings } = parsePortSpecs(published);
  for (const e of o.expose) {
    for (const p of parseExposeSpec(e)) exposedPorts[p] ??= {};
  }

  const deviceMappings: ReturnType<typeof parseDevice>[] = [];
  const cdiDevices: string[] = [];
  for (const d of o.device) {
    if (isCdiDevice(d)) {
      cdiDevices.push(d);
      continue;
    }
    deviceMappings.push(parseDevice(d));
  }

  const lookup = (k: string) => input.env[k];
  const envFromFiles = o.envFile.flatMap((f) => parseKvFile(f, lookup, cwd));
  const envAll = [...envFromFiles, ...mergeEnv(o.env)];
  const labelsAll = [...o.labelFile.flatMap((f) => parseKvFile(f, undefined, cwd)), ...o.label];

  if (!(o.pid === '' || o.pid === 'host' || /^container:.+/.test(o.pid))) throw new Error('--pid: invalid PID mode');
  if (!(o.uts === '' || o.uts === 'host')) throw new Error('--uts: invalid UTS mode');
  if (!(o.userns === '' || o.userns === 'host')) throw new Error('--userns: invalid USER mode');
  if (!['', 'host', 'private'].includes(o.cgroupns)) throw new Error('--cgroupns: invalid CGROUP mode');

  const restartPolicy = parseRestartPolicy(o.restart);
  if (o.logDriver === 'none' && o.logOpt.length > 0) throw new Error(`invalid logging opts for driver ${o.logDriver}`);
  const loggingOpts = kvMap(o.logOpt);
  let securityOpts = parseSecurityOpts(o.securityOpt);
  let maskedPaths: string[] | null = null;
  let readonlyPaths: string[] | null = null;
  if (securityOpts.includes('systempaths=unconfined')) {
    maskedPaths = [];
    readonlyPaths = [];
    securityOpts = securityOpts.filter((s) => s !== 'systempaths=unconfined');
  }
  const storageOpts: Record<string, string> = {};
  for (const s of o.storageOpt) {
    const i = s.indexOf('=');
    if (i < 0) throw new Error('invalid storage option');
    storageOpts[s.slice(0, i)] = s.slice(i + 1);
  }

  let healthcheck: Record<string, unknown> | undefined;
  const haveHealth = o.healthCmd !== '' || o.healthInterval !== 0 || o.healthTimeout !== 0 || o.healthStartPeriod !== 0 || o.healthRetries !== 0 || o.healthStartInterval !== 0;
  if (o.noHealthcheck) {
    if (haveHealth) throw new Error('--no-healthcheck conflicts with --health-* options');
    healthcheck = { Test: ['NONE'] };
  } else if (haveHealth) {
    if (o.healthInterval < 0) throw new Error('--health-interval cannot be negative');
    if (o.healthTimeout < 0) throw new Error('--health-timeout cannot be negative');
    if (o.healthRetries < 0) throw new Error('--health-retries cannot be negative');
    if (o.healthStartPeriod < 0) throw new Error('--health-start-period cannot be negative');
    if (o.healthStartInterval < 0) throw new Error('--health-start-interval cannot be negative');
    healthcheck = {};
    if (o.healthCmd !== '') healthcheck.Test = ['CMD-SHELL', o.healthCmd];
    if (o.healthInterval) healthcheck.Interval = o.healthInterval;
    if (o.healthTimeout) healthcheck.Timeout = o.healthTimeout;
    if (o.healthStartPeriod) healthcheck.StartPeriod = o.healthStartPeriod;
    if (o.healthStartInterval) healthcheck.StartInterval = o.healthStartInterval;
    if (o.healthRetries) healthcheck.Retries = o.healthRetries;
  }

  const deviceRequests: Record<string, unknown>[] = [...o.gpus];
  if (cdiDevices.length) deviceRequests.push({ Driver: 'cdi', Count: 0, DeviceIDs: cdiDevices, Capabilities: null, Options: null });

  const networkMode = o.network.length ? o.network[0]!.Target : 'default';
  const config: Record<string, unknown> = {
    Hostname: o.hostname,
    Domainname: o.domainname,
    User: o.user,
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
  };
  if (Object.keys(exposedPorts).length) config.ExposedPorts = sorted(exposedPorts);
  Object.assign(config, { Tty: o.tty, OpenStdin: o.interactive, StdinOnce: o.interactive && attachStdin, Env: nilIfEmpty(envAll), Cmd: cmd });
  if (healthcheck) config.Healthcheck = healthcheck;
  Object.assign(config, { Image: input.image, Volumes: sorted(volumes), WorkingDir: o.workdir, Entrypoint: entrypoint, OnBuild: null, Labels: kvMap(labelsAll) });
  if (o.stopSignal) config.StopSignal = o.stopSignal;
  if (input.changed.has('stop-timeout')) config.StopTimeout = o.stopTimeout;

  const hostConfig: Record<string, unknown> = {
    Binds: nilIfEmpty(binds),
    ContainerIDFile: o.cidfile,
    LogConfig: { Type: o.logDriver, Config: loggingOpts },
    NetworkMode: networkMode,
    PortBindings: sorted(portBindings),
    RestartPolicy: restartPolicy,
    AutoRemove: o.rm,
    VolumeDriver: o.volumeDriver,
    VolumesFrom: nilIfEmpty(o.volumesFrom),
    ConsoleSize: [0, 0],
  };
  if (Object.keys(o.annotation).length) hostConfig.Annotations = sorted(o.annotation);
  Object.assign(hostConfig, {
    CapAdd: normalizeCapabilities(o.capAdd),
    CapDrop: normalizeCapabilities(o.capDrop),
    CgroupnsMode: o.cgroupns,
    Dns: [...o.dns],
    DnsOptions: [...o.dnsOption],
    DnsSearch: [...o.dnsSearch],
    ExtraHosts: nilIfEmpty(o.addHost),
    GroupAdd: nilIfEmpty(o.groupAdd),
    IpcMode: o.ipc,
    Cgroup: '',
    Links: nilIfEmpty(o.link),
    OomScoreAdj: o.oomScoreAdj,
    PidMode: o.pid,
    Privileged: o.privileged,
    PublishAllPorts: o.publishAll,
    ReadonlyRootfs: o.readOnly,
    SecurityOpt: nilIfEmpty(securityOpts),
  });
  if (Object.keys(storageOpts).length) hostConfig.StorageOpt = sorted(storageOpts);
  if (Object.keys(tmpfs).length) hostConfig.Tmpfs = sorted(tmpfs);
  Object.assign(hostConfig, { UTSMode: o.uts, UsernsMode: o.userns, ShmSize: o.shmSize });
  if (Object.keys(o.sysctl).length) hostConfig.Sysctls = sorted(o.sysctl);
  if (o.runtime) hostConfig.Runtime = o.runtime;
  Object.assign(hostConfig, {
    Isolation: o.isolation,
    CpuShares: o.cpuShares,
    Memory: o.memory,
    NanoCpus: o.cpus,
    CgroupParent: o.cgroupParent,
    BlkioWeight: o.blkioWeight,
    BlkioWeightDevice: [...o.blkioWeightDevice],
    BlkioDeviceReadBps: [...o.deviceReadBps],
    BlkioDeviceWriteBps: [...o.deviceWriteBps],
    BlkioDeviceReadIOps: [...o.deviceReadIops],
    BlkioDeviceWriteIOps: [...o.deviceWriteIops],
    CpuPeriod: o.cpuPeriod,
    CpuQuota: o.cpuQuota,
    CpuRealtimePeriod: o.cpuRtPeriod,
    CpuRealtimeRuntime: o.cpuRtRuntime,
    CpusetCpus: o.cpusetCpus,
    CpusetMems: o.cpusetMems,
    Devices: deviceMappings,
    DeviceCgroupRules: nilIfEmpty(o.deviceCgroupRule),
    DeviceRequests: nilIfEmpty(deviceRequests),
    MemoryReservation: o.memoryReservation,
    MemorySwap: o.memorySwap,
    MemorySwappiness: o.memorySwappiness,
    OomKillDisable: o.oomKillDisable,
    PidsLimit: o.pidsLimit,
    Ulimits: [...o.ulimit],
    CpuCount: o.cpuCount,
    CpuPercent: o.cpuPercent,
    IOMaximumIOps: o.ioMaxiops,
    IOMaximumBandwidth: o.ioMaxbandwidth,
  });
  if (o.mount.length) hostConfig.Mounts = o.mount;
  Object.assign(hostConfig, { MaskedPaths: maskedPaths, ReadonlyPaths: readonlyPaths });
  if (input.changed.has('init')) hostConfig.Init = o.init;

  if (o.rm && restartPolicy.Name !== '' && restartPolicy.Name !== 'no') throw new Error('conflicting options: cannot specify both --restart and --rm');

  const endpoints = parseNetworkOpts(o);
  return { Config: config, HostConfig: hostConfig, NetworkingConfig: { EndpointsConfig: endpoints } };
}

/** The create request body: Config's fields at the top level, then HostConfig and NetworkingConfig. */
export function createBody(c: ContainerConfig): Record<string, unknown> {
  return { ...c.Config, HostConfig: c.HostConfig, NetworkingConfig: c.NetworkingConfig };
}
