import type { Ctx } from '../../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, SystemError } from '../../../common/errors.ts';
import type { IpCmd, IpRoute } from '../../../system/iproute/port.ts';
import type { DriverCapabilities, EndpointInfo, JoinPlan, LeavePlan, NetworkDriver, NetworkInfo } from '../contract.ts';

export const MACVLAN_PARENT = 'parent';
export const MACVLAN_MODE = 'macvlan_mode';
const MODES = ['bridge', 'private', 'vepa', 'passthru'];

export interface MacvlanDriverDeps {
  ip: IpRoute;
}

/** The parent link of a network: `-o parent=`, else the dummy link berth creates ("dm-" + 12 hex of the id). */
export function parentOf(net: Pick<NetworkInfo, 'id' | 'options'>): string {
  return net.options[MACVLAN_PARENT] || `dm-${net.id.slice(0, 12)}`;
}

export function modeOf(net: Pick<NetworkInfo, 'options'>): string {
  return net.options[MACVLAN_MODE] || 'bridge';
}

/** "eth0.10" → { link: "eth0", id: 10 } (the 802.1q form of `parent`), else undefined. */
export function vlanOf(parent: string): { link: string; id: number } | undefined {
  const m = /^(.+)\.(\d+)$/.exec(parent);
  if (!m) return undefined;
  const id = Number(m[2]);
  return id >= 1 && id <= 4094 ? { link: m[1]!, id } : undefined;
}

/**
 * The reason in a failed `ip -batch`'s output, without its "Command failed -:N" trailer; "Unknown device type" means
 * the kernel lacks the link kind (no 8021q module for VLANs).
 */
export function ipFailure(message: string, kind: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.replace(/^ip -batch -: /, '').trim())
    .filter((l) => l && !/^Command failed /.test(l));
  const reason = lines.find((l) => l.startsWith('Error:'))?.replace(/^Error:\s*/, '') ?? lines.at(-1) ?? 'failed';
  return /Unknown device type/i.test(reason) ? `the kernel does not support ${kind} links (ip: ${reason})` : reason;
}

/**
 * The macvlan driver: each endpoint is a macvlan link on the network's parent, created straight inside the
 * container's namespace (so it leaves with the container). The gateway is the LAN's router: no address on the
 * host, no NAT, no published ports. A parent of the 802.1q form (`eth0.10`) is created when missing (and removed
 * with the network); without a parent a dummy link is used, as dockerd does.
 */
export class MacvlanDriver implements NetworkDriver {
  readonly type = 'macvlan';
  readonly capabilities: DriverCapabilities = { netns: 'new', addresses: true, portMapping: false, exclusive: false, dns: true };
  readonly #d: MacvlanDriverDeps;
  /** Parent links this driver created (deleted with their network). */
  readonly #created = new Set<string>();

  constructor(deps: MacvlanDriverDeps) {
    this.#d = deps;
  }

  checkOptions(net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string> {
    const mode = modeOf(net);
    if (!MODES.includes(mode)) throw new InvalidArgumentError(`requested macvlan mode '${mode}' is not valid, 'bridge' mode is the macvlan driver default`);
    const parent = parentOf(net);
    if (parent.length > 15) throw new InvalidArgumentError(`invalid parent interface name ${JSON.stringify(parent)}: at most 15 characters`);
    if (parent === 'lo') throw new InvalidArgumentError('loopback interface is not a valid macvlan parent link');
    const clash = existing.find((n) => parentOf(n) === parent);
    if (clash) throw new ForbiddenError(`network ${clash.name} is already using parent interface ${parent}`);
    return { ...net.options };
  }

  async #ensureParent(ctx: Ctx, net: NetworkInfo): Promise<void> {
    const parent = parentOf(net);
    const links = new Set((await this.#d.ip.links(ctx)).map((l) => l.name));
    if (links.has(parent)) return;
    const vlan = vlanOf(parent);
    const given = !!net.options[MACVLAN_PARENT];
    if (given && !vlan) throw new InvalidArgumentError(`invalid subinterface vlan name ${parent}, example formatting is eth0.10`);
    if (vlan && !links.has(vlan.link)) throw new InvalidArgumentError(`-o parent interface was not found on the host: ${vlan.link}`);
    const cmds: IpCmd[] = vlan ? [{ op: 'vlan-add', name: parent, parent: vlan.link, id: vlan.id }] : [{ op: 'dummy-add', name: parent }];
    cmds.push({ op: 'link-set', dev: parent, up: true });
    try {
      await this.#d.ip.batch(ctx, cmds);
    } catch (err) {
      await this.#d.ip.batch(ctx, [{ op: 'link-del', dev: parent }], { force: true });
      const what = vlan ? `the 802.1q sub-interface ${parent} of ${vlan.link}` : `the dummy parent link ${parent}`;
      throw new SystemError(`macvlan: cannot create ${what}: ${ipFailure((err as Error).message, vlan ? 'vlan' : 'dummy')}`, { cause: err });
    }
    this.#created.add(parent);
  }

  async createNetwork(ctx: Ctx, net: NetworkInfo): Promise<void> {
    await this.#ensureParent(ctx, net);
  }

  async deleteNetwork(ctx: Ctx, net: NetworkInfo): Promise<void> {
    const parent = parentOf(net);
    if (this.#created.has(parent) || parent === `dm-${net.id.slice(0, 12)}`) {
      this.#created.delete(parent);
      await this.#d.ip.batch(ctx, [{ op: 'link-del', dev: parent }], { force: true });
    }
  }

  async restore(ctx: Ctx, nets: readonly NetworkInfo[]): Promise<void> {
    for (const n of nets) {
      try {
        await this.#ensureParent(ctx, n);
      } catch (err) {
        ctx.log.warn('macvlan: parent link missing', { network: n.name, error: (err as Error).message });
      }
    }
  }

  defaultHostIp(): string {
    return '0.0.0.0';
  }

  planJoin(net: NetworkInfo, ep: EndpointInfo, pid: number): JoinPlan {
    const container: IpCmd[] = [{ op: 'link-set', dev: ep.hostIfname, name: ep.ifname }, { op: 'link-set', dev: ep.ifname, mac: ep.mac }];
    if (ep.ip) container.push({ op: 'addr-add', dev: ep.ifname, cidr: `${ep.ip}/${ep.prefixLen}` });
    if (ep.ipv6) container.push({ op: 'addr-add', dev: ep.ifname, cidr: `${ep.ipv6}/${ep.prefixLen6}`, nodad: true });
    container.push({ op: 'link-set', dev: ep.ifname, up: true });
    if (ep.defaultRoute && !net.internal) {
      if (ep.gateway) container.push({ op: 'route-add', dst: 'default', via: ep.gateway, dev: ep.ifname });
      if (ep.ipv6 && ep.gateway6) container.push({ op: 'route-add', dst: 'default', via: ep.gateway6, dev: ep.ifname });
    }
    // created inside the container's namespace under the host-side name, renamed there
    return { host: [{ op: 'macvlan-add', name: ep.hostIfname, parent: parentOf(net), mode: modeOf(net), netnsPid: pid }], container, nft: [] };
  }

  planLeave(_net: NetworkInfo, ep: EndpointInfo): LeavePlan {
    return { host: [], container: [{ op: 'link-del', dev: ep.ifname }], nft: [] };
  }
}
