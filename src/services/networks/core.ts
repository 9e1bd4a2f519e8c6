import { readFile } from 'node:fs/promises';
import type { Ctx } from '../../common/ctx.ts';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import { mustPrefix4 } from '../../domain/net/ipv4.ts';
import { linkLocalCidrs } from '../../domain/net/link-local.ts';
import { type LinkPeer, type LinkRule, linkRulesOf } from '../../domain/net/links.ts';
import type { Ipam } from '../../drivers/ipam/contract.ts';
import type { EndpointInfo, NetworkDriver, NetworkInfo, NftPlan } from '../../drivers/network/contract.ts';
import type { PortMapper } from '../../drivers/portmapper/contract.ts';
import type { UserlandProxy } from '../../drivers/portmapper/proxy.ts';
import type { IpRoute } from '../../system/iproute/port.ts';
import type { Nftables } from '../../system/nftables/port.ts';
import type { DnsUdpServer } from '../../system/native/dns-udp.ts';
import type { NetnsSockets, NetnsSysctl } from '../../system/netns/port.ts';
import type { DnsView } from '../../domain/net/dns-names.ts';
import type { EventsService } from '../events/events.ts';
import type { ContainerHooks } from './contract.ts';
import { EmbeddedDns } from './dns/embedded-dns.ts';
import { DnsResponder, type ForwardPolicy } from './dns/responder.ts';
import { UpstreamForwarder } from './dns/upstream.ts';
import { exposedKeys } from './ports.ts';
import { dnsNamesOf } from './render.ts';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './state.ts';
import { NetworkState } from './state.ts';

/** The predefined "bridge" network's configuration (dockerd's --bip, --fixed-cidr, bridge options). */
export interface DefaultBridgeConfig {
  /** The network's Options, e.g. from defaultBridgeOptions() of the bridge driver (bridge name berth0). */
  options: Record<string, string>;
  /** "192.168.5.1/24": the gateway address and subnet (dockerd --bip). Without it 172.17.0.0/16 or the next free pool. */
  bip?: string;
  /** Containers get addresses from this range only (dockerd --fixed-cidr). */
  fixedCidr?: string;
  /** dockerd --ipv6: the default bridge is dual-stack, on `fixedCidrV6` (else a /64 of the engine's ULA prefix). */
  ipv6?: boolean;
  fixedCidrV6?: string;
  /** dockerd --default-gateway(-v6): the containers' default route goes there instead of the bridge address. */
  defaultGateway?: string;
  defaultGateway6?: string;
}

export interface NetworksDeps {
  /** Directory of the controller's state file. */
  stateDir: string;
  ip: IpRoute;
  nft: Nftables;
  ipam: Ipam;
  portMapper: PortMapper;
  /** The drivers, by their `type` ("bridge", "host", "null" …). */
  drivers: readonly NetworkDriver[];
  events: EventsService;
  containers: ContainerHooks;
  /** Without it there is no "bridge" network (dockerd --bridge=none). */
  defaultBridge?: DefaultBridgeConfig;
  /** The address of `--add-host x:host-gateway` (default: the gateway of the "bridge" network). */
  hostGatewayIp?: string;
  /** The daemon's files copied into containers. */
  hostsPath?: string;
  resolvConfPath?: string;
  readHostFile?: (path: string) => Promise<string>;
  /**
   * Binds the embedded DNS server's sockets inside containers' namespaces. Without it containers on user-defined
   * networks get the host's resolvers and no name resolution (as on the default bridge).
   */
  netnsSockets?: NetnsSockets;
  /** Serves the embedded DNS's UDP sockets off the event loop (the native helper); else the event loop reads them. */
  dnsUdpServer?: DnsUdpServer;
  /** Writes sysctls inside containers' namespaces (IPv6 off on IPv4-only interfaces); without it they are left alone. */
  netnsSysctl?: NetnsSysctl;
  /** Forwards queries the embedded server cannot answer (default: UDP/TCP from the daemon's namespace). */
  dnsForward?: (servers: readonly string[], query: Buffer, proto: 'udp' | 'tcp') => Promise<Buffer | undefined>;
  /** Serves the published ports drivers do not DNAT in the kernel (iptables off, or published-ports-obey-input). */
  proxy?: UserlandProxy;
  /** The daemon's `dns`, `dns-search` and `dns-opts`: used for containers that give none of their own. */
  daemonDns?: { servers: string[]; search: string[]; options: string[] };
}

