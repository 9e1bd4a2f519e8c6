import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Router } from '../api/engine/router.ts';
import { registerContainerRoutes } from '../api/engine/routers/containers/routes.ts';
import { registerExecRoutes } from '../api/engine/routers/containers/exec-routes.ts';
import { registerLogRoutes } from '../api/engine/routers/containers/logs-routes.ts';
import { registerImageRoutes } from '../api/engine/routers/images/routes.ts';
import { registerNetworkRoutes } from '../api/engine/routers/networks/routes.ts';
import { registerSystemRoutes } from '../api/engine/routers/system/routes.ts';
import { registerVolumeRoutes } from '../api/engine/routers/volumes/routes.ts';
import { registerResourceRoutes } from '../api/engine/routers/containers/resources-routes.ts';
import { registerArchiveRoutes } from '../api/engine/routers/containers/archive-routes.ts';
import { ContainerArchive } from '../services/containers/archive.ts';
import { registerDiskUsageRoutes } from '../api/engine/routers/system/df-routes.ts';
import { LocalVolumeDriver } from '../drivers/volume/local/local-driver.ts';
import { VolumesService } from '../services/volumes/volume-service.ts';
import type { Ctx } from '../common/ctx.ts';
import { writeFileAtomic } from '../common/fs.ts';
import { newId } from '../common/ids.ts';
import type { Logger } from '../common/log.ts';
import type { DaemonConfig } from '../domain/config/daemon-config.ts';
import { ConmonRuntime } from '../drivers/runtime/conmon/conmon-runtime.ts';
import { probeRuntimes } from '../system/oci-runtime/probe.ts';
import { K8sFileLogs } from '../drivers/logging/k8s-file/k8s-file.ts';
import { ContainerService, type RuntimeInfo } from '../services/containers/container-service.ts';
import { ExecService } from '../services/containers/exec-service.ts';
import { EventsService } from '../services/events/events.ts';
import { ImageService } from '../services/images/image-service.ts';
import { NetworksService } from '../services/networks/service.ts';
import { IpRouteCli } from '../system/iproute/iproute.ts';
import { ProcNetSocketProbe } from '../system/iproute/sockets.ts';
import { NftablesCli } from '../system/nftables/nftables.ts';
import { ProcSysctl } from '../system/sysctl/sysctl.ts';
import { DefaultIpam } from '../drivers/ipam/default/ipam.ts';
import { PortAllocator, ephemeralRange } from '../drivers/portmapper/allocator.ts';
import { UserlandProxy } from '../drivers/portmapper/proxy.ts';
import { MacvlanDriver } from '../drivers/network/macvlan/driver.ts';
import { loadBerthNet } from '../system/native/berth-net.ts';
import { type DnsUdpServer, NativeDnsUdpServer } from '../system/native/dns-udp.ts';
import { NativeNetnsSockets, NativeNetnsSysctl } from '../system/netns/native-sockets.ts';
import type { NetnsSockets, NetnsSysctl } from '../system/netns/port.ts';
import { NsenterSockets, NsenterSysctl } from '../system/netns/nsenter-sockets.ts';
import { BridgeDriver } from '../drivers/network/bridge/driver.ts';
import { defaultBridgeOptions } from '../drivers/network/bridge/options.ts';
import { HostDriver } from '../drivers/network/host/driver.ts';
import { NullDriver } from '../drivers/network/null/driver.ts';
import type { ContainerHooks } from '../services/networks/contract.ts';
import { SystemInfo } from '../services/system/info.ts';
import { parseRamBytes } from '../domain/container/units.ts';
import { RegistryService } from '../services/registry/registry-service.ts';
import { registerRegistryRoutes } from '../api/engine/routers/images/registry-routes.ts';
import os from 'node:os';
import { type DaemonSeccomp, daemonSeccomp, seccompProfileName, seccompProfileSource } from '../domain/oci-spec/daemon-security.ts';
import { type RemappedRoot, remappedDataRoot, remappedRuntimeDir, setupRemappedRoot } from '../system/userns/remapped-root.ts';

export interface Engine {
  router: Router;
  events: EventsService;
  daemonId: string;
  name: string;
  reload(cfg: DaemonConfig): void;
  close(): Promise<void>;
}

async function engineId(dataRoot: string): Promise<string> {
  const p = join(dataRoot, 'engine-id');
  try {
    return (await readFile(p, 'utf8')).trim();
  } catch {
    const id = newId();
    await writeFileAtomic(p, id);
    return id;
  }
}

