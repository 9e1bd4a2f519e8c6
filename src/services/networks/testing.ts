import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { nullLogger } from '../../common/log.ts';
import { DefaultIpam } from '../../drivers/ipam/default/ipam.ts';
import { type BridgeDaemonOptions, BridgeDriver } from '../../drivers/network/bridge/driver.ts';
import type { AddressPool } from '../../domain/net/pools.ts';
import { defaultBridgeOptions } from '../../drivers/network/bridge/options.ts';
import { HostDriver } from '../../drivers/network/host/driver.ts';
import { MacvlanDriver } from '../../drivers/network/macvlan/driver.ts';
import { NullDriver } from '../../drivers/network/null/driver.ts';
import { PortAllocator } from '../../drivers/portmapper/allocator.ts';
import { FakeIpRoute, FakeSocketProbe } from '../../system/iproute/fake.ts';
import { FakeNftables } from '../../system/nftables/fake.ts';
import { FakeSysctl } from '../../system/sysctl/fake.ts';
import { LoopbackSockets } from '../../system/netns/fake.ts';
import { EventsService } from '../events/events.ts';
import type { ContainerHooks, ContainerRef, EndpointSettings, NetworkSettingsOut, SandboxSpec } from './contract.ts';
import type { DefaultBridgeConfig, NetworksDeps } from './core.ts';
import { NetworksService } from './service.ts';

/** A container table standing in for the container service (tests only). */
export class FakeContainers implements ContainerHooks {
  readonly byId = new Map<string, ContainerRef>();
  readonly changes: { id: string; endpointsConfig: Record<string, Partial<EndpointSettings>>; settings?: NetworkSettingsOut }[] = [];
  add(ref: ContainerRef): void {
    this.byId.set(ref.id, ref);
  }
  async find(_ctx: Ctx, ref: string): Promise<ContainerRef | undefined> {
    const name = ref.replace(/^\//, '');
    return this.byId.get(ref) ?? [...this.byId.values()].find((c) => c.name === name || (ref.length > 0 && c.id.startsWith(ref)));
  }
  async networksChanged(_ctx: Ctx, id: string, endpointsConfig: Record<string, Partial<EndpointSettings>>, settings?: NetworkSettingsOut, modeDisconnected?: boolean): Promise<void> {
    this.changes.push({ id, endpointsConfig, settings });
    const c = this.byId.get(id);
    if (c) c.spec = { ...c.spec, endpointsConfig, ...(modeDisconnected !== undefined ? { modeDisconnected } : {}) };
  }
}

export function sandboxSpec(id: string, over: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    containerId: id,
    containerName: `c-${id.slice(0, 4)}`,
    hostname: id.slice(0, 12),
    networkMode: 'default',
    endpointsConfig: {},
    portBindings: {},
    publishAllPorts: false,
    exposedPorts: {},
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    extraHosts: [],
    ...over,
  };
}

export interface FakeWorld {
  dir: string;
  ip: FakeIpRoute;
  nft: FakeNftables;
  sysctl: FakeSysctl;
  sockets: FakeSocketProbe;
  events: EventsService;
  containers: FakeContainers;
  /** The embedded DNS server's sockets (on 127.0.0.1 of the test process), by container pid. */
  dnsSockets: LoopbackSockets;
  /** Queries the embedded DNS forwarded: servers and protocol; `upstream` answers them (undefined: no answer). */
  forwarded: { servers: readonly string[]; proto: string }[];
  upstream: (query: Buffer) => Buffer | undefined;
  deps: NetworksDeps;
  /** (Re)starts the service on the same state directory and fakes: a daemon restart. */
  start(): Promise<NetworksService>;
}

const worldDirs: string[] = [];
const services: NetworksService[] = [];

/** Closes every service and removes the state directories of every world made so far (call from `after`). */
export async function disposeWorlds(): Promise<void> {
  for (const s of services.splice(0)) await s.close();
  for (const d of worldDirs.splice(0)) await rm(d, { recursive: true, force: true });
}

/** A networks service over stateful fakes, for unit tests of the controller and the API routes. */
export async function fakeWorld(
  opts: {
    defaultBridge?: DefaultBridgeConfig | null;
    hosts?: string;
    resolv?: string;
    bridge?: BridgeDaemonOptions;
    pools?: AddressPool[];
    daemonDns?: NetworksDeps['daemonDns'];
    proxy?: NetworksDeps['proxy'];
    /** The host can listen on IPv6 (default true: `-p 8080:80` is published on 0.0.0.0 and ::). */
    ipv6Listenable?: boolean;
  } = {},
): Promise<FakeWorld> {
  // state files are fsynced on every change: a memory file system keeps the tests fast
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'berth-net-'));
  worldDirs.push(dir);
  const ip = new FakeIpRoute();
  const nft = new FakeNftables();
  const sysctl = new FakeSysctl();
  const sockets = new FakeSocketProbe();
  const events = new EventsService();
  const containers = new FakeContainers();
  const dnsSockets = new LoopbackSockets();
  const world: FakeWorld = {
    dir,
    ip,
    nft,
    sysctl,
    sockets,
    events,
    containers,
    dnsSockets,
    forwarded: [],
    upstream: () => undefined,
    deps: undefined as unknown as NetworksDeps,
    async start() {
      const deps: NetworksDeps = {
        stateDir: dir,
        ip,
        nft,
        ipam: await DefaultIpam.open(join(dir, 'ipam.json'), opts.pools),
        portMapper: await PortAllocator.open(join(dir, 'ports.json'), sockets),
        drivers: [new BridgeDriver({ ip, nft, sysctl, ipv6Listenable: async () => opts.ipv6Listenable ?? true }, opts.bridge), new MacvlanDriver({ ip }), new HostDriver(), new NullDriver()],
        events,
        containers,
        netnsSockets: dnsSockets,
        dnsForward: async (servers, q, proto) => {
          world.forwarded.push({ servers, proto });
          return world.upstream(q);
        },
        readHostFile: async (p) => (p.endsWith('hosts') ? (opts.hosts ?? '127.0.0.1\tlocalhost\n10.0.0.5\thosty\n') : (opts.resolv ?? 'nameserver 127.0.0.53\nsearch example.com\n')),
      };
      if (opts.daemonDns) deps.daemonDns = opts.daemonDns;
      if (opts.proxy) deps.proxy = opts.proxy;
      if (opts.defaultBridge !== null) deps.defaultBridge = opts.defaultBridge ?? { options: defaultBridgeOptions() };
      world.deps = deps;
      const svc = await NetworksService.create({ log: nullLogger }, deps);
      services.push(svc);
      return svc;
    },
  };
  return world;
}