/** What every part of the controller shares: dependencies, persisted state, one lock. */
export class NetworkCore {
  readonly d: NetworksDeps;
  readonly state: NetworkState;
  readonly drivers = new Map<string, NetworkDriver>();
  /** The embedded DNS server (undefined without `netnsSockets`). */
  readonly dns: EmbeddedDns | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** The driver cleanup of removed networks, one after the other (see removeInBackground). */
  #cleanup: Promise<void> = Promise.resolve();
  #view: { gen: number; view: DnsView } | undefined;

  constructor(deps: NetworksDeps, state: NetworkState, log: Ctx['log']) {
    this.d = deps;
    this.state = state;
    for (const drv of deps.drivers) this.drivers.set(drv.type, drv);
    if (deps.netnsSockets) {
      const upstream = new UpstreamForwarder();
      const responder = new DnsResponder({
        view: () => this.dnsView(),
        policy: (id) => this.dnsPolicy(id),
        forward: deps.dnsForward ?? ((servers, q, proto) => upstream.forward(servers, q, proto)),
      });
      const dns = new EmbeddedDns({ sockets: deps.netnsSockets, nft: deps.nft, responder, log, ...(deps.dnsUdpServer ? { udpServer: deps.dnsUdpServer } : {}) });
      // every save may change the records: what the native server learned goes (before any later query is read)
      state.onSave(() => dns.invalidate());
      this.dns = dns;
    }
  }

  /**
   * Removes a network's kernel objects after its removal was answered: the kernel takes tens of milliseconds to
   * unregister a bridge, and nothing needs it gone except making a network (it may reuse the bridge's name or
   * subnet; the free-subnet search reads the routing table) and restoring, which wait for `settle()`. The network
   * stays in the state file's `removing` list until its driver is done, so a daemon that dies meanwhile finishes
   * the job at its next start (init).
   */
  removeInBackground(ctx: Ctx, n: NetworkRecord): void {
    this.state.removing.set(n.Id, n);
    // not the request's signal: the request is answered (and its signal aborted) before this runs
    const bg: Ctx = { log: ctx.log };
    const step = this.#cleanup
      .then(() => this.driverOf(n).deleteNetwork(bg, this.netInfo(n)))
      .then(
        () => {
          // written with the next save; a stale entry only repeats an idempotent delete at the next start
          this.state.removing.delete(n.Id);
        },
        (err: Error) => ctx.log.warn('removing a network\'s kernel objects failed', { network: n.Name, id: n.Id, error: err.message }),
      );
    this.#cleanup = step;
  }

