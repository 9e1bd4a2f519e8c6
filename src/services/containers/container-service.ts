import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { updateHosts } from '../../domain/net/hosts.ts';
import { join } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, InvalidArgumentError, NotModifiedError, SystemError, errorMessage } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import type { Logger } from '../../common/log.ts';
import { UndoStack } from '../../common/undo.ts';
import { commandLine, mergeImageConfig, normalizeConfig, normalizeHostConfig, validateName } from '../../domain/container/normalize.ts';
import { parseSignal, restartDelayMs, shouldRestart } from '../../domain/container/status.ts';
import { DEFAULT_CAPABILITIES } from '../../domain/oci-spec/defaults.ts';
import { seccompFor } from '../../domain/oci-spec/seccomp.ts';
import { DOCKER_DEFAULT_SECCOMP } from '../../domain/oci-spec/seccomp-default.ts';
import type { ContainerRecord, } from '../../domain/container/types.ts';
import { ZERO_TIME, initialState } from '../../domain/container/types.ts';
import type { ContainerLogs, LogTracker } from '../../drivers/logging/contract.ts';
import { type LogSetup, logSetup, mergeLogSettings, probeLogHost } from '../../drivers/logging/drivers.ts';
import type { AttachStreams, ContainerRuntime } from '../../drivers/runtime/contract.ts';
import { mountOverlay, unmount } from '../../system/mount/mount.ts';
import { run } from '../../system/exec/exec.ts';
import { classifyStartError } from '../../domain/oci-spec/start-error.ts';
import type { DaemonSeccomp } from '../../domain/oci-spec/daemon-security.ts';
import { verifyUsernsSettings } from '../../domain/userns/container.ts';
import type { IdentityMapping } from '../../domain/userns/id-map.ts';
import type { EventsService } from '../events/events.ts';
import type { ContainersForImages, ImageConfig, ImagesForContainers, RootfsLayout } from '../images/contract.ts';
import type { ContainerHooks, ContainerRef, EndpointSettings, NetnsChoice, NetworkSettingsOut, NetworksForContainers, SandboxSpec } from '../networks/contract.ts';
import type { VolumesForContainers } from '../volumes/contract.ts';
import { CgroupHost, cgroupUpdateOf } from '../../system/cgroups/cgroups.ts';
import { type StatsSample, sampleStats } from './stats.ts';
import { HealthMonitor } from './health-monitor.ts';
import { OomWatcher } from './oom-watch.ts';
import { SeccompBpfCache } from './seccomp-bpf.ts';
import { resolveNamespaces } from './namespaces.ts';
import { type HostSecurity, probeHostSecurity } from './security.ts';
import { verifyCreateSettings } from './create-settings.ts';
import { cannotUpdate, planUpdate } from './update-plan.ts';
import { ContainerMounts } from './mounts.ts';
import { WaitList } from './wait-list.ts';
import { makeRuntimeDir, runtimeDirGroup } from './runtime-dir.ts';
import { LayerView, resolveInView } from './fs-view.ts';
import { buildContainerSpec, cgroupParentOf } from './spec.ts';
import { ContainerStore } from './store.ts';

export interface RuntimeInfo {
  name: string;
  path: string;
  args?: string[];
}

export interface ContainerServiceOptions {
  dataRoot: string;
  execRoot: string;
  runtime: ContainerRuntime;
  /** Resolves a runtime name (HostConfig.Runtime or the default) to its binary. */
  runtimes: () => { default: string; table: Record<string, RuntimeInfo> };
  images: ImagesForContainers;
  networks: NetworksForContainers;
  volumes: VolumesForContainers;
  /** The host's cgroups (default: detected under /sys/fs/cgroup). */
  cgroups?: CgroupHost;
  events: EventsService;
  logs: ContainerLogs;
  log: Logger;
  defaults: () => {
    init: boolean;
    initPath: string;
    logOpts: Record<string, string>;
    /** The daemon's --log-driver (default json-file). */
    logDriver?: string;
    ulimits: { Name: string; Soft: number; Hard: number }[];
    shutdownTimeout: number;
    maxNofile?: number;
    cgroupParent?: string;
    /** dockerd's default-ipc-mode, default-cgroupns-mode, default-shm-size (bytes). */
    ipcMode?: string;
    cgroupnsMode?: string;
    shmSize?: number;
    /** Host paths dockerd also masks (probeRuntimes' hostMaskedPaths: each CPU's thermal_throttle). */
    hostMaskedPaths?: string[];
    /** The daemon's --userns-remap mapping, --seccomp-profile and --no-new-privileges (see buildContainerSpec). */
    idMapping?: IdentityMapping;
    seccomp?: DaemonSeccomp;
    noNewPrivileges?: boolean;
  };
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

interface Waiter {
  condition: WaitCondition;
  resolve: (r: { StatusCode: number; Error: { Message: string } | null }) => void;
}


/** What the daemon last wrote into a container's /etc/hosts (so that connect and disconnect keep the container's own lines). */
const HOSTS_BASE = 'hosts.base';

/**
 * The container lifecycle: create, start, stop, kill, wait, remove, restart policies, re-adoption after a daemon
 * restart. Containers run under conmon and outlive the daemon; this service only records and reacts.
 */
export class ContainerService implements ContainersForImages, ContainerHooks {
  readonly store: ContainerStore;
  readonly #o: ContainerServiceOptions;
  readonly #log: Logger;
  readonly #waiters = new WaitList<Waiter>();
  /** Attach requests waiting for the container's next start (docker run attaches before start). */
  readonly #pendingAttach = new WaitList<(s: AttachStreams | Error) => void>();
  readonly #monitors = new Map<string, AbortController>();
  readonly #restartTimers = new Map<string, NodeJS.Timeout>();
  /** Consecutive quick failures, for the restart back-off. */
  readonly #backoff = new Map<string, number>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #trackers = new Map<string, LogTracker>();
  /** Containers whose runtime resources were released since their last start (in memory: a restart re-checks). */
  readonly #cleaned = new Set<string>();
  readonly #mounts: ContainerMounts;
  readonly #health: HealthMonitor;
  readonly #cgroups: CgroupHost;
  readonly #oom: OomWatcher;
  readonly #security: HostSecurity = probeHostSecurity();
  readonly #bpf: SeccompBpfCache;
  readonly #logHost = probeLogHost(existsSync);

