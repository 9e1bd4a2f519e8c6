import type { Ctx } from '../../common/ctx.ts';
import { NotFoundError, SystemError, UnavailableError } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { UndoStack } from '../../common/undo.ts';
import { parseExtraHosts, renderHostModeHosts, renderHosts } from '../../domain/net/hosts.ts';
import { mustPrefix4, } from '../../domain/net/ipv4.ts';
import { macFromIPv4, normalizeMac, randomMac } from '../../domain/net/mac.ts';
import { formatIPv6, mustPrefix6 } from '../../domain/net/ipv6.ts';
import { renderResolvConf } from '../../domain/net/resolv.ts';
import type { NftPlan } from '../../drivers/network/contract.ts';
import type { ProxyTarget } from '../../drivers/portmapper/proxy.ts';
import type { IpCmd } from '../../system/iproute/port.ts';
import type { EndpointSettings, NetnsChoice, NetworkSettingsOut, SandboxSpec } from './contract.ts';
import type { NetworkCore } from './core.ts';
import { hostGateway, hostsOf, legacyLinks, refreshLinkParents, setResolvConf } from './sandbox-files.ts';
import { checkEndpointConfig, netnsFor, resolveSpec, validateSpec } from './validation.ts';
import { exposedKeys, portMapOf, portRequests } from './ports.ts';
import { settingsOut } from './render.ts';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './state.ts';

/**
 * Containers' network sandboxes: validation, allocation (addresses, host ports, /etc/hosts and resolv.conf),
 * wiring of the container's namespace, release. Locked operations run one at a time.
 */
export class Sandboxes {
  readonly #c: NetworkCore;

  constructor(core: NetworkCore) {
    this.#c = core;
  }

