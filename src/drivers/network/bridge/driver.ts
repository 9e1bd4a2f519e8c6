import type { Ctx } from '../../../common/ctx.ts';
import { UndoStack } from '../../../common/undo.ts';
import type { BindingPolicy } from '../../../domain/net/host-bindings.ts';
import { isLoopback6 } from '../../../domain/net/host-bindings.ts';
import { formatIPv4, lastAddress, mustPrefix4 } from '../../../domain/net/ipv4.ts';
import type { LinkRule } from '../../../domain/net/links.ts';
import { mustPrefix6 } from '../../../domain/net/ipv6.ts';
import { macFromIPv4 } from '../../../domain/net/mac.ts';
import type { IpCmd, IpRoute, LinkInfo } from '../../../system/iproute/port.ts';
import type { Nftables } from '../../../system/nftables/port.ts';
import type { Sysctl } from '../../../system/sysctl/port.ts';
import type { DriverCapabilities, EndpointInfo, JoinPlan, LeavePlan, NetworkDriver, NetworkInfo, NftPlan } from '../contract.ts';
import { bridgeNameOf, checkBridgeOptions, hostBindingOf, iccOf, masqueradeOf, mtuOf } from './options.ts';
import { ipv6Listenable } from '../../portmapper/ipv6-probe.ts';
import type { ProxyTarget } from '../../portmapper/proxy.ts';
import {
  BERTH_TABLE,
  type BridgeNet,
  bridgeElementOps,
  fullRulesetOps,
  ICC_TABLE,
  iccTableOps,
  linkElementOps,
  netChainOps,
  portElementOps,
  portSetOps,
  type RulesetOptions,
} from './ruleset.ts';

export interface BridgeDriverDeps {
  ip: IpRoute;
  nft: Nftables;
  sysctl: Sysctl;
  /** dockerd's IsV6Listenable (default: a socket on [::1]:0 in the daemon's namespace), asked once. */
  ipv6Listenable?: () => Promise<boolean>;
}

/** dockerd's options that shape every bridge network. */
export interface BridgeDaemonOptions {
  /** dockerd --iptables: berth manages its firewall rules (NAT, isolation, published ports). Default true. */
  iptables?: boolean;
  /** dockerd --ip-forward: turn on IPv4 (and, with IPv6 networks, IPv6) forwarding. Default true. */
  ipForward?: boolean;
  /**
   * berth's answer to "published ports bypass the host firewall" (daemon.json `published-ports-obey-input`):
   * traffic from outside to a published port is not DNATed before the host's filter hooks; it reaches the daemon's
   * userland proxy through the INPUT hook, so the host's own input policy (ufw, firewalld, nft) decides. Traffic of
   * containers and of the host itself keeps the kernel path. Default false (Docker's behaviour).
   */
  publishedPortsObeyInput?: boolean;
  /**
   * dockerd --userland-proxy (default true). With firewall management on, loopback and hairpin access use the
   * kernel path either way (route_localnet + DNAT in output, hairpin ports); with `iptables: false` published ports
   * are served only by the proxy, so without it they are not reachable (as dockerd).
   */
  userlandProxy?: boolean;
}

function broadcastOf(subnet: string): string | undefined {
  const p = mustPrefix4(subnet);
  return p.bits <= 30 ? formatIPv4(lastAddress(p)) : undefined;
}

/**
 * The bridge driver: one Linux bridge per network (gateway addresses on the bridge), one veth per endpoint (host end
 * on the bridge, peer created straight inside the container's namespace), NAT, isolation and published ports in
 * berth's nftables table, `enable_icc=false` in berth's bridge-family table. Keeps the networks it manages in
 * memory (given again by `restore` at daemon start).
 */
export class BridgeDriver implements NetworkDriver {
  readonly type = 'bridge';
  readonly capabilities: DriverCapabilities = { netns: 'new', addresses: true, portMapping: true, exclusive: false, dns: true };
  readonly #d: BridgeDriverDeps;
  readonly #o: Required<BridgeDaemonOptions>;
  readonly #nets = new Map<string, NetworkInfo>();
  #v6Listenable: Promise<boolean> | undefined;