  constructor(o: ContainerServiceOptions) {
    this.#o = o;
    this.#log = o.log;
    this.store = new ContainerStore(join(o.dataRoot, 'containers'));
    this.#cgroups = o.cgroups ?? CgroupHost.detect();
    this.#bpf = new SeccompBpfCache(join(o.dataRoot, 'seccomp-cache'), o.log);
    this.#oom = new OomWatcher(this.#cgroups, (rec) => this.#emit(rec, 'oom'));
    this.#mounts = new ContainerMounts({ volumes: o.volumes, findContainer: (ref) => this.store.find(ref), idMapping: () => o.defaults().idMapping });
    this.#health = new HealthMonitor({
      runtime: o.runtime,
      log: o.log,
      runtimeDir: (id) => this.runtimeDir(id),
      runtimePath: (rec) => this.#runtimeFor(rec).path,
      emit: (rec, action, extra) => this.#emit(rec, action, extra),
      saved: (rec) => this.store.save(rec),
    });
  }

  /** Serializes lifecycle operations per container. */
  async #locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.then(
      () => {},
      () => {},
    );
    this.#locks.set(id, settled);
    try {
      return await next;
    } finally {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    }
  }

  /**
   * Runs `fn` under the container's lifecycle lock (start, stop and exit handling wait for it): `docker cp` must
   * not write a stopped container's layers while a start mounts them.
   */
  exclusive<T>(ref: string, fn: (rec: ContainerRecord) => Promise<T>): Promise<T> {
    const rec = this.store.get(ref);
    return this.#locked(rec.Id, () => fn(rec));
  }

  runtimeDir(id: string): string {
    return join(this.#o.execRoot, 'containers', id);
  }
  rootfsPath(id: string): string {
    return join(this.runtimeDir(id), 'rootfs');
  }
  get logs(): ContainerLogs {
    return this.#o.logs;
  }
  logPath(id: string): string {
    return join(this.store.dir(id), `${id}-json.log`);
  }

  #emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.#o.events.emit({
      type: 'container',
      action,
      id: rec.Id,
      from: rec.Config.Image,
      attributes: { ...rec.Config.Labels, ...extra, image: rec.Config.Image, name: rec.Name.slice(1) },
    });
  }

  /** The container's logging driver and log files (none: no files), with the daemon's defaults. */
  #logSetup(rec: ContainerRecord): LogSetup {
    const d = this.#o.defaults();
    return logSetup(mergeLogSettings(rec.HostConfig.LogConfig, { driver: d.logDriver ?? 'json-file', opts: d.logOpts }), this.#logHost);
  }

  #runtimeFor(rec: ContainerRecord): RuntimeInfo {
    const rt = this.#o.runtimes();
    const name = rec.RuntimeName || rt.default;
    const info = rt.table[name];
    if (!info) throw new InvalidArgumentError(`unknown or invalid runtime name: ${name}`);
    return info;
  }

  // ---------------------------------------------------------------- create

  async create(ctx: Ctx, name: string | undefined, body: Record<string, unknown>): Promise<{ Id: string; Warnings: string[] }> {
    const config = normalizeConfig(body);
    const hostConfig = normalizeHostConfig(body.HostConfig);
    if (hostConfig.NetworkMode.startsWith('container:')) {
      if (config.Hostname) throw new InvalidArgumentError('conflicting options: hostname and the network mode');
      // the request's own --expose (an image's EXPOSE is fine), as dockerd's validateNetContainerMode
      // (-p implies exposed ports: publishing gets its own error, from the network validation, first)
      const publishes = Object.keys(hostConfig.PortBindings ?? {}).length > 0 || hostConfig.PublishAllPorts;
      if (!publishes && Object.keys(config.ExposedPorts ?? {}).length > 0) throw new InvalidArgumentError('conflicting options: port exposing and the container type network mode');
    }
    const dd = this.#o.defaults();
    const settingWarnings = verifyCreateSettings(hostConfig, config, this.#cgroups.caps, this.#security, { ipcMode: dd.ipcMode, cgroupnsMode: dd.cgroupnsMode, shmSize: dd.shmSize }, dd.hostMaskedPaths);
    verifyUsernsSettings(hostConfig, dd.idMapping !== undefined);
    if (!config.Image) throw new InvalidArgumentError('No image specified');
    const rtNames = this.#o.runtimes();
    if (hostConfig.Runtime && !rtNames.table[hostConfig.Runtime]) throw new InvalidArgumentError(`unknown or invalid runtime name: ${hostConfig.Runtime}`);
    const image = await this.#o.images.resolve(config.Image);
    const merged = mergeImageConfig(config, image.config);
    const { path, args } = commandLine(merged);
    const id = newId();
    const fullName = name ? validateName(name) : await this.#generateName();
    // the host's name on the host's network, else the short id (dockerd)
    if (!merged.Hostname) merged.Hostname = hostConfig.NetworkMode === 'host' ? hostname() : id.slice(0, 12);
    // dockerd keeps the donor's id: a rename of the donor does not cut the joiner off
    const donor = this.#netnsDonor(hostConfig.NetworkMode);
    if (donor) hostConfig.NetworkMode = `container:${donor.Id}`;
    const nc = body.NetworkingConfig as { EndpointsConfig?: Record<string, unknown> } | undefined;
    const rec: ContainerRecord = {
      Id: id,
      Name: fullName,
      Created: new Date().toISOString(),
      Path: path,
      Args: args,
      Config: merged,
      HostConfig: hostConfig,
      Image: image.id,
      State: initialState(),
      RestartCount: 0,
      NetworkSettings: { Ports: {}, Networks: {}, SandboxKey: '' },
      Mounts: [],
      RuntimeName: hostConfig.Runtime || rtNames.default,
      ManuallyStopped: false,
      HasBeenStartedBefore: false,
    };
    rec.EndpointsConfig = (nc?.EndpointsConfig ?? {}) as ContainerRecord['EndpointsConfig'];
    const modeNetworkId = hostConfig.NetworkMode.includes(':') ? undefined : this.#o.networks.networkIdOf(hostConfig.NetworkMode);
    if (modeNetworkId) rec.ModeNetworkId = modeNetworkId;
    const warnings = [...settingWarnings, ...((await this.#o.networks.validate(ctx, this.#sandboxSpec(rec))) ?? [])];
    // the daemon's driver and options filled in and checked now, as dockerd's mergeAndVerifyLogConfig
    hostConfig.LogConfig = mergeLogSettings(hostConfig.LogConfig, { driver: dd.logDriver ?? 'json-file', opts: dd.logOpts });
    logSetup(hostConfig.LogConfig, this.#logHost);
    const undo = new UndoStack();
    this.store.reserveName(fullName, id);
    undo.push('release name', () => this.store.releaseName(fullName, id));
    try {
      await this.#o.images.prepareRootfs(ctx, id, image.id);
      undo.push('remove rootfs', () => this.#o.images.removeRootfs(ctx, id));
      await this.#createMounts(ctx, rec, undo);
      await mkdir(this.store.dir(id), { recursive: true });
      undo.push('remove dir', () => rm(this.store.dir(id), { recursive: true, force: true }));
      await this.store.save(rec);
      undo.commit();
    } catch (err) {
      await undo.unwind(ctx.log);
      throw err;
    }
    this.#emit(rec, 'create');
    return { Id: id, Warnings: warnings };
  }

  /** The container whose network namespace a `container:<name|id>` NetworkMode joins (undefined otherwise). */
  #netnsDonor(networkMode: string): ContainerRecord | undefined {
    return networkMode.startsWith('container:') ? this.store.find(networkMode.slice('container:'.length)) : undefined;
  }

  async #generateName(): Promise<string> {
    const { randomName } = await import('../../domain/container/names.ts');
    for (let i = 0; i < 10; i++) {
      const n = `/${randomName(i > 2)}`;
      if (!this.store.find(n)) return n;
    }
    return `/${newId().slice(0, 12)}`;
  }

  /** Where a shareable IPC donor's /dev/shm lives on the host (dockerd's <container>/mounts/shm). */
  shmPath(rec: ContainerRecord): string {
    return join(this.store.dir(rec.Id), 'mounts', 'shm');
  }

  /** Mount points, volumes (created and referenced now) and the copy of the image's content into new ones. */
  async #createMounts(ctx: Ctx, rec: ContainerRecord, undo: UndoStack): Promise<void> {
    const created: string[] = [];
    const mps = await this.#mounts.register(ctx, rec, created);
    undo.push('release volumes', () => this.#mounts.discard(ctx, rec, mps, created));
    await this.#mounts.createImageVolumes(ctx, rec, mps, created);
    rec.MountPoints = mps;
    const todo = await this.#mounts.toPopulate(mps);
    if (todo.length === 0) return;
    // read the image's layers first (no mount): an empty volume at a path the image does not have needs no copy
    const imageTargets = this.#mounts.imageVolumeTargets(rec, {});
    if (imageTargets.length === 0 && !(await imageHasDirs(ctx, await this.#o.images.rootfsLayout(rec.Id, rec.Image), todo.map((m) => m.Destination)))) return;
    const rootfs = await makeRuntimeDir(this.runtimeDir(rec.Id), undefined);
    try {
      await mountOverlay(ctx, await this.#o.images.rootfsLayout(rec.Id, rec.Image), rootfs);
      try {
        await this.#mounts.populate(ctx, rec, rootfs, todo, imageTargets);
      } finally {
        await unmount(ctx, rootfs);
      }
    } finally {
      await rm(this.runtimeDir(rec.Id), { recursive: true, force: true });
    }
  }

  sandboxSpec(rec: ContainerRecord): SandboxSpec {
    return this.#sandboxSpec(rec);
  }

  #sandboxSpec(rec: ContainerRecord): SandboxSpec {
    const eps = rec.EndpointsConfig ?? {};
    return {
      containerId: rec.Id,
      containerName: rec.Name.slice(1),
      hostname: rec.Config.Hostname,
      networkMode: rec.HostConfig.NetworkMode,
      endpointsConfig: eps,
      ...(rec.ModeNetworkDisconnected ? { modeDisconnected: true } : {}),
      ...(rec.ModeNetworkId ? { modeNetworkId: rec.ModeNetworkId } : {}),
      portBindings: rec.HostConfig.PortBindings ?? {},
      publishAllPorts: rec.HostConfig.PublishAllPorts,
      exposedPorts: rec.Config.ExposedPorts ?? {},
      dns: rec.HostConfig.Dns,
      dnsSearch: rec.HostConfig.DnsSearch,
      dnsOptions: rec.HostConfig.DnsOptions,
      extraHosts: rec.HostConfig.ExtraHosts ?? [],
      domainname: rec.Config.Domainname || undefined,
      links: rec.HostConfig.Links ?? undefined,
      macAddress: rec.Config.MacAddress,
    };
  }

  // ---------------------------------------------------------------- start

  async start(ctx: Ctx, ref: string): Promise<void> {
    const rec = this.store.get(ref);
    await this.#locked(rec.Id, () => this.#start(ctx, rec, false));
  }

  async #start(ctx: Ctx, rec: ContainerRecord, isRestart: boolean): Promise<void> {
    if (rec.State.Running && !rec.State.Restarting) {
      if (rec.State.Paused) throw new ConflictError(`cannot start a paused container, try unpause instead`);
      throw new NotModifiedError('container already started');
    }
    if (rec.State.Status === 'removing' || rec.State.Dead) throw new ConflictError(`container is marked for removal and cannot be started`);
    const timer = this.#restartTimers.get(rec.Id);
    if (timer) {
      clearTimeout(timer);
      this.#restartTimers.delete(rec.Id);
    }
    const rt = this.#runtimeFor(rec);
    const rdir = this.runtimeDir(rec.Id);
    const rootfs = this.rootfsPath(rec.Id);
    const undo = new UndoStack();
    this.#cleaned.delete(rec.Id);
    // the donor's names (its UTS is not shared, but the joiner takes its hostname and domainname, as dockerd)
    const donor = this.#netnsDonor(rec.HostConfig.NetworkMode);
    if (donor) {
      rec.Config.Hostname = donor.Config.Hostname;
      rec.Config.Domainname = donor.Config.Domainname;
    }
    const spec = this.#sandboxSpec(rec);
    try {
      const cdir = this.store.dir(rec.Id);
      const d = this.#o.defaults();
      const logCfg = this.#logSetup(rec).files;
      const logPath = logCfg ? this.logPath(rec.Id) : '';
      // independent steps run at once: the rootfs mount, the network allocation (+ its files), the log files
      const steps = await Promise.allSettled([
        (async () => {
          await rm(rdir, { recursive: true, force: true });
          await makeRuntimeDir(rdir, runtimeDirGroup(rec.HostConfig, d.idMapping));
          undo.push('remove runtime dir', () => rm(rdir, { recursive: true, force: true }));
          const layout = await this.#o.images.rootfsLayout(rec.Id, rec.Image);
          await mountOverlay(ctx, layout, rootfs);
          undo.push('unmount rootfs', () => unmount(ctx, rootfs));
        })(),
        (async () => {
          const netns = await this.#o.networks.netnsFor(ctx, spec);
          undo.push('release network', () => this.#o.networks.detach(ctx, rec.Id));
          const net = await this.#o.networks.allocate(ctx, spec);
          await Promise.all([
            writeFile(join(cdir, 'hosts'), net.hosts),
            writeFile(join(cdir, HOSTS_BASE), net.hosts),
            writeFile(join(cdir, 'resolv.conf'), net.resolvConf),
            writeFile(join(cdir, 'hostname'), `${rec.Config.Hostname}\n`),
          ]);
          return { netns, net };
        })(),
        logCfg ? this.#o.logs.prepare(logPath, logCfg) : Promise.resolve({ logSizeMax: 0 }),
      ]);
      const failed = steps.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const { netns, net } = (steps[1] as PromiseFulfilledResult<{ netns: NetnsChoice; net: NetworkSettingsOut }>).value;
      const { logSizeMax } = (steps[2] as PromiseFulfilledResult<{ logSizeMax: number }>).value;
      const namespaces = resolveNamespaces(rec, (ref) => this.store.find(ref), (r) => this.shmPath(r));
      if (rec.HostConfig.IpcMode === 'shareable') {
        await mountShm(ctx, this.shmPath(rec), rec.HostConfig.ShmSize);
        undo.push('unmount shm', () => unmount(ctx, this.shmPath(rec)));
      }
      const mounts = await this.#mounts.setup(ctx, rec);
      undo.push('unmount volumes', () => this.#mounts.unmountAll(ctx, rec));
      const ociSpec = await buildContainerSpec({ rec, rootfs, containerDir: cdir, netns, defaults: d, mounts, security: this.#security, namespaces, linkEnv: net.linkEnv });
      if (ociSpec.linux.seccomp && /(^|\/)crun$/.test(rt.path)) {
        // crun loads a precompiled filter as is instead of compiling the profile at each create
        const bpf = await this.#bpf.get(ctx, ociSpec.linux.seccomp);
        if (bpf) ociSpec.annotations = { ...ociSpec.annotations, 'run.oci.seccomp_bpf_data': bpf };
      }
      await writeFile(join(rdir, 'config.json'), JSON.stringify(ociSpec), { mode: 0o600 });
      const created = await this.#o.runtime.create(ctx, {
        id: rec.Id,
        bundle: rdir,
        runtimeDir: rdir,
        logPath,
        logSizeMax,
        tty: rec.Config.Tty,
        openStdin: rec.Config.OpenStdin,
        stdinOnce: rec.Config.StdinOnce,
        runtimePath: rt.path,
      });
      undo.push('delete runtime state', async () => {
        await this.#o.runtime.kill(ctx, rec.Id, rt.path, 'KILL').catch(() => {});
        await this.#o.runtime.delete(ctx, rec.Id, rt.path);
      });
      const settings = netns.kind === 'new' ? await this.#o.networks.attach(ctx, spec, created.pid) : net;
      rec.NetworkSettings = { Ports: settings.Ports, Networks: settings.Networks, SandboxKey: settings.SandboxKey || `/proc/${created.pid}/ns/net`, SandboxID: settings.SandboxID };
      // connect the attach requests waiting for this start before the process runs, so no output is lost
      await this.#connectPendingAttach(ctx, rec.Id, rdir);
      // watch for the exit before starting, so a fast exit is not missed; and the log, so that it is rotated from
      // the first line on
      this.#monitor(rec);
      this.#trackLogs(rec);
      await this.#o.runtime.start(ctx, rec.Id, rt.path);
      rec.State = {
        ...rec.State,
        Status: 'running',
        Running: true,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: created.pid,
        ExitCode: 0,
        Error: '',
        StartedAt: new Date().toISOString(),
        FinishedAt: isRestart ? rec.State.FinishedAt : ZERO_TIME,
      };
      rec.ManuallyStopped = false;
      rec.HasBeenStartedBefore = true;
      rec.CgroupsPath = ociSpec.linux.cgroupsPath;
      this.#health.start(rec);
      this.#oom.watch(rec, this.cgroupPath(rec));
      (rec as ContainerRecord & { ConmonPid?: number }).ConmonPid = created.conmonPid;
      await this.store.save(rec);
      undo.commit();
    } catch (err) {
      this.#monitors.get(rec.Id)?.abort();
      this.#monitors.delete(rec.Id);
      await this.#untrackLogs(rec.Id, true);
      this.#failPendingAttach(rec.Id, err as Error);
      await undo.unwind(ctx.log);
      const exitCode = classifyStartError(errorMessage(err), rec.Path).exitCode ?? 128;
      rec.State = { ...rec.State, Status: rec.HasBeenStartedBefore ? 'exited' : 'created', Running: false, Restarting: false, Pid: 0, Error: errorMessage(err), ExitCode: exitCode };
      if (rec.HasBeenStartedBefore) rec.State.FinishedAt = new Date().toISOString();
      await this.store.save(rec).catch(() => {});
      if (!isRestart && rec.HostConfig.AutoRemove) {
        // docker removes an --rm container whose start failed
        await this.#removeNow(ctx, rec, true).catch(() => {});
      }
      throw err instanceof SystemError ? new SystemError(errorMessage(err)) : err;
    }
    this.#emit(rec, 'start');
  }

  async #connectPendingAttach(ctx: Ctx, id: string, rdir: string): Promise<void> {
    for (const p of this.#pendingAttach.take(id)) {
      try {
        p(await this.#o.runtime.attach(ctx, id, rdir));
      } catch (err) {
        p(err as Error);
      }
    }
  }

  #failPendingAttach(id: string, err: Error): void {
    for (const p of this.#pendingAttach.take(id)) p(err);
  }

  /** Rotates the container's log while its conmon runs: the tracker asks conmon to reopen the file at max-size. */
  #trackLogs(rec: ContainerRecord): void {
    void this.#trackers.get(rec.Id)?.close();
    try {
      const cfg = this.#logSetup(rec).files;
      const rdir = this.runtimeDir(rec.Id);
      if (cfg) this.#trackers.set(rec.Id, this.#o.logs.track(this.logPath(rec.Id), cfg, () => this.#o.runtime.reopenLog(rec.Id, rdir)));
    } catch (err) {
      this.#log.warn('log rotation not tracked', { id: rec.Id, error: errorMessage(err) });
    }
  }

  /** `stopped`: the container's output has ended (else the daemon stops watching a running container). */
  async #untrackLogs(id: string, stopped: boolean): Promise<void> {
    const t = this.#trackers.get(id);
    this.#trackers.delete(id);
    await t?.close({ stopped }).catch(() => {});
  }

  /** Watches for the container's exit (also one that already happened). */
  #monitor(rec: ContainerRecord): void {
    this.#monitors.get(rec.Id)?.abort();
    const ac = new AbortController();
    this.#monitors.set(rec.Id, ac);
    this.#o.runtime.waitExit(rec.Id, this.runtimeDir(rec.Id), ac.signal).then(
      (code) => {
        if (ac.signal.aborted) return;
        this.#monitors.delete(rec.Id);
        void this.#locked(rec.Id, () => this.#onExit(rec, code)).catch((err) => this.#log.error('exit handling failed', { id: rec.Id, error: errorMessage(err) }));
      },
      (err) => {
        if (!ac.signal.aborted) this.#log.error('waiting for exit failed', { id: rec.Id, error: errorMessage(err) });
      },
    );
  }

  /** Records an exit: state, cleanup of network/rootfs/runtime state, events, waiters, restart policy, --rm. */
  async #onExit(rec: ContainerRecord, code: number, finishedAt = new Date().toISOString()): Promise<void> {
    if (!this.store.find(rec.Id)) return;
    this.#health.stop(rec.Id);
    const ctx: Ctx = { log: this.#log };
    const rt = this.#runtimeFor(rec);
    const startedAt = Date.parse(rec.State.StartedAt);
    // the cgroup still exists until the runtime's delete: read its OOM counter first
    const oomKilled = await this.#oom.finish(rec, this.cgroupPath(rec));
    rec.State = { ...rec.State, Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: oomKilled, Pid: 0, ExitCode: code, FinishedAt: finishedAt };
    await this.#cleanupRuntime(ctx, rec, rt.path);
    await this.#untrackLogs(rec.Id, true);
    await this.store.save(rec);
    this.#emit(rec, 'die', { exitCode: String(code) });
    this.#notify(rec.Id, 'exit', code);
    if (rec.HostConfig.AutoRemove) {
      await this.#removeNow(ctx, rec, true);
      return;
    }
    if (shouldRestart(rec.HostConfig.RestartPolicy, code, rec.RestartCount, rec.ManuallyStopped)) {
      const ranLong = Date.now() - startedAt >= 10_000;
      const n = ranLong ? 0 : (this.#backoff.get(rec.Id) ?? 0);
      this.#backoff.set(rec.Id, n + 1);
      rec.State = { ...rec.State, Status: 'restarting', Running: true, Restarting: true };
      await this.store.save(rec);
      const t = setTimeout(() => {
        this.#restartTimers.delete(rec.Id);
        void this.#locked(rec.Id, async () => {
          if (!rec.State.Restarting || !this.store.find(rec.Id)) return;
          rec.RestartCount++;
          try {
            await this.#start(ctx, rec, true);
            this.#emit(rec, 'restart');
          } catch (err) {
            this.#log.warn('restart failed', { id: rec.Id, error: errorMessage(err) });
            rec.State = { ...rec.State, Status: 'exited', Running: false, Restarting: false };
            await this.store.save(rec);
          }
        });
      }, restartDelayMs(n));
      this.#restartTimers.set(rec.Id, t);
    }
  }

  /**
   * Releases what a run of the container held: network endpoints, the runtime's state, the rootfs mount, the
   * runtime dir. The three are independent, so they run at once. Skipped when already done since the last start.
   */
  async #cleanupRuntime(ctx: Ctx, rec: ContainerRecord, runtimePath: string): Promise<void> {
    if (this.#cleaned.has(rec.Id)) return;
    await Promise.all([
      this.#o.networks.detach(ctx, rec.Id).catch((e) => ctx.log.warn('network detach failed', { id: rec.Id, error: errorMessage(e) })),
      this.#o.runtime.delete(ctx, rec.Id, runtimePath).catch((e) => ctx.log.warn('runtime delete failed', { id: rec.Id, error: errorMessage(e) })),
      unmount(ctx, this.rootfsPath(rec.Id)),
      this.#mounts.unmountAll(ctx, rec),
      rec.HostConfig.IpcMode === 'shareable' ? unmount(ctx, this.shmPath(rec)) : undefined,
    ]);
    await rm(this.runtimeDir(rec.Id), { recursive: true, force: true }).catch(() => {});
    rec.NetworkSettings = { Ports: {}, Networks: {}, SandboxKey: '' };
    this.#cleaned.add(rec.Id);
  }

  #notify(id: string, what: 'exit' | 'removed', code: number): void {
    // an exit ends the waits for not-running and next-exit; a removal ends them all
    for (const w of this.#waiters.take(id, (x) => what === 'removed' || x.condition !== 'removed')) w.resolve({ StatusCode: code, Error: null });
  }

  // ---------------------------------------------------------------- wait

  /**
   * Registers a waiter now (so a start sent after this call is covered) and returns a promise of the result.
   * Throws at once for an unknown container or an invalid condition. With `signal` (the client's connection), the
   * waiter is dropped when the client goes away (`docker run -d` leaves its wait behind) and the promise never settles.
   */
  wait(ref: string, condition: string, signal?: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    if (!['not-running', 'next-exit', 'removed', ''].includes(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
    const cond = (condition || 'not-running') as WaitCondition;
    const rec = this.store.get(ref);
    if (cond === 'not-running' && !rec.State.Running) return Promise.resolve({ StatusCode: rec.State.ExitCode, Error: null });
    return new Promise((resolve) => {
      this.#waiters.add(rec.Id, { condition: cond, resolve }, signal);
    });
  }

  // ---------------------------------------------------------------- stop / kill / restart

  async stop(ctx: Ctx, ref: string, timeoutSec?: number, signal?: string): Promise<void> {
    const rec = this.store.get(ref);
    await this.#locked(rec.Id, async () => {
      const timer = this.#restartTimers.get(rec.Id);
      if (rec.State.Restarting && timer) {
        clearTimeout(timer);
        this.#restartTimers.delete(rec.Id);
        rec.ManuallyStopped = true;
        rec.State = { ...rec.State, Status: 'exited', Running: false, Restarting: false };
        await this.store.save(rec);
        this.#emit(rec, 'stop');
        return;
      }
      if (!rec.State.Running) throw new NotModifiedError('container already stopped');
      rec.ManuallyStopped = true;
      await this.store.save(rec);
    });
    if (!rec.State.Running) return;
    const d = this.#o.defaults();
    const sig = parseSignal(signal || rec.Config.StopSignal || 'SIGTERM');
    const t = timeoutSec ?? rec.Config.StopTimeout ?? 10;
    const rt = this.#runtimeFor(rec);
    const exited = this.wait(rec.Id, 'not-running');
    if (rec.State.Paused) await this.#o.runtime.resume(ctx, rec.Id, rt.path).catch(() => {});
    if (t !== 0) await this.#o.runtime.kill(ctx, rec.Id, rt.path, sig).catch((e) => ctx.log.debug('stop signal failed', { error: errorMessage(e) }));
    const timedOut = t < 0 ? false : await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), Math.max(t, 0) * 1000))]);
    if (timedOut) {
      await this.#o.runtime.kill(ctx, rec.Id, rt.path, 9, true).catch(() => {});
      await Promise.race([exited, new Promise((r) => setTimeout(r, Math.max(d.shutdownTimeout, 5) * 1000))]);
    } else if (t < 0) await exited;
    this.#emit(rec, 'stop');
  }

  async kill(ctx: Ctx, ref: string, signal = 'KILL'): Promise<void> {
    const rec = this.store.get(ref);
    const sig = parseSignal(signal);
    if (!rec.State.Running || rec.State.Restarting) throw new ConflictError(`Cannot kill container: ${ref}: Container ${rec.Id} is not running`);
    const rt = this.#runtimeFor(rec);
    if (sig === 9) {
      rec.ManuallyStopped = true;
      await this.store.save(rec);
    }
    await this.#o.runtime.kill(ctx, rec.Id, rt.path, sig);
    this.#emit(rec, 'kill', { signal: String(sig) });
  }

  async restart(ctx: Ctx, ref: string, timeoutSec?: number, signal?: string): Promise<void> {
    const rec = this.store.get(ref);
    if (rec.State.Running) {
      try {
        await this.stop(ctx, ref, timeoutSec, signal);
      } catch (err) {
        if (!(err instanceof NotModifiedError)) throw err;
      }
    }
    await this.#locked(rec.Id, () => this.#start(ctx, rec, false));
    this.#emit(rec, 'restart');
  }

  async pause(ctx: Ctx, ref: string): Promise<void> {
    const rec = this.store.get(ref);
    if (!rec.State.Running) throw new ConflictError(`Container ${rec.Id} is not running`);
    if (rec.State.Paused) throw new ConflictError(`Container ${rec.Id} is already paused`);
    await this.#o.runtime.pause(ctx, rec.Id, this.#runtimeFor(rec).path);
    this.#health.stop(rec.Id);
    rec.State = { ...rec.State, Paused: true, Status: 'paused' };
    await this.store.save(rec);
    this.#emit(rec, 'pause');
  }

  async unpause(ctx: Ctx, ref: string): Promise<void> {
    const rec = this.store.get(ref);
    if (!rec.State.Paused) throw new ConflictError(`Container ${rec.Id} is not paused`);
    await this.#o.runtime.resume(ctx, rec.Id, this.#runtimeFor(rec).path);
    rec.State = { ...rec.State, Paused: false, Status: 'running' };
    this.#health.resume(rec);
    await this.store.save(rec);
    this.#emit(rec, 'unpause');
  }

  // ---------------------------------------------------------------- update / stats

  /**
   * `docker update`: new resource limits and restart policy. Stored at once; a running container's cgroup is
   * changed too (a failure restores the old settings). Errors carry dockerd's "Cannot update container <id>: …".
   */
  async update(_ctx: Ctx, ref: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }> {
    const rec = this.store.get(ref);
    return this.#locked(rec.Id, async () => {
      const { hostConfig, request, warnings } = planUpdate(rec, body, this.#cgroups.caps);
      const backup = rec.HostConfig;
      rec.HostConfig = hostConfig;
      await this.store.save(rec);
      if (rec.State.Running && !rec.State.Restarting) {
        try {
          await this.#cgroups.update(this.cgroupPath(rec), cgroupUpdateOf(request));
          if (request.Memory) this.#oom.watch(rec, this.cgroupPath(rec), await this.#cgroups.oomKills(this.cgroupPath(rec)));
        } catch (err) {
          rec.HostConfig = backup;
          await this.store.save(rec);
          throw cannotUpdate(rec.Id, err);
        }
      }
      this.#emit(rec, 'update');
      return { Warnings: warnings.length ? warnings : null };
    });
  }

  /** A running container's counters now, or undefined when it does not run. */
  async statsSample(ref: string): Promise<StatsSample | undefined> {
    const rec = this.store.get(ref);
    if (!rec.State.Running || rec.State.Restarting) return undefined;
    return sampleStats(this.#cgroups, rec, this.cgroupPath(rec));
  }

  // ---------------------------------------------------------------- remove / rename

  async remove(ctx: Ctx, ref: string, force: boolean, removeVolumes = false): Promise<void> {
    const rec = this.store.get(ref);
    if (rec.State.Running && !rec.State.Restarting) {
      if (!force) {
        const what = rec.State.Paused ? 'paused' : 'running';
        throw new ConflictError(`cannot remove container "${rec.Name}": container is ${what}: stop the container before removing or force remove`);
      }
      const rt = this.#runtimeFor(rec);
      rec.ManuallyStopped = true;
      const exited = this.wait(rec.Id, 'not-running');
      if (rec.State.Paused) await this.#o.runtime.resume(ctx, rec.Id, rt.path).catch(() => {});
      await this.#o.runtime.kill(ctx, rec.Id, rt.path, 9, true).catch(() => {});
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await this.#locked(rec.Id, () => this.#removeNow(ctx, rec, removeVolumes));
  }

  async #removeNow(ctx: Ctx, rec: ContainerRecord, removeVolumes = false): Promise<void> {
    if (!this.store.find(rec.Id)) return;
    const timer = this.#restartTimers.get(rec.Id);
    if (timer) clearTimeout(timer);
    this.#restartTimers.delete(rec.Id);
    this.#monitors.get(rec.Id)?.abort();
    this.#monitors.delete(rec.Id);
    this.#health.stop(rec.Id);
    rec.State = { ...rec.State, Status: 'removing' };
    const rt = this.#runtimeFor(rec);
    await this.#cleanupRuntime(ctx, rec, rt.path);
    await this.#o.images.removeRootfs(ctx, rec.Id);
    await this.#untrackLogs(rec.Id, true);
    await this.#o.logs.remove(this.logPath(rec.Id)).catch(() => {});
    await this.store.remove(rec);
    await this.#mounts.remove(ctx, rec, removeVolumes);
    this.#backoff.delete(rec.Id);
    this.#cleaned.delete(rec.Id);
    this.#emit(rec, 'destroy');
    this.#notify(rec.Id, 'removed', rec.State.ExitCode);
  }

  async rename(ctx: Ctx, ref: string, newName: string): Promise<void> {
    if (!newName) throw new InvalidArgumentError('Neither old nor new names may be empty');
    const rec = this.store.get(ref);
    const full = validateName(newName);
    if (full === rec.Name) throw new ConflictError(`Renaming a container with the same name as its current name`);
    const old = rec.Name;
    this.store.reserveName(full, rec.Id);
    this.store.releaseName(old, rec.Id);
    rec.Name = full;
    await this.store.save(rec);
    // its endpoints answer to the new name (embedded DNS, network inspect), as dockerd renames them
    await this.#o.networks.renamed(ctx, rec.Id, full.slice(1));
    this.#emit(rec, 'rename', { oldName: old });
  }

  // ---------------------------------------------------------------- attach

  /**
   * Streams of a container for attach: connects now if it runs, else when it next starts (docker run attaches
   * before start). Rejects with a ConflictError for a stopped container that is not about to start.
   */
  async attach(ctx: Ctx, ref: string, signal: AbortSignal): Promise<AttachStreams> {
    const rec = this.store.get(ref);
    if (rec.State.Paused) throw new ConflictError('You cannot attach to a paused container, unpause it first');
    this.#emit(rec, 'attach');
    if (rec.State.Running && !rec.State.Restarting) return this.#o.runtime.attach(ctx, rec.Id, this.runtimeDir(rec.Id));
    return new Promise((resolve, reject) => {
      const cb = (s: AttachStreams | Error) => (s instanceof Error ? reject(s) : resolve(s));
      this.#pendingAttach.add(rec.Id, cb, signal, () => reject(new Error('client went away')));
    });
  }

  async resize(ref: string, h: number, w: number): Promise<void> {
    const rec = this.store.get(ref);
    if (!rec.State.Running) throw new ConflictError(`Container ${rec.Id} is not running`);
    await this.#o.runtime.resize(rec.Id, this.runtimeDir(rec.Id), h, w);
  }

  /** The container's cgroup path ("/berth/<id>"): as given to the runtime at its last start. */
  cgroupPath(rec: ContainerRecord): string {
    return rec.CgroupsPath ?? `${cgroupParentOf((rec.HostConfig.CgroupParent as string | undefined) || this.#o.defaults().cgroupParent)}/${rec.Id}`;
  }

  get cgroups(): CgroupHost {
    return this.#cgroups;
  }

  /** The container's processes: host pids from its cgroup (v1: any controller's hierarchy; v2: unified). */
  async pids(ref: string): Promise<number[]> {
    const rec = this.store.get(ref);
    if (!rec.State.Running || rec.State.Restarting) throw new ConflictError(`Container ${rec.Id} is not running`);
    const parent = cgroupParentOf((rec.HostConfig.CgroupParent as string | undefined) || this.#o.defaults().cgroupParent);
    for (const base of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/memory', '/sys/fs/cgroup']) {
      try {
        const text = await readFile(join(base, parent, rec.Id, 'cgroup.procs'), 'utf8');
        return text.split('\n').filter(Boolean).map(Number);
      } catch {
        // try the next layout
      }
    }
    return [rec.State.Pid];
  }

  // ---------------------------------------------------------------- restore after daemon restart

  /**
   * Re-adopts containers after a daemon (re)start: running ones keep running and are watched again; exits that
   * happened while the daemon was down are recorded and their restart policies applied; `always` containers
   * that were running when the host rebooted are started.
   */
  async restore(ctx: Ctx): Promise<void> {
    // compile the default seccomp profile of default capabilities now rather than at the first start
    const rt = this.#o.runtimes();
    if (/(^|\/)crun$/.test(rt.table[rt.default]?.path ?? '') && this.#security.seccomp) {
      const def = seccompFor(DOCKER_DEFAULT_SECCOMP, { arch: this.#security.arch, bounding: DEFAULT_CAPABILITIES, kernel: this.#security.kernel });
      if (def) void this.#bpf.get(ctx, def);
    }
    const recs = await this.store.load();
    for (const rec of recs) {
      this.store.reserveName(rec.Name, rec.Id);
      this.#mounts.restore(rec, rec.State.Running);
    }
    await Promise.all(
      recs.map(async (rec) => {
        try {
          await this.#restoreOne(ctx, rec);
        } catch (err) {
          ctx.log.error('restore failed', { id: rec.Id, error: errorMessage(err) });
        }
      }),
    );
  }

  async #restoreOne(ctx: Ctx, rec: ContainerRecord): Promise<void> {
    if (rec.State.Status === 'removing') {
      await this.#removeNow(ctx, rec);
      return;
    }
    if (!rec.State.Running) return;
    const rt = this.#runtimeFor(rec);
    const code = await this.#o.runtime.readExit(rec.Id, this.runtimeDir(rec.Id));
    if (code !== undefined) {
      await this.#locked(rec.Id, () => this.#onExit(rec, code));
      return;
    }
    const st = await this.#o.runtime.state(ctx, rec.Id, rt.path).catch(() => undefined);
    if (st && (st.status === 'running' || st.status === 'paused')) {
      rec.State = { ...rec.State, Pid: st.pid, Paused: st.status === 'paused', Status: st.status === 'paused' ? 'paused' : 'running', Restarting: false };
      const settings = await this.#o.networks.restore(ctx, this.#sandboxSpec(rec), st.pid);
      if (settings) rec.NetworkSettings = { Ports: settings.Ports, Networks: settings.Networks, SandboxKey: settings.SandboxKey || rec.NetworkSettings.SandboxKey, SandboxID: settings.SandboxID };
      if (!rec.State.Paused) this.#health.start(rec);
      this.#oom.watch(rec, this.cgroupPath(rec), await this.#cgroups.oomKills(this.cgroupPath(rec)));
      await this.store.save(rec);
      this.#monitor(rec);
      this.#trackLogs(rec);
      return;
    }
    if (rec.State.Restarting) {
      rec.State = { ...rec.State, Restarting: false, Running: false, Status: 'exited' };
      await this.#locked(rec.Id, () => this.#onExit(rec, rec.State.ExitCode));
      return;
    }
    // gone without an exit file (host reboot, runtime state lost): record it as killed
    await this.#locked(rec.Id, () => this.#onExit(rec, 255));
  }

  /** Stops watching (daemon shutdown): containers keep running. */
  shutdown(): void {
    this.#health.stopAll();
    this.#oom.stopAll();
    for (const ac of this.#monitors.values()) ac.abort();
    for (const t of this.#restartTimers.values()) clearTimeout(t);
    for (const id of [...this.#trackers.keys()]) void this.#untrackLogs(id, false);
    this.#monitors.clear();
    this.#restartTimers.clear();
  }

  // ---------------------------------------------------------------- for networks (ContainerHooks)

  async find(_ctx: Ctx, ref: string): Promise<ContainerRef | undefined> {
    let rec: ContainerRecord | undefined;
    try {
      rec = this.store.find(ref);
    } catch {
      return undefined;
    }
    if (!rec) return undefined;
    return { id: rec.Id, name: rec.Name.slice(1), pid: rec.State.Running ? rec.State.Pid : 0, spec: this.#sandboxSpec(rec), env: rec.Config.Env ?? [] };
  }

  /**
   * Rewrites a running container's /etc/hosts for new records, in place (it is bind-mounted), keeping the lines the
   * container added itself: the records the daemon wrote last are kept in `hosts.base` beside it.
   */
  async #updateHosts(dir: string, hosts: string): Promise<void> {
    const [current, base] = await Promise.all([readFile(join(dir, 'hosts'), 'utf8').catch(() => undefined), readFile(join(dir, HOSTS_BASE), 'utf8').catch(() => undefined)]);
    const next = current !== undefined && base !== undefined ? updateHosts(current, base, hosts) : hosts;
    await writeFile(join(dir, 'hosts'), next).catch(() => {});
    await writeFile(join(dir, HOSTS_BASE), hosts).catch(() => {});
  }

  async networksChanged(_ctx: Ctx, containerId: string, endpointsConfig: Record<string, Partial<EndpointSettings>>, settings?: NetworkSettingsOut, modeDisconnected?: boolean): Promise<void> {
    const rec = this.store.find(containerId);
    if (!rec) return;
    rec.EndpointsConfig = endpointsConfig;
    if (modeDisconnected) rec.ModeNetworkDisconnected = true;
    else if (modeDisconnected === false) delete rec.ModeNetworkDisconnected;
    if (settings && rec.State.Running) {
      rec.NetworkSettings = { Ports: settings.Ports, Networks: settings.Networks, SandboxKey: settings.SandboxKey || rec.NetworkSettings.SandboxKey, SandboxID: settings.SandboxID };
      // rewritten in place: the files are bind-mounted into the running container
      const dir = this.store.dir(rec.Id);
      await Promise.all([this.#updateHosts(dir, settings.hosts), writeFile(join(dir, 'resolv.conf'), settings.resolvConf).catch(() => {})]);
    }
    await this.store.save(rec);
  }

  // ---------------------------------------------------------------- for images

  usersOf(imageId: string): { id: string; running: boolean }[] {
    return this.store
      .all()
      .filter((c) => c.Image === imageId)
      .map((c) => ({ id: c.Id, running: c.State.Running }));
  }

  async rootfsOf(ref: string) {
    const rec = this.store.get(ref);
    const c = rec.Config;
    const config: ImageConfig = { ...c, ExposedPorts: c.ExposedPorts ?? undefined, Env: c.Env ?? undefined, Volumes: c.Volumes ?? undefined, Healthcheck: c.Healthcheck as ImageConfig['Healthcheck'] };
    return { id: rec.Id, imageId: rec.Image, layout: await this.#o.images.rootfsLayout(rec.Id, rec.Image), running: rec.State.Running, config, paused: rec.State.Paused, name: rec.Name.slice(1), image: rec.Config.Image };
  }

  /**
   * Inspect's GraphDriver.Data, as dockerd's overlay2 gives it: the image layers (LowerDir, top-most first), the
   * container's own layer (UpperDir, WorkDir) and where the merged root is mounted while it runs (MergedDir).
   * Null when the container's layer is gone.
   */
  async graphData(rec: ContainerRecord): Promise<Record<string, string> | null> {
    try {
      const l = await this.#o.images.rootfsLayout(rec.Id, rec.Image);
      return { LowerDir: l.lowerDirs.join(':'), MergedDir: this.rootfsPath(rec.Id), UpperDir: l.upperDir, WorkDir: l.workDir };
    } catch {
      return null;
    }
  }

  requireRunning(ref: string): ContainerRecord {
    const rec = this.store.get(ref);
    if (!rec.State.Running || rec.State.Restarting) throw new ConflictError(`Container ${rec.Id} is not running`);
    if (rec.State.Paused) throw new ConflictError(`Container ${rec.Id} is paused, unpause the container before exec`);
    return rec;
  }
}

/** Whether any of `paths` is a directory in the container's layers (read without mounting them). */
async function imageHasDirs(ctx: Ctx, layout: RootfsLayout, paths: string[]): Promise<boolean> {
  const view = new LayerView(ctx, [layout.upperDir, ...layout.lowerDirs]);
  for (const p of paths) {
    const e = await view.lookup(await resolveInView(view, p));
    if (e?.st.isDirectory()) return true;
  }
  return false;
}

/** A shareable IPC donor's /dev/shm: a tmpfs of --shm-size on the host (dockerd's setupIpcDirs). */
async function mountShm(ctx: Ctx, path: string, size: number): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await run(ctx, 'mount', ['-t', 'tmpfs', '-o', `mode=1777,size=${size},nosuid,nodev,noexec`, 'shm', path]);
}
