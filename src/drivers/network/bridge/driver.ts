import type { Ctx } from '../../../common/ctx.ts';
import { UndoStack } from '../../../common/undo.ts';
import { formatIPv4, lastAddress, mustPrefix4 } from '../../../domain/net/ipv4.ts';
import { macFromIPv4 } from '../../../domain/net/mac.ts';
import type { IpCmd, IpRoute } from '../../../system/iproute/port.ts';
import type { Nftables } from '../../../system/nftables/port.ts';
import type { Sysctl } from '../../../system/sysctl/port.ts';
import type { DriverCapabilities, EndpointInfo, JoinPlan, LeavePlan, NetworkDriver, NetworkInfo } from '../contract.ts';
import { bridgeNameOf, checkBridgeOptions, hostBindingOf, masqueradeOf, mtuOf } from './options.ts';
import { BERTH_TABLE, type BridgeNet, bridgeElementOps, fullRulesetOps, netChainOps, portElementOps } from './ruleset.ts';

export interface BridgeDriverDeps {
  ip: IpRoute;
  nft: Nftables;
  sysctl: Sysctl;
}

function broadcastOf(subnet: string): string | undefined {
  const p = mustPrefix4(subnet);
  return p.bits <= 30 ? formatIPv4(lastAddress(p)) : undefined;
}

/**
 * The bridge driver: one Linux bridge per network (gateway address on the bridge), one veth per endpoint (host end
 * on the bridge, peer created straight inside the container's namespace), NAT, isolation and published ports in
 * berth's nftables table. Keeps the networks it manages in memory (given again by `restore` at daemon start).
 */
export class BridgeDriver implements NetworkDriver {
  readonly type = 'bridge';
  readonly capabilities: DriverCapabilities = { netns: 'new', addresses: true, portMapping: true, exclusive: false };
  readonly #d: BridgeDriverDeps;
  readonly #nets = new Map<string, NetworkInfo>();

  constructor(deps: BridgeDriverDeps) {
    this.#d = deps;
  }

