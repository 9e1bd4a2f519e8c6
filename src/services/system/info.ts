import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { ENGINE_VERSION } from '../../api/engine/version.ts';
import type { DaemonConfig } from '../../domain/config/daemon-config.ts';
import { formatPrefix } from '../../domain/registry/ip.ts';
import type { RegistrySettings } from '../../domain/registry/registry-config.ts';

/** What SecurityOptions shows: the daemon's seccomp profile (builtin, unconfined or a path) and user namespaces. */
export interface InfoSecurity {
  seccompProfile: string;
  userns: boolean;
}

export interface InfoCounts {
  containers: { running: number; paused: number; stopped: number };
  images: number;
}

async function osRelease(): Promise<string> {
  try {
    const t = await readFile('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(t)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

/** GET /info: the daemon's description in dockerd's shape. */
export class SystemInfo {
  readonly kernelVersion = os.release();
  readonly #cfg: () => DaemonConfig;
  readonly #counts: () => InfoCounts;
  readonly #id: string;
  readonly #runtimes: () => { default: string; names: string[]; paths: Record<string, string> };
  readonly #cgroupVersion: string;
  readonly #registry: () => RegistrySettings;
  readonly #rootDir: string | undefined;
  readonly #security: InfoSecurity;
  #osName?: string;

  constructor(o: {
    cfg: () => DaemonConfig;
    counts: () => InfoCounts;
    id: string;
    runtimes: () => { default: string; names: string[]; paths: Record<string, string> };
    cgroupVersion: string;
    registryConfig: () => RegistrySettings;
    /** The data root in use ("Docker Root Dir"): `<data-root>/<uid>.<gid>` with --userns-remap. Default: data-root. */
    dockerRootDir?: string;
    security?: InfoSecurity;
  }) {
    this.#registry = o.registryConfig;
    this.#rootDir = o.dockerRootDir;
    this.#security = o.security ?? { seccompProfile: 'builtin', userns: false };
    this.#cfg = o.cfg;
    this.#counts = o.counts;
    this.#id = o.id;
    this.#runtimes = o.runtimes;
    this.#cgroupVersion = o.cgroupVersion;
  }

  /** dockerd's RegistryConfig shape (docker info prints "Insecure Registries" and "Registry Mirrors" from it). */
  #registryConfig(): Record<string, unknown> {
    const r = this.#registry();
    const mirrors = r.mirrors.length ? r.mirrors : null;
    const indexConfigs: Record<string, unknown> = {
      'docker.io': { Name: 'docker.io', Mirrors: r.mirrors, Secure: true, Official: true },
    };
    for (const h of r.insecure.hosts) indexConfigs[h] = { Name: h, Mirrors: [], Secure: false, Official: false };
    return {
      AllowNondistributableArtifactsCIDRs: r.nondistributable.cidrs.length ? r.nondistributable.cidrs.map(formatPrefix) : null,
      AllowNondistributableArtifactsHostnames: r.nondistributable.hosts.size ? [...r.nondistributable.hosts] : null,
      InsecureRegistryCIDRs: r.insecure.cidrs.map(formatPrefix),
      IndexConfigs: indexConfigs,
      Mirrors: mirrors,
    };
  }

  #warnings(cfg: DaemonConfig): string[] | null {
    const w: string[] = [];
    if (cfg.hosts.some((h) => h.startsWith('tcp://')) && !cfg.tlsverify) w.push('WARNING: API is accessible on a TCP port without encryption.');
    if (this.#security.seccompProfile !== 'builtin') w.push('WARNING: daemon is not using the default seccomp profile');
    return w.length ? w : null;
  }

  async info(): Promise<Record<string, unknown>> {
    const cfg = this.#cfg();
    const c = this.#counts();
    this.#osName ??= await osRelease();
    const rt = this.#runtimes();
    const runtimes: Record<string, { path: string }> = {};
    for (const n of rt.names) runtimes[n] = { path: rt.paths[n]! };
    return {
      ID: this.#id,
      Containers: c.containers.running + c.containers.paused + c.containers.stopped,
      ContainersRunning: c.containers.running,
      ContainersPaused: c.containers.paused,
      ContainersStopped: c.containers.stopped,
      Images: c.images,
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', 'extfs'],
        ['Supports d_type', 'true'],
        ['Using metacopy', 'false'],
        ['Native Overlay Diff', 'true'],
        ['userxattr', 'false'],
      ],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['journald', 'json-file', 'k8s-file', 'local', 'none', 'syslog'] },
      MemoryLimit: true,
      SwapLimit: true,
      KernelMemory: false,
      KernelMemoryTCP: false,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: cfg['ip-forward'],
      BridgeNfIptables: false,
      BridgeNfIp6tables: false,
      Debug: cfg.debug,
      NFd: 0,
      OomKillDisable: true,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: cfg['log-driver'],
      CgroupDriver: 'cgroupfs',
      CgroupVersion: this.#cgroupVersion,
      NEventsListener: 0,
      KernelVersion: this.kernelVersion,
      OperatingSystem: this.#osName,
      OSVersion: '',
      OSType: 'linux',
      Architecture: os.machine(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: this.#registryConfig(),
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      GenericResources: null,
      DockerRootDir: this.#rootDir ?? cfg['data-root'],
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: os.hostname(),
      Labels: cfg.labels,
      ExperimentalBuild: false,
      ServerVersion: ENGINE_VERSION,
      Runtimes: runtimes,
      DefaultRuntime: rt.default,
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '' },
      RuncCommit: { ID: '' },
      InitCommit: { ID: '' },
      SecurityOptions: [`name=seccomp,profile=${this.#security.seccompProfile}`, ...(this.#security.userns ? ['name=userns'] : [])],
      CDISpecDirs: [],
      Warnings: this.#warnings(cfg),
    };
  }
}