  constructor(deps: BridgeDriverDeps, opts: BridgeDaemonOptions = {}) {
    this.#d = deps;
    this.#o = {
      iptables: opts.iptables ?? true,
      ipForward: opts.ipForward ?? true,
      publishedPortsObeyInput: opts.publishedPortsObeyInput ?? false,
      userlandProxy: opts.userlandProxy ?? true,
    };
  }

  checkOptions(net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string> {
    return checkBridgeOptions(net, existing);
  }

  #bridgeNets(): BridgeNet[] {
    return [...this.#nets.values()].map((n) => ({ bridge: bridgeNameOf(n), subnet: n.subnet, subnet6: n.subnet6, internal: n.internal, masquerade: masqueradeOf(n) }));
  }

  /** Creates the bridges that are missing (and their addresses); returns the names it created. */
  async #ensureBridges(ctx: Ctx, nets: readonly NetworkInfo[]): Promise<string[]> {
    // details (up, addresses) matter only for bridges that already exist: a new network's bridge needs no `ip` read
    const names = new Set(await this.#d.ip.linkNames(ctx));
    const existing = nets.some((n) => names.has(bridgeNameOf(n)));
    const links = existing ? new Map((await this.#d.ip.links(ctx)).map((l) => [l.name, l])) : new Map<string, LinkInfo>();
    const addrs = existing ? new Set((await this.#d.ip.addrs(ctx)).map((a) => `${a.dev} ${a.cidr}`)) : new Set<string>();
    const cmds: IpCmd[] = [];
    const created: string[] = [];
    for (const n of nets) {
      const br = bridgeNameOf(n);
      const cidr = `${n.gateway}/${mustPrefix4(n.subnet).bits}`;
      const link = links.get(br);
      if (!link) {
        cmds.push({ op: 'bridge-add', name: br, mtu: mtuOf(n), mac: macFromIPv4(n.gateway) });
        created.push(br);
      }
      if (!addrs.has(`${br} ${cidr}`)) cmds.push({ op: 'addr-add', dev: br, cidr, broadcast: broadcastOf(n.subnet) });
      if (n.subnet6) {
        const cidr6 = `${n.gateway6}/${mustPrefix6(n.subnet6).bits}`;
        if (!addrs.has(`${br} ${cidr6}`)) cmds.push({ op: 'addr-add', dev: br, cidr: cidr6, nodad: true });
      }
      if (!link?.up) cmds.push({ op: 'link-set', dev: br, up: true });
    }
    try {
      await this.#d.ip.batch(ctx, cmds);
    } catch (err) {
      await this.#d.ip.batch(ctx, created.map((dev) => ({ op: 'link-del', dev }) as IpCmd), { force: true });
      throw err;
    }
    return created;
  }

  async #sysctls(ctx: Ctx, nets: readonly NetworkInfo[]): Promise<void> {
    if (nets.length === 0) return;
    if (this.#o.ipForward) {
      await this.#d.sysctl.set(ctx, 'net.ipv4.ip_forward', '1');
      if (nets.some((n) => n.subnet6)) await this.#d.sysctl.set(ctx, 'net.ipv6.conf.all.forwarding', '1');
    }
    // published ports answer on 127.0.0.1 too: DNAT of loopback traffic needs route_localnet on the bridge
    if (this.#o.iptables) for (const n of nets) await this.#d.sysctl.set(ctx, `net.ipv4.conf.${bridgeNameOf(n)}.route_localnet`, '1');
  }

  /**
   * Creates the bridge (addresses, sysctls) and, at the same time, its rules: the rules name the bridge, not its
   * index, so neither waits for the other.
   */
  async createNetwork(ctx: Ctx, net: NetworkInfo): Promise<void> {
    const undo = new UndoStack();
    const had = this.#nets.get(net.id);
    this.#nets.set(net.id, net);
    undo.push('forget network', () => (had ? this.#nets.set(net.id, had) : this.#nets.delete(net.id)));
    const kernel = async () => {
      const created = await this.#ensureBridges(ctx, [net]);
      if (created.length > 0) undo.push('delete bridge', () => this.#d.ip.batch(ctx, [{ op: 'link-del', dev: created[0]! }], { force: true }));
      await this.#sysctls(ctx, [net]);
    };
    const rules = async () => {
      if (!this.#o.iptables) return;
      // the table is there (made at daemon start) unless someone flushed the ruleset: only then is it listed and
      // made whole (adding a set element is idempotent: no need to list the set first)
      try {
        await this.#d.nft.apply(ctx, BERTH_TABLE, [...bridgeElementOps('add-element', [bridgeNameOf(net)]), ...netChainOps(this.#bridgeNets())]);
      } catch (err) {
        if (await this.#hasTable(ctx, BERTH_TABLE)) throw err;
        await this.#d.nft.apply(ctx, BERTH_TABLE, fullRulesetOps(this.#bridgeNets(), [], this.#rulesetOpts()));
      }
      undo.push('remove rules', () => this.#dropRules(ctx, net));
      if (!iccOf(net) && !(await this.#hasTable(ctx, ICC_TABLE))) await this.#d.nft.apply(ctx, ICC_TABLE, iccTableOps([]));
    };
    try {
      const done = await Promise.allSettled([kernel(), rules()]);
      for (const r of done) if (r.status === 'rejected') throw r.reason;
      undo.commit();
    } catch (err) {
      await undo.unwind(ctx.log);
      throw err;
    }
  }

  /** Removes the network's rules, then its bridge. Idempotent. */
  async deleteNetwork(ctx: Ctx, net: NetworkInfo): Promise<void> {
    this.#nets.delete(net.id);
    if (this.#o.iptables) await this.#dropRules(ctx, net);
    // best effort: the bridge may already be gone
    await this.#d.ip.batch(ctx, [{ op: 'link-del', dev: bridgeNameOf(net) }], { force: true });
  }

  /** Takes a network's bridge out of berth's table (its element and its chain rules); the rest stays. */
  async #dropRules(ctx: Ctx, net: NetworkInfo): Promise<void> {
    const br = bridgeNameOf(net);
    // add-then-delete: removes the element whether or not it is there, in one transaction; a table someone
    // flushed away has nothing to remove
    try {
      await this.#d.nft.apply(ctx, BERTH_TABLE, [...bridgeElementOps('add-element', [br]), ...bridgeElementOps('delete-element', [br]), ...netChainOps(this.#bridgeNets())]);
    } catch (err) {
      if (await this.#hasTable(ctx, BERTH_TABLE)) throw err;
    }
  }

  async #hasTable(ctx: Ctx, t: { family: string; name: string }): Promise<boolean> {
    return (await this.#d.nft.tables(ctx)).includes(`${t.family} ${t.name}`);
  }

  async restore(ctx: Ctx, nets: readonly NetworkInfo[], endpoints: readonly EndpointInfo[]): Promise<void> {
    this.#nets.clear();
    for (const n of nets) this.#nets.set(n.id, n);
    await this.#ensureBridges(ctx, nets);
    await this.#sysctls(ctx, nets);
    if (!this.#o.iptables) return;
    const mine = endpoints.filter((e) => this.#nets.has(e.networkId));
    const published = mine.filter((e) => e.ports.length > 0).map((e) => ({ ip: e.ip, ipv6: e.ipv6, ports: e.ports }));
    await this.#d.nft.apply(ctx, BERTH_TABLE, fullRulesetOps(this.#bridgeNets(), published, this.#rulesetOpts()));
    const noIccEps = mine.filter((e) => !iccOf(this.#nets.get(e.networkId)!));
    const noIcc = noIccEps.map((e) => e.hostIfname);
    const links: LinkRule[] = noIccEps.flatMap((e) => e.links ?? []);
    const hasTable = (await this.#d.nft.tables(ctx)).includes(`${ICC_TABLE.family} ${ICC_TABLE.name}`);
    if (noIcc.length > 0 || nets.some((n) => !iccOf(n)) || hasTable) await this.#d.nft.apply(ctx, ICC_TABLE, iccTableOps(noIcc, links));
  }

  #rulesetOpts(): RulesetOptions {
    return { externalDnat: !this.#o.publishedPortsObeyInput };
  }

  /**
   * Ports the userland proxy serves (an IPv6 binding goes to the container's IPv6 address when it has one, else to
   * its IPv4 address, as docker-proxy): without firewall management, all of them (with the proxy on); when
   * outside traffic must cross the host's input filter, all of them; else the IPv6 bindings the kernel cannot
   * DNAT: every one of a container without IPv6, and [::1] and the loopback part of [::] of one with IPv6.
   */
  #proxied(ep: EndpointInfo): ProxyTarget[] {
    const out: ProxyTarget[] = [];
    for (const p of ep.ports) {
      if (p.proto !== 'tcp' && p.proto !== 'udp') continue;
      const v6 = p.hostIp.includes(':');
      let proxied: boolean;
      if (!this.#o.iptables) proxied = this.#o.userlandProxy;
      else if (this.#o.publishedPortsObeyInput) proxied = true;
      else proxied = v6 && this.#o.userlandProxy && (!ep.ipv6 || p.hostIp === '::' || isLoopback6(p.hostIp));
      const target = { proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: v6 && ep.ipv6 ? ep.ipv6 : ep.ip, containerPort: p.containerPort };
      // DNATed by the kernel: the port is still held on the host, so that nothing else can listen on it
      if (!proxied) {
        if (this.#o.iptables) out.push({ ...target, hold: true });
        continue;
      }
      out.push(target);
    }
    return out;
  }

  #nftFor(net: NetworkInfo, ep: EndpointInfo, kind: 'add-element' | 'delete-element'): NftPlan[] {
    if (!this.#o.iptables) return [];
    const out: NftPlan[] = [];
    if (ep.ports.length > 0) out.push({ table: BERTH_TABLE, ops: portElementOps(kind, { ip: ep.ip, ipv6: ep.ipv6 }, ep.ports) });
    if (!iccOf(net)) out.push({ table: ICC_TABLE, ops: [...portSetOps(kind, [ep.hostIfname]), ...linkElementOps(kind, ep.links ?? [])] });
    return out;
  }

  /** dockerd 20.10+: bindings without an address go to the default one and, with IPv6 on the host, to ::. */
  async bindingPolicy(_ctx: Ctx, net: NetworkInfo): Promise<BindingPolicy> {
    this.#v6Listenable ??= (this.#d.ipv6Listenable ?? ipv6Listenable)().catch(() => false);
    return {
      defaultHostIp: this.defaultHostIp(net),
      ipv6Listenable: await this.#v6Listenable,
      // the proxy relays IPv6 to a container without IPv6; without firewall management it serves every port
      userlandProxy: this.#o.userlandProxy || (this.#o.iptables && this.#o.publishedPortsObeyInput),
    };
  }

  planJoin(net: NetworkInfo, ep: EndpointInfo, pid: number): JoinPlan {
    const mtu = mtuOf(net);
    const container: IpCmd[] = [{ op: 'link-set', dev: ep.ifname, mac: ep.mac }];
    if (ep.ip) container.push({ op: 'addr-add', dev: ep.ifname, cidr: `${ep.ip}/${ep.prefixLen}`, broadcast: broadcastOf(net.subnet) });
    if (ep.ipv6) container.push({ op: 'addr-add', dev: ep.ifname, cidr: `${ep.ipv6}/${ep.prefixLen6}`, nodad: true });
    // --link-local-ip: libnetwork's masks, /16 (broadcast 169.254.255.255) and /64
    for (const cidr of ep.linkLocal ?? []) {
      container.push(cidr.includes(':') ? { op: 'addr-add', dev: ep.ifname, cidr, nodad: true } : { op: 'addr-add', dev: ep.ifname, cidr, broadcast: '169.254.255.255' });
    }
    container.push({ op: 'link-set', dev: ep.ifname, up: true });
    if (ep.defaultRoute && !net.internal) {
      if (ep.gateway) container.push({ op: 'route-add', dst: 'default', via: ep.gateway, dev: ep.ifname });
      if (ep.ipv6 && ep.gateway6) container.push({ op: 'route-add', dst: 'default', via: ep.gateway6, dev: ep.ifname });
    }
    return {
      host: [
        { op: 'veth-add', name: ep.hostIfname, peer: ep.ifname, peerNetnsPid: pid, mtu },
        { op: 'link-set', dev: ep.hostIfname, master: bridgeNameOf(net), up: true },
        // a container reaching its own published port: with br_netfilter the DNATed frame goes back out its port
        { op: 'bridge-port', dev: ep.hostIfname, hairpin: true },
      ],
      container,
      nft: this.#nftFor(net, ep, 'add-element'),
      proxy: this.#proxied(ep),
    };
  }

  defaultHostIp(net: NetworkInfo): string {
    return hostBindingOf(net);
  }

  planLeave(net: NetworkInfo, ep: EndpointInfo): LeavePlan {
    return { host: [{ op: 'link-del', dev: ep.hostIfname }], nft: this.#nftFor(net, ep, 'delete-element') };
  }
}