  checkEndpointConfig(net: NetworkRecord, cfg: Partial<EndpointSettings>): void {
    checkEndpointConfig(this.#c, net, cfg);
  }

  validate(ctx: Ctx, spec: SandboxSpec): Promise<string[]> {
    return validateSpec(this.#c, ctx, spec);
  }

  netnsFor(ctx: Ctx, spec: SandboxSpec): Promise<NetnsChoice> {
    return netnsFor(this.#c, ctx, spec);
  }

  hostsOf(sb: SandboxRecord): string {
    return hostsOf(this.#c, sb);
  }

  allocate(ctx: Ctx, spec: SandboxSpec): Promise<NetworkSettingsOut> {
    return this.#c.lock(async () => settingsOut(await this.allocateLocked(ctx, spec), this.#c.state.networks));
  }

  /** A new endpoint on `net` for the sandbox: address leases when the driver has addresses (undo registered). */
  async newEndpoint(ctx: Ctx, sb: SandboxRecord, net: NetworkRecord, cfg: Partial<EndpointSettings>, undo: UndoStack): Promise<EndpointRecord> {
    const drv = this.#c.driverOf(net);
    const ep: EndpointRecord = { id: newId(), networkId: net.Id, ifname: '', hostIfname: '', ip: '', prefixLen: 0, gateway: '', mac: '', gatewayEndpoint: false, config: structuredClone(cfg) };
    if (drv.capabilities.netns === 'host' || drv.capabilities.exclusive) return ep;
    const info = this.#c.netInfo(net);
    const lease = async (poolId: string, preferred: string | undefined, family: 'IPv4' | 'IPv6'): Promise<string> => {
      try {
        const ip = await this.#c.d.ipam.requestAddress(ctx, poolId, { owner: ep.id, preferred: preferred || undefined });
        undo.push('release address', () => this.#c.d.ipam.releaseAddress(ctx, poolId, ip));
        return ip;
      } catch (err) {
        if (err instanceof UnavailableError) throw new UnavailableError(`no available ${family} addresses on this network's address pools: ${net.Name} (${net.Id})`, { cause: err });
        throw err;
      }
    };
    // dockerd --default-gateway(-v6) on the default bridge: the containers' route goes to that router
    const auxGw = (k: string) => net.IPAM.Config.map((c) => c.AuxiliaryAddresses?.[k]).find((v) => !!v);
    if (net.poolId) {
      ep.ip = await lease(net.poolId, cfg.IPAMConfig?.IPv4Address, 'IPv4');
      ep.prefixLen = mustPrefix4(info.subnet).bits;
      ep.gateway = auxGw('DefaultGatewayIPv4') ?? info.gateway;
    }
    ep.mac = cfg.MacAddress ? normalizeMac(cfg.MacAddress) : ep.ip ? macFromIPv4(ep.ip) : randomMac();
    if (net.poolId6 && info.subnet6) {
      const p6 = mustPrefix6(info.subnet6);
      // the default bridge with a fixed-cidr-v6 of /80 or shorter: the address is the prefix and the MAC (dockerd)
      const fromMac = net.predefined && net.Name === 'bridge' && p6.bits <= 80 && !cfg.IPAMConfig?.IPv6Address ? formatIPv6(p6.base | BigInt(`0x${ep.mac.replaceAll(':', '')}`)) : undefined;
      ep.ipv6 = await lease(net.poolId6, cfg.IPAMConfig?.IPv6Address || fromMac, 'IPv6');
      ep.prefixLen6 = p6.bits;
      ep.gateway6 = auxGw('DefaultGatewayIPv6') ?? info.gateway6;
    }
    const used = new Set(sb.endpoints.map((e) => e.ifname));
    let i = 0;
    while (used.has(`eth${i}`)) i++;
    ep.ifname = `eth${i}`;
    ep.hostIfname = `veth${ep.id.slice(0, 7)}`;
    if (!net.Internal && !sb.endpoints.some((e) => e.gatewayEndpoint)) ep.gatewayEndpoint = true;
    return ep;
  }

  async allocateLocked(ctx: Ctx, spec: SandboxSpec): Promise<SandboxRecord> {
    const old = this.#c.state.sandboxes.get(spec.containerId);
    if (old) await this.releaseLocked(ctx, old);
    const r = resolveSpec(this.#c, spec);
    const sb: SandboxRecord = {
      id: newId(),
      containerId: spec.containerId,
      containerName: spec.containerName.replace(/^\//, ''),
      kind: 'new',
      endpoints: [],
      ports: [],
      portMap: {},
      pid: 0,
      attached: false,
      hosts: '',
      resolvConf: '',
      spec: structuredClone(spec),
    };
    const resolvHost = await this.#c.hostFile('resolv');
    if (r.kind === 'container') {
      const c = await this.#c.d.containers.find(ctx, r.target);
      if (!c) throw new NotFoundError(`No such container: ${r.target}`);
      const other = this.#c.state.sandboxes.get(c.id);
      sb.kind = 'container';
      sb.joined = c.id;
      sb.attached = true;
      sb.hosts = other?.hosts ?? renderHosts({ extraHosts: [], self: [] });
      sb.resolvConf = other?.resolvConf ?? renderResolvConf({ hostFile: resolvHost, dns: [], dnsSearch: [], dnsOptions: [], hostMode: false, ipv6: false });
      this.#c.state.sandboxes.set(sb.containerId, sb);
      await this.#c.state.save();
      return sb;
    }
    const undo = new UndoStack();
    try {
      for (const { net, cfg } of r.entries) {
        checkEndpointConfig(this.#c, net, cfg);
        if (this.#c.driverOf(net).capabilities.netns === 'host') sb.kind = 'host';
        sb.endpoints.push(await this.newEndpoint(ctx, sb, net, cfg, undo));
      }
      if (sb.kind === 'new' && sb.endpoints.some((e) => e.ip)) await this.#publish(ctx, sb, sb.endpoints.find((e) => e.gatewayEndpoint), undo);
      if (sb.kind === 'new') await legacyLinks(this.#c, ctx, sb);
      const extra = parseExtraHosts(spec.extraHosts ?? [], hostGateway(this.#c));
      sb.hosts = sb.kind === 'host' ? renderHostModeHosts(await this.#c.hostFile('hosts'), extra) : this.hostsOf(sb);
      setResolvConf(this.#c, sb, resolvHost);
      // nothing to wire in the host's namespace: the sandbox is live from now on (attach is optional)
      if (sb.kind === 'host') sb.attached = true;
      this.#c.state.sandboxes.set(sb.containerId, sb);
      undo.push('forget sandbox', () => this.#c.state.sandboxes.delete(sb.containerId));
      await this.#c.state.save();
      undo.commit();
      if (sb.attached) this.#emitAll(sb, 'connect');
      return sb;
    } catch (err) {
      await undo.unwind(ctx.log);
      throw err;
    }
  }

  attach(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut> {
    return this.#c.lock(async () => {
      let sb = this.#c.state.sandboxes.get(spec.containerId) ?? (await this.allocateLocked(ctx, spec));
      if (sb.kind !== 'new') {
        // host and container:X sandboxes are live since allocate: just remember the pid
        sb.pid = pid;
        await this.#c.state.save();
        return settingsOut(sb, this.#c.state.networks);
      }
      if (sb.attached) {
        if (sb.pid === pid) return settingsOut(sb, this.#c.state.networks);
        // wired for an earlier process of this container that was never detached
        await this.#unprogram(ctx, sb);
        sb.attached = false;
        sb.pid = 0;
        sb = this.#c.state.sandboxes.get(spec.containerId)!;
      }
      await this.#program(ctx, sb, pid);
      sb.pid = pid;
      sb.attached = true;
      await this.#c.state.save();
      this.#emitAll(sb, 'connect');
      return settingsOut(sb, this.#c.state.networks);
    });
  }

  /**
   * After a container's start: the containers linked to it get its address in their /etc/hosts (legacy links).
   * Returns what the container service rewrites in their running containers.
   */
  linkParentsChanged(ctx: Ctx, containerId: string): Promise<{ id: string; endpointsConfig: Record<string, Partial<EndpointSettings>>; settings: NetworkSettingsOut }[]> {
    return this.#c.lock(async () => {
      const parents = await refreshLinkParents(this.#c, ctx, containerId);
      if (parents.length > 0) await this.#c.state.save();
      return parents.map((p) => ({ id: p.containerId, endpointsConfig: p.spec.endpointsConfig ?? {}, settings: settingsOut(p, this.#c.state.networks) }));
    });
  }

  /** Wires every endpoint of a sandbox: one batch in the daemon's namespace, one in the container's, one nft transaction. */
  async #program(ctx: Ctx, sb: SandboxRecord, pid: number): Promise<void> {
    const host: IpCmd[] = [];
    const inside: IpCmd[] = [{ op: 'link-set', dev: 'lo', up: true }];
    const nft: NftPlan[] = [];
    const undoHost: IpCmd[] = [];
    const proxies: ProxyTarget[] = [];
    for (const ep of sb.endpoints) {
      const n = this.#c.state.networks.get(ep.networkId)!;
      const drv = this.#c.driverOf(n);
      const info = { ...this.#c.epInfo(ep, sb), ports: ep.gatewayEndpoint ? sb.ports : [] };
      const plan = drv.planJoin(this.#c.netInfo(n), info, pid);
      host.push(...plan.host);
      inside.push(...plan.container);
      nft.push(...plan.nft);
      proxies.push(...(plan.proxy ?? []));
      undoHost.push(...drv.planLeave(this.#c.netInfo(n), info).host);
    }
    const undo = new UndoStack();
    let dns: Promise<void> = Promise.resolve();
    try {
      await this.#c.d.ip.batch(ctx, host);
      undo.push('remove host links', () => this.#c.d.ip.batch(ctx, undoHost, { force: true }));
      await this.#ipv6Off(ctx, sb.endpoints, pid);
      await this.#c.d.ip.batch(ctx, inside, { pid });
      // the embedded DNS binds 127.0.0.11 only once the container's loopback is up: a UDP socket bound to a
      // loopback address of a namespace whose lo is still down sends from 127.0.0.1 (the kernel keeps no source
      // for it), and its answers would not come from 127.0.0.11:53. In parallel with the rules.
      dns = this.#startDns(ctx, sb, pid);
      await this.#c.applyNft(ctx, nft);
      if (proxies.length > 0 && this.#c.d.proxy) {
        await this.#c.d.proxy.start(sb.containerId, proxies);
        undo.push('stop proxies', () => this.#c.d.proxy?.stop(sb.containerId));
      }
      await dns;
      undo.commit();
    } catch (err) {
      if (host.length > 0 && undoHost.length > 0) {
        // the first batch may have stopped half-way: remove whatever host links it created
        undo.push('remove host links', () => this.#c.d.ip.batch(ctx, undoHost, { force: true }));
      }
      await dns.catch(() => {});
      this.#c.dns?.stop(sb.containerId);
      await undo.unwind(ctx.log);
      throw err;
    }
  }

  /**
   * IPv6 off on the interfaces of IPv4-only endpoints, before they come up (no link-local address, no neighbour
   * discovery to spoof; moby 27 does the same). A kernel without IPv6 has nothing to turn off.
   */
  async #ipv6Off(ctx: Ctx, eps: readonly EndpointRecord[], pid: number): Promise<void> {
    const sysctl = this.#c.d.netnsSysctl;
    if (!sysctl) return;
    const v4only = eps.filter((ep) => ep.ifname && ep.ip && !ep.ipv6 && !(ep.config.IPAMConfig?.LinkLocalIPs ?? []).some((ip) => ip.includes(':')));
    await Promise.all(
      v4only.map((ep) =>
        sysctl.set(ctx, pid, `net.ipv6.conf.${ep.ifname}.disable_ipv6`, '1').catch((err: Error) => {
          if (!/No such file|cannot stat/.test(err.message)) throw err;
        }),
      ),
    );
  }

  /** Serves the embedded DNS inside the container's namespace when its resolv.conf points there. */
  async #startDns(ctx: Ctx, sb: SandboxRecord, pid: number): Promise<void> {
    if (!sb.embeddedDns || !this.#c.dns) return;
    try {
      await this.#c.dns.start(ctx, sb.containerId, pid);
    } catch (err) {
      throw new SystemError(`failed to start the embedded DNS server for ${sb.containerName}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Undoes #program: nft elements, and host ends of veths that still exist. Returns false if nft was out of sync. */
  /**
   * Removes a sandbox's endpoints from the kernel. `deferHost` collects the host-side link deletions instead of
   * running them: a veth deletion waits for an RCU grace period (~20 ms), and detach runs it after the
   * controller's lock is released so that concurrent removals do not queue behind each other.
   */
  async #unprogram(ctx: Ctx, sb: SandboxRecord, only?: EndpointRecord, deferHost?: IpCmd[]): Promise<boolean> {
    if (sb.kind !== 'new') return true;
    const host: IpCmd[] = [];
    const inside: IpCmd[] = [];
    const nft: NftPlan[] = [];
    for (const ep of only ? [only] : sb.endpoints) {
      const n = this.#c.state.networks.get(ep.networkId);
      if (!n) continue;
      const plan = this.#c.driverOf(n).planLeave(this.#c.netInfo(n), this.#c.epInfo(ep, sb));
      host.push(...plan.host);
      inside.push(...(plan.container ?? []));
      nft.push(...plan.nft);
    }
    if (!only || only.gatewayEndpoint) this.#c.d.proxy?.stop(sb.containerId);
    // links that live only in the container's namespace go with it; removed here for a running container
    if (inside.length > 0 && sb.pid > 0) await this.#c.d.ip.batch(ctx, inside, { pid: sb.pid, force: true }).catch(() => {});
    let ok = true;
    try {
      await this.#c.applyNft(ctx, nft);
    } catch (err) {
      ctx.log.warn('removing published ports failed; resynchronising the rules', { container: sb.containerId, error: String(err) });
      ok = false;
    }
    if (deferHost) deferHost.push(...host);
    else await this.#c.d.ip.batch(ctx, host, { force: true });
    return ok;
  }

  async detach(ctx: Ctx, containerId: string): Promise<void> {
    const host: IpCmd[] = [];
    await this.#c.lock(async () => {
      const sb = this.#c.state.sandboxes.get(containerId);
      if (sb) await this.releaseLocked(ctx, sb, host);
    });
    // the endpoint's host link has a unique name and is no longer in the state: deleted outside the lock
    if (host.length > 0) await this.#c.d.ip.batch(ctx, host, { force: true });
  }

  async releaseLocked(ctx: Ctx, sb: SandboxRecord, deferHost?: IpCmd[]): Promise<void> {
    const wasAttached = sb.attached;
    this.#c.dns?.stop(sb.containerId);
    const inSync = wasAttached ? await this.#unprogram(ctx, sb, undefined, deferHost) : true;
    for (const ep of sb.endpoints) {
      const n = this.#c.state.networks.get(ep.networkId);
      if (n) await this.#releaseLeases(ctx, n, ep);
    }
    await this.#c.d.portMapper.release(ctx, sb.containerId);
    this.#c.state.sandboxes.delete(sb.containerId);
    await this.#c.state.save();
    if (!inSync) await this.#c.restoreDrivers(ctx);
    if (wasAttached) this.#emitAll(sb, 'disconnect');
  }

  async #releaseLeases(ctx: Ctx, n: NetworkRecord, ep: EndpointRecord): Promise<void> {
    if (ep.ip && n.poolId) await this.#c.d.ipam.releaseAddress(ctx, n.poolId, ep.ip);
    if (ep.ipv6 && n.poolId6) await this.#c.d.ipam.releaseAddress(ctx, n.poolId6, ep.ipv6);
  }

  #emitAll(sb: SandboxRecord, action: 'connect' | 'disconnect'): void {
    for (const ep of sb.endpoints) {
      const n = this.#c.state.networks.get(ep.networkId);
      if (n) this.#c.emit(action, n, sb.containerId);
    }
  }

  /** Removes one endpoint of a wired or allocated sandbox (network disconnect). */
  async removeEndpointLocked(ctx: Ctx, sb: SandboxRecord, ep: EndpointRecord): Promise<void> {
    const inSync = sb.attached ? await this.#unprogram(ctx, sb, ep) : true;
    const n = this.#c.state.networks.get(ep.networkId);
    if (n) await this.#releaseLeases(ctx, n, ep);
    if (ep.gatewayEndpoint && sb.ports.length > 0) {
      await this.#c.d.portMapper.release(ctx, sb.containerId);
      sb.ports = [];
      sb.portMap = portMapOf(exposedKeys(sb.spec), []);
    }
    sb.endpoints = sb.endpoints.filter((e) => e.id !== ep.id);
    sb.hosts = this.hostsOf(sb);
    await this.#c.state.save();
    if (!inSync) await this.#c.restoreDrivers(ctx);
  }

  /**
   * The published ports of a sandbox, on its gateway endpoint (none when it has none: internal networks only), and
   * its NetworkSettings.Ports. Released by `undo` on failure.
   */
  async #publish(ctx: Ctx, sb: SandboxRecord, gw: EndpointRecord | undefined, undo: UndoStack): Promise<void> {
    const spec = sb.spec;
    const gwNet = gw ? this.#c.state.networks.get(gw.networkId) : undefined;
    const gwDrv = gwNet ? this.#c.driverOf(gwNet) : undefined;
    if (gw && gwNet && gwDrv?.capabilities.portMapping) {
      const info = this.#c.netInfo(gwNet);
      const policy = (await gwDrv.bindingPolicy?.(ctx, info)) ?? { defaultHostIp: gwDrv.defaultHostIp(info), ipv6Listenable: false, userlandProxy: true };
      const reqs = portRequests(spec, policy, { ipv6: !!gw.ipv6 });
      try {
        sb.ports = await this.#c.d.portMapper.allocate(ctx, spec.containerId, reqs);
      } catch (err) {
        throw new SystemError(`driver failed programming external connectivity on endpoint ${sb.containerName} (${gw.id}): ${(err as Error).message}`, {
          cause: err,
        });
      }
      undo.push('release ports', () => this.#c.d.portMapper.release(ctx, spec.containerId));
    }
    sb.portMap = portMapOf(exposedKeys(spec), sb.ports);
  }

  /** Adds and wires one endpoint to a running container (network connect). */
  async addEndpointLocked(ctx: Ctx, sb: SandboxRecord, net: NetworkRecord, cfg: Partial<EndpointSettings>): Promise<EndpointRecord> {
    const undo = new UndoStack();
    const before = { endpoints: sb.endpoints, hosts: sb.hosts, resolvConf: sb.resolvConf, embeddedDns: sb.embeddedDns, dnsServers: sb.dnsServers, ports: sb.ports, portMap: sb.portMap };
    try {
      const ep = await this.newEndpoint(ctx, sb, net, cfg, undo);
      const drv = this.#c.driverOf(net);
      // the container's first gateway endpoint since it lost its last one: its ports are published again (dockerd)
      if (ep.gatewayEndpoint && sb.kind === 'new') await this.#publish(ctx, sb, ep, undo);
      const info = { ...this.#c.epInfo(ep, sb), ports: ep.gatewayEndpoint ? sb.ports : [] };
      const plan = drv.planJoin(this.#c.netInfo(net), info, sb.pid);
      await this.#c.d.ip.batch(ctx, plan.host);
      undo.push('remove host links', () => this.#c.d.ip.batch(ctx, drv.planLeave(this.#c.netInfo(net), info).host, { force: true }));
      await this.#ipv6Off(ctx, [ep], sb.pid);
      await this.#c.d.ip.batch(ctx, plan.container, { pid: sb.pid });
      await this.#c.applyNft(ctx, plan.nft);
      if (plan.proxy?.length && this.#c.d.proxy) {
        await this.#c.d.proxy.start(sb.containerId, plan.proxy);
        undo.push('stop proxies', () => this.#c.d.proxy?.stop(sb.containerId));
      }
      sb.endpoints = [...sb.endpoints, ep];
      sb.hosts = this.hostsOf(sb);
      if (!sb.embeddedDns) {
        // first resolving network of a running container: its resolv.conf now points at the embedded server
        setResolvConf(this.#c, sb, await this.#c.hostFile('resolv'));
        if (sb.embeddedDns) {
          await this.#startDns(ctx, sb, sb.pid);
          undo.push('stop dns', () => this.#c.dns?.stop(sb.containerId));
        }
      }
      await this.#c.state.save();
      undo.commit();
      return ep;
    } catch (err) {
      Object.assign(sb, before);
      await undo.unwind(ctx.log);
      throw err;
    }
  }

  /**
   * After a daemon restart: takes a running container's sandbox back (its links and rules were restored with the
   * drivers); the embedded DNS server gets new sockets in its namespace.
   */
  restore(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut | undefined> {
    return this.#c.lock(async () => {
      const sb = this.#c.state.sandboxes.get(spec.containerId);
      if (!sb?.attached) return undefined;
      if (sb.pid !== pid) {
        sb.pid = pid;
        await this.#c.state.save();
      }
      if (sb.kind === 'new' && sb.ports.length > 0 && this.#c.d.proxy) {
        const gw = sb.endpoints.find((e) => e.gatewayEndpoint);
        const net = gw ? this.#c.state.networks.get(gw.networkId) : undefined;
        const proxies = gw && net ? (this.#c.driverOf(net).planJoin(this.#c.netInfo(net), this.#c.epInfo(gw, sb), pid).proxy ?? []) : [];
        if (proxies.length > 0 && !this.#c.d.proxy.owners().includes(sb.containerId)) {
          await this.#c.d.proxy.start(sb.containerId, proxies).catch((err: Error) => ctx.log.warn('published ports not restored', { container: sb.containerId, error: err.message }));
        }
      }
      if (sb.kind === 'new' && sb.embeddedDns && !this.#c.dns?.serving(sb.containerId)) {
        await this.#startDns(ctx, sb, pid).catch((err: Error) => ctx.log.warn('embedded DNS not restored', { container: sb.containerId, error: err.message }));
      }
      return settingsOut(sb, this.#c.state.networks);
    });
  }
}