  checkOptions(net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string> {
    return checkBridgeOptions(net, existing);
  }

  #bridgeNets(): BridgeNet[] {
    return [...this.#nets.values()].map((n) => ({ bridge: bridgeNameOf(n), subnet: n.subnet, internal: n.internal, masquerade: masqueradeOf(n) }));
  }

  /** Creates the bridges that are missing (and their addresses); returns the names it created. */
  async #ensureBridges(ctx: Ctx, nets: readonly NetworkInfo[]): Promise<string[]> {
    const links = new Map((await this.#d.ip.links(ctx)).map((l) => [l.name, l]));
    const addrs = new Set((await this.#d.ip.addrs(ctx)).map((a) => `${a.dev} ${a.cidr}`));
    const cmds: IpCmd[] = [];
    const created: string[] = [];
    for (const n of nets) {
      const br = bridgeNameOf(n);
      const bits = mustPrefix4(n.subnet).bits;
      const cidr = `${n.gateway}/${bits}`;
      const link = links.get(br);
      if (!link) {
        cmds.push({ op: 'bridge-add', name: br, mtu: mtuOf(n), mac: macFromIPv4(n.gateway) });
        created.push(br);
      }
      if (!addrs.has(`${br} ${cidr}`)) cmds.push({ op: 'addr-add', dev: br, cidr, broadcast: broadcastOf(n.subnet) });
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
    await this.#d.sysctl.set(ctx, 'net.ipv4.ip_forward', '1');
    for (const n of nets) await this.#d.sysctl.set(ctx, `net.ipv4.conf.${bridgeNameOf(n)}.route_localnet`, '1');
  }

  async createNetwork(ctx: Ctx, net: NetworkInfo): Promise<void> {
    const undo = new UndoStack();
    try {
      const created = await this.#ensureBridges(ctx, [net]);
      if (created.length > 0) undo.push('delete bridge', () => this.#d.ip.batch(ctx, [{ op: 'link-del', dev: created[0]! }], { force: true }));
      await this.#sysctls(ctx, [net]);
      const had = this.#nets.get(net.id);
      this.#nets.set(net.id, net);
      undo.push('forget network', () => (had ? this.#nets.set(net.id, had) : this.#nets.delete(net.id)));
      const hasTable = (await this.#d.nft.tables(ctx)).includes(`${BERTH_TABLE.family} ${BERTH_TABLE.name}`);
      if (!hasTable) {
        await this.#d.nft.apply(ctx, BERTH_TABLE, fullRulesetOps(this.#bridgeNets(), []));
      } else {
        const present = (await this.#d.nft.elements(ctx, BERTH_TABLE, 'bridges')) ?? [];
        const br = `"${bridgeNameOf(net)}"`;
        await this.#d.nft.apply(ctx, BERTH_TABLE, [
          ...(present.includes(br) ? [] : bridgeElementOps('add-element', [bridgeNameOf(net)])),
          ...netChainOps(this.#bridgeNets()),
        ]);
      }
      undo.commit();
    } catch (err) {
      await undo.unwind(ctx.log);
      throw err;
    }
  }

  async deleteNetwork(ctx: Ctx, net: NetworkInfo): Promise<void> {
    this.#nets.delete(net.id);
    const br = bridgeNameOf(net);
    const present = await this.#d.nft.elements(ctx, BERTH_TABLE, 'bridges');
    if (present !== undefined) {
      await this.#d.nft.apply(ctx, BERTH_TABLE, [...(present.includes(`"${br}"`) ? bridgeElementOps('delete-element', [br]) : []), ...netChainOps(this.#bridgeNets())]);
    }
    if ((await this.#d.ip.links(ctx)).some((l) => l.name === br)) await this.#d.ip.batch(ctx, [{ op: 'link-del', dev: br }]);
  }

  async restore(ctx: Ctx, nets: readonly NetworkInfo[], endpoints: readonly EndpointInfo[]): Promise<void> {
    this.#nets.clear();
    for (const n of nets) this.#nets.set(n.id, n);
    await this.#ensureBridges(ctx, nets);
    await this.#sysctls(ctx, nets);
    const published = endpoints.filter((e) => e.ports.length > 0 && this.#nets.has(e.networkId)).map((e) => ({ ip: e.ip, ports: e.ports }));
    await this.#d.nft.apply(ctx, BERTH_TABLE, fullRulesetOps(this.#bridgeNets(), published));
  }

  planJoin(net: NetworkInfo, ep: EndpointInfo, pid: number): JoinPlan {
    const mtu = mtuOf(net);
    const container: IpCmd[] = [
      { op: 'link-set', dev: ep.ifname, mac: ep.mac },
      { op: 'addr-add', dev: ep.ifname, cidr: `${ep.ip}/${ep.prefixLen}`, broadcast: broadcastOf(net.subnet) },
      { op: 'link-set', dev: ep.ifname, up: true },
    ];
    if (ep.defaultRoute && !net.internal) container.push({ op: 'route-add', dst: 'default', via: ep.gateway, dev: ep.ifname });
    return {
      host: [
        { op: 'veth-add', name: ep.hostIfname, peer: ep.ifname, peerNetnsPid: pid, mtu },
        { op: 'link-set', dev: ep.hostIfname, master: bridgeNameOf(net), up: true },
      ],
      container,
      nft: ep.ports.length > 0 ? [{ table: BERTH_TABLE, ops: portElementOps('add-element', ep.ip, ep.ports) }] : [],
    };
  }

  defaultHostIp(net: NetworkInfo): string {
    return hostBindingOf(net);
  }

  planLeave(_net: NetworkInfo, ep: EndpointInfo): LeavePlan {
    return {
      host: [{ op: 'link-del', dev: ep.hostIfname }],
      nft: ep.ports.length > 0 ? [{ table: BERTH_TABLE, ops: portElementOps('delete-element', ep.ip, ep.ports) }] : [],
    };
  }
}