  /** Resolves when the kernel cleanup of removed networks is done. */
  async settle(): Promise<void> {
    for (;;) {
      const tail = this.#cleanup;
      await tail;
      if (tail === this.#cleanup) return;
    }
  }

  /** Containers on this network find each other by name (user-defined network of a driver with DNS). */
  resolving(n: NetworkRecord): boolean {
    return !n.predefined && !n.ConfigOnly && (this.drivers.get(n.Driver)?.capabilities.dns ?? false);
  }

  /** The records of the embedded DNS: endpoints of running containers on resolving networks (cached per state generation). */
  dnsView(): DnsView {
    if (this.#view?.gen === this.state.generation) return this.#view.view;
    const nets = [...this.state.networks.values()].filter((n) => this.resolving(n));
    const ids = new Set(nets.map((n) => n.Id));
    const endpoints: DnsView['endpoints'][number][] = [];
    for (const sb of this.state.sandboxes.values()) {
      if (!sb.attached || sb.kind !== 'new') continue;
      for (const ep of sb.endpoints) {
        if (!ids.has(ep.networkId)) continue;
        const links: Record<string, string> = {};
        for (const l of ep.config.Links ?? []) {
          const [target, alias] = l.replace(/^\//, '').split(':') as [string, string | undefined];
          links[(alias ?? target).replace(/^.*\//, '')] = target;
        }
        endpoints.push({
          containerId: sb.containerId,
          containerName: sb.containerName,
          networkId: ep.networkId,
          names: dnsNamesOf(sb, ep),
          ipv4: ep.ip,
          ipv6: ep.ipv6 ?? '',
          links,
        });
      }
    }
    const view: DnsView = { networks: nets.map((n) => ({ id: n.Id, name: n.Name })), endpoints };
    this.#view = { gen: this.state.generation, view };
    return view;
  }

  /** Forwarding of a container's unknown names: off when every network it is on is internal. */
  dnsPolicy(containerId: string): ForwardPolicy {
    const sb = this.state.sandboxes.get(containerId);
    if (!sb) return { enabled: false, servers: [] };
    const external = sb.endpoints.some((e) => !this.state.networks.get(e.networkId)?.Internal);
    return { enabled: external, servers: sb.dnsServers ?? [] };
  }

  /** Runs `fn` after every earlier locked operation (one network operation at a time). */
  lock<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn);
    this.#queue = p.catch(() => {});
    return p;
  }

  driverOf(n: NetworkRecord): NetworkDriver {
    const drv = this.drivers.get(n.Driver);
    if (!drv) throw new InvalidArgumentError(`network ${n.Name}: driver "${n.Driver}" is not available`);
    return drv;
  }

  netInfo(n: NetworkRecord): NetworkInfo {
    const c = n.IPAM.Config.find((x) => !x.Subnet.includes(':'));
    const c6 = n.EnableIPv6 ? n.IPAM.Config.find((x) => x.Subnet.includes(':')) : undefined;
    return {
      id: n.Id,
      name: n.Name,
      subnet: c?.Subnet ?? '',
      gateway: c?.Gateway ?? '',
      subnet6: c6?.Subnet ?? '',
      gateway6: c6?.Gateway ?? '',
      internal: n.Internal,
      options: { ...n.Options },
    };
  }

  /** Docker's FindNetwork: full id, then name, then unique id prefix. */
  find(ref: string): NetworkRecord {
    const nets = [...this.state.networks.values()];
    const byId = nets.find((n) => n.Id === ref);
    if (byId) return byId;
    const byName = nets.find((n) => n.Name === ref);
    if (byName) return byName;
    const byPrefix = ref === '' ? [] : nets.filter((n) => n.Id.startsWith(ref));
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) throw new InvalidArgumentError(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw new NotFoundError(`network ${ref} not found`);
  }

  tryFind(ref: string): NetworkRecord | undefined {
    try {
      return this.find(ref);
    } catch {
      return undefined;
    }
  }

  bridgeNetwork(): NetworkRecord | undefined {
    return [...this.state.networks.values()].find((n) => n.predefined && n.Name === 'bridge');
  }

  epInfo(ep: EndpointRecord, sb: SandboxRecord): EndpointInfo {
    return {
      id: ep.id,
      networkId: ep.networkId,
      ifname: ep.ifname,
      hostIfname: ep.hostIfname,
      ip: ep.ip,
      prefixLen: ep.prefixLen,
      gateway: ep.gateway,
      ipv6: ep.ipv6 ?? '',
      prefixLen6: ep.prefixLen6 ?? 0,
      gateway6: ep.gateway6 ?? '',
      mac: ep.mac,
      defaultRoute: ep.gatewayEndpoint,
      ports: ep.gatewayEndpoint && sb.attached ? sb.ports : [],
      linkLocal: safeLinkLocal(ep.config.IPAMConfig?.LinkLocalIPs),
      links: this.linkRules(ep, sb),
    };
  }

  /**
   * The legacy links an endpoint on the default bridge takes part in, with running containers there (as parent:
   * its own links; as child: containers linking to it). For the bridge driver's `enable_icc=false` exceptions.
   */
  linkRules(ep: EndpointRecord, sb: SandboxRecord): LinkRule[] {
    if (sb.kind !== 'new' || !ep.ip || !this.state.networks.get(ep.networkId)?.predefined) return [];
    const own = (sb.spec.links?.length ?? 0) > 0;
    const peer = (s: SandboxRecord, e: EndpointRecord): LinkPeer => ({ id: s.containerId, name: s.containerName, ip: e.ip, links: s.spec.links ?? [], exposed: exposedKeys(s.spec) });
    const peers: LinkPeer[] = [];
    for (const o of this.state.sandboxes.values()) {
      if (o === sb || !o.attached || o.kind !== 'new') continue;
      // without links of its own, only containers that link somewhere matter
      if (!own && (o.spec.links?.length ?? 0) === 0) continue;
      const oe = o.endpoints.find((e) => e.networkId === ep.networkId && e.ip);
      if (oe) peers.push(peer(o, oe));
    }
    return peers.length > 0 ? linkRulesOf(peer(sb, ep), peers) : [];
  }

  prefixLenOf(n: NetworkRecord): number {
    const s = n.IPAM.Config.find((x) => !x.Subnet.includes(':'))?.Subnet;
    return s ? mustPrefix4(s).bits : 0;
  }

  async hostFile(which: 'hosts' | 'resolv'): Promise<string> {
    const path = which === 'hosts' ? (this.d.hostsPath ?? '/etc/hosts') : (this.d.resolvConfPath ?? '/etc/resolv.conf');
    try {
      return await (this.d.readHostFile ?? ((p: string) => readFile(p, 'utf8')))(path);
    } catch {
      return '';
    }
  }

  emit(action: string, n: NetworkRecord, containerId?: string): void {
    const attributes: Record<string, string> = { name: n.Name, type: n.Driver };
    if (containerId) attributes['container'] = containerId;
    this.d.events.emit({ type: 'network', action, id: n.Id, attributes });
  }

  /** Applies nft plans as one transaction per table. */
  async applyNft(ctx: Ctx, plans: readonly NftPlan[]): Promise<void> {
    const byTable = new Map<string, NftPlan>();
    for (const p of plans) {
      const k = `${p.table.family} ${p.table.name}`;
      const cur = byTable.get(k);
      if (cur) cur.ops.push(...p.ops);
      else byTable.set(k, { table: p.table, ops: [...p.ops] });
    }
    for (const p of byTable.values()) if (p.ops.length > 0) await this.d.nft.apply(ctx, p.table, p.ops);
  }

  /** Makes every driver's kernel state match the persisted state again (daemon start, or after a failed cleanup). */
  async restoreDrivers(ctx: Ctx): Promise<void> {
    for (const drv of this.drivers.values()) {
      const nets = [...this.state.networks.values()].filter((n) => n.Driver === drv.type).map((n) => this.netInfo(n));
      const ids = new Set(nets.map((n) => n.id));
      const eps: EndpointInfo[] = [];
      for (const sb of this.state.sandboxes.values()) {
        if (!sb.attached) continue;
        for (const ep of sb.endpoints) if (ids.has(ep.networkId)) eps.push(this.epInfo(ep, sb));
      }
      await drv.restore(ctx, nets, eps);
    }
  }

  static async open(deps: NetworksDeps, log: Ctx['log']): Promise<NetworkCore> {
    return new NetworkCore(deps, await NetworkState.load(`${deps.stateDir}/networks.json`), log);
  }
}

/** The link-local interface addresses of an endpoint (validated at create and connect; a bad stored one is skipped). */
function safeLinkLocal(ips: readonly string[] | undefined): string[] {
  try {
    return linkLocalCidrs(ips);
  } catch {
    return [];
  }
}