/** The daemon's `seccomp-profile`: a file is read and checked at start (dockerd's setupSeccompProfile). */
async function loadDaemonSeccomp(value: string): Promise<DaemonSeccomp> {
  if (seccompProfileSource(value) !== 'file') return daemonSeccomp(value);
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`opening seccomp profile (${value}) failed: open ${value}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
  }
  return daemonSeccomp(value, text);
}

/**
 * `--userns-remap` (dockerd's setupRemappedRoot + setupDaemonRoot): the remapped root, and the data root it
 * implies (`<data-root>/<uid>.<gid>`: images and containers of a remapping daemon live apart). The exec root,
 * where container root filesystems are mounted, must be reachable by the remapped root too.
 */
async function remapSetup(ctx: Ctx, cfg: DaemonConfig): Promise<{ remap?: RemappedRoot; dataRoot: string }> {
  const remap = cfg['userns-remap'] ? await setupRemappedRoot(ctx, cfg['userns-remap']) : undefined;
  if (!remap) return { dataRoot: cfg['data-root'] };
  const dataRoot = await remappedDataRoot(cfg['data-root'], remap.root);
  await remappedRuntimeDir(cfg['exec-root'], remap.root);
  await remappedRuntimeDir(join(cfg['exec-root'], 'containers'), remap.root);
  return { remap, dataRoot };
}

/** The composition root: the one place that names concrete drivers and wires services together. */
export async function buildEngine(cfg: DaemonConfig, log: Logger): Promise<Engine> {
  const ctx: Ctx = { log };
  const events = new EventsService();
  const { remap, dataRoot } = await remapSetup(ctx, cfg);
  const seccomp = await loadDaemonSeccomp(cfg['seccomp-profile']);
  const execRoot = cfg['exec-root'];
  const id = await engineId(dataRoot);

  const probe = await probeRuntimes(ctx, { hugetlbMountDir: join(execRoot, 'cgroup-hugetlb') });
  for (const r of probe.runtimes) {
    if (!r.usable) log.warn(`OCI runtime ${r.name} is not usable here`, { reason: r.reason ?? '' });
  }
  if (probe.hugetlbFixed) log.info('bound the hugetlb cgroup controller to a v1 hierarchy so that crun accepts this hybrid cgroup layout');
  if (!probe.preferred) throw new Error('no usable OCI runtime (crun or runc) found');
  const runtimeTable = (): { default: string; table: Record<string, RuntimeInfo> } => {
    const table: Record<string, RuntimeInfo> = {};
    for (const r of probe.runtimes) if (r.usable) table[r.name] = { name: r.name, path: r.path };
    for (const [n, r] of Object.entries(cfg.runtimes)) table[n] = { name: n, path: r.path, args: r.runtimeArgs };
    return { default: cfg['default-runtime'] || probe.preferred!, table };
  };
  const runtime = new ConmonRuntime({
    stateRoot: execRoot,
    runtimes: Object.fromEntries([...probe.runtimes.map((r) => [r.name, r.path]), ...Object.entries(cfg.runtimes).map(([n, r]) => [n, r.path])]),
  });

  const images = await ImageService.create({ dataRoot, events, log, idMapping: remap?.mapping });
  const registryOpts = (c: DaemonConfig) => ({
    mirrors: c['registry-mirrors'],
    insecureRegistries: c['insecure-registries'],
    allowNondistributableArtifacts: c['allow-nondistributable-artifacts'],
    maxConcurrentDownloads: c['max-concurrent-downloads'],
    maxConcurrentUploads: c['max-concurrent-uploads'],
    maxDownloadAttempts: c['max-download-attempts'],
  });
  const registry = new RegistryService({ images: images.distribution(), ...registryOpts(cfg), certsDir: process.env.BERTH_CERTS_D || '/etc/berth/certs.d', stateDir: join(dataRoot, 'registry'), log });
  let containersRef: ContainerService | undefined;
  // late-bound: the networks service is built before the container service
  const hooks: ContainerHooks = {
    find: (c, ref) => containersRef!.find(c, ref),
    networksChanged: (c, id, eps, settings, modeDisconnected) => containersRef!.networksChanged(c, id, eps, settings, modeDisconnected),
  };
  const ip = new IpRouteCli();
  const nft = new NftablesCli();
  const netDir = join(dataRoot, 'network');
  const sysctl = new ProcSysctl();
  const pools = cfg['default-address-pools'];
  const networks = await NetworksService.create(ctx, {
    stateDir: netDir,
    ip,
    nft,
    ipam: await (pools.length ? DefaultIpam.open(join(netDir, 'ipam.json'), pools) : DefaultIpam.open(join(netDir, 'ipam.json'))),
    portMapper: await PortAllocator.open(join(netDir, 'ports.json'), new ProcNetSocketProbe(), await ephemeralRange(ctx, sysctl)),
    drivers: [
      new BridgeDriver(
        { ip, nft, sysctl },
        {
          iptables: cfg.iptables,
          ipForward: cfg['ip-forward'],
          userlandProxy: cfg['userland-proxy'],
          publishedPortsObeyInput: cfg['published-ports-obey-input'],
        },
      ),
      new MacvlanDriver({ ip }),
      new HostDriver(),
      new NullDriver(),
    ],
    events,
    containers: hooks,
    ...netnsHelpers(log),
    proxy: new UserlandProxy(log),
    daemonDns: { servers: cfg.dns, search: cfg['dns-search'], options: cfg['dns-opts'] },
    defaultBridge: {
      options: defaultBridgeOptions({ ipMasquerade: cfg['ip-masq'], icc: cfg.icc, mtu: cfg.mtu || undefined, hostBindingIpv4: cfg.ip !== '0.0.0.0' ? cfg.ip : undefined }),
      bip: cfg.bip || undefined,
      fixedCidr: cfg['fixed-cidr'] || undefined,
      ipv6: cfg.ipv6,
      fixedCidrV6: cfg['fixed-cidr-v6'] || undefined,
      defaultGateway: cfg['default-gateway'] || undefined,
      defaultGateway6: cfg['default-gateway-v6'] || undefined,
    },
  });
  const volumesRoot = join(dataRoot, 'volumes');
  const volumes = await VolumesService.create(ctx, { root: volumesRoot, drivers: [new LocalVolumeDriver(volumesRoot, { rootIdentity: remap?.root })], events });
  const containers = new ContainerService({
    dataRoot,
    execRoot,
    runtime,
    runtimes: runtimeTable,
    images,
    networks,
    volumes,
    events,
    logs: new K8sFileLogs(),
    log,
    defaults: () => ({
      init: cfg.init,
      initPath: cfg['init-path'],
      logOpts: cfg['log-opts'],
      logDriver: cfg['log-driver'],
      ulimits: Object.values(cfg['default-ulimits']),
      shutdownTimeout: cfg['shutdown-timeout'],
      maxNofile: probe.nofileHardLimit,
      cgroupParent: cfg['cgroup-parent'] || undefined,
      ipcMode: cfg['default-ipc-mode'],
      cgroupnsMode: cfg['default-cgroupns-mode'],
      shmSize: parseRamBytes(cfg['default-shm-size']),
      hostMaskedPaths: probe.hostMaskedPaths,
      idMapping: remap?.mapping,
      seccomp,
      noNewPrivileges: cfg['no-new-privileges'],
    }),
  });
  containersRef = containers;
  images.setContainers(containers);
  const execs = new ExecService(containers, runtime, events, (rec) => runtimeTable().table[rec.RuntimeName || runtimeTable().default]!.path);
  await containers.restore(ctx);

  const system = new SystemInfo({
    cfg: () => cfg,
    registryConfig: () => registry.settings,
    id,
    cgroupVersion: probe.cgroup === 'v2' ? '2' : '1',
    dockerRootDir: dataRoot,
    security: { seccompProfile: seccompProfileName(seccomp), userns: remap !== undefined },
    runtimes: () => {
      const t = runtimeTable();
      return { default: t.default, names: Object.keys(t.table), paths: Object.fromEntries(Object.entries(t.table).map(([n, r]) => [n, r.path])) };
    },
    counts: () => {
      const all = containers.store.all();
      return {
        containers: {
          running: all.filter((c) => c.State.Running && !c.State.Paused).length,
          paused: all.filter((c) => c.State.Paused).length,
          stopped: all.filter((c) => !c.State.Running).length,
        },
        images: images.count(),
      };
    },
  });

  const router = new Router();
  registerSystemRoutes(router, { events, system });
  registerContainerRoutes(router, { containers, events, imageIdOf: async (ref) => images.resolve(ref).then((i) => i.id, () => undefined) });
  registerExecRoutes(router, execs);
  registerLogRoutes(router, containers);
  const { pull } = registerRegistryRoutes(router, { registry });
  registerImageRoutes(router, { images, events, pull });
  registerNetworkRoutes(router, { networks });
  registerVolumeRoutes(router, { volumes });
  registerResourceRoutes(router, containers);
  registerArchiveRoutes(router, new ContainerArchive({ containers, volumes, events, idMapping: remap?.mapping }));
  registerDiskUsageRoutes(router, { containers, images, volumes, events });

  return {
    router,
    events,
    daemonId: id,
    name: os.hostname(),
    reload(next: DaemonConfig) {
      registry.reload(registryOpts(next));
      cfg = next;
    },
    async close() {
      containers.shutdown();
      registry.close();
      await networks.close();
    },
  };
}

/**
 * How the embedded DNS binds inside containers and reads its UDP queries: with the native helper (a thread binds,
 * another serves every container's UDP socket) when it is built, else a child process per bind and the event loop.
 */
function netnsHelpers(log: Logger): { netnsSockets: NetnsSockets; netnsSysctl: NetnsSysctl; dnsUdpServer?: DnsUdpServer } {
  const { mod, why } = loadBerthNet();
  if (!mod) {
    log.info('native network helper not loaded: the embedded DNS runs on the event loop', { reason: why });
    return { netnsSockets: new NsenterSockets(), netnsSysctl: new NsenterSysctl() };
  }
  return { netnsSockets: new NativeNetnsSockets(mod), netnsSysctl: new NativeNetnsSysctl(mod), dnsUdpServer: new NativeDnsUdpServer(mod) };
}
