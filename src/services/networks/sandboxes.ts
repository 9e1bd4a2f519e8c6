import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, InvalidArgumentError, NotFoundError, NotImplementedError, SystemError, UnavailableError } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { UndoStack } from '../../common/undo.ts';
import { mainRecord, parseExtraHosts, renderHostModeHosts, renderHosts } from '../../domain/net/hosts.ts';
import { contains, isIP, mustPrefix4, parseIPv4 } from '../../domain/net/ipv4.ts';
import { macFromIPv4, normalizeMac } from '../../domain/net/mac.ts';
import { validatePortBindings } from '../../domain/net/ports.ts';
import { renderResolvConf } from '../../domain/net/resolv.ts';
import type { NftPlan } from '../../drivers/network/contract.ts';
import type { IpCmd } from '../../system/iproute/port.ts';
import type { EndpointSettings, NetnsChoice, NetworkSettingsOut, SandboxSpec } from './contract.ts';
import type { NetworkCore } from './core.ts';
import * as M from './messages.ts';
import { exposedKeys, portMapOf, portRequests } from './ports.ts';
import { settingsOut } from './render.ts';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './state.ts';

export type Resolved = { kind: 'container'; target: string } | { kind: 'net'; entries: { net: NetworkRecord; cfg: Partial<EndpointSettings> }[] };

/**
 * Containers' network sandboxes: validation, allocation (addresses, host ports, /etc/hosts and resolv.conf),
 * wiring of the container's namespace, release. Locked operations run one at a time.
 */
export class Sandboxes {
  readonly #c: NetworkCore;

  constructor(core: NetworkCore) {
    this.#c = core;
  }

  /** The networks a spec asks for: NetworkMode first, then the other EndpointsConfig entries. */
  resolve(spec: SandboxSpec): Resolved {
    const mode = spec.networkMode || 'default';
    if (mode.startsWith('container:')) return { kind: 'container', target: mode.slice('container:'.length) };
    const primary = this.#c.find(mode === 'default' ? 'bridge' : mode);
    const entries: { net: NetworkRecord; cfg: Partial<EndpointSettings> }[] = [{ net: primary, cfg: {} }];
    for (const [key, cfg] of Object.entries(spec.endpointsConfig ?? {})) {
      const n = this.#c.find(key === 'default' ? 'bridge' : key);
      const have = entries.find((e) => e.net.Id === n.Id);
      if (have) have.cfg = { ...have.cfg, ...(cfg ?? {}) };
      else entries.push({ net: n, cfg: cfg ?? {} });
    }
    if (entries.length > 1) {
      for (const e of entries) {
        const caps = this.#c.driverOf(e.net).capabilities;
        if (caps.exclusive) throw new InvalidArgumentError(caps.netns === 'host' ? M.ERR_CONFLICT_SHARED_NETWORK : M.ERR_CONFLICT_NO_NETWORK);
      }
    }
    return { kind: 'net', entries };
  }

  /** Checks one endpoint's settings against its network (fixed address, aliases, MAC). */
  checkEndpointConfig(net: NetworkRecord, cfg: Partial<EndpointSettings>): void {
    const ipv4 = cfg.IPAMConfig?.IPv4Address;
    if (ipv4) {
      if (net.predefined || !this.#c.driverOf(net).capabilities.addresses) throw new InvalidArgumentError(M.ERR_UNSUPPORTED_NETWORK_AND_IP);
      if (!net.ipamUserConfigured) throw new InvalidArgumentError(M.ERR_UNSUPPORTED_NETWORK_NO_SUBNET_AND_IP);
      const n = parseIPv4(ipv4);
      if (n === undefined) throw new InvalidArgumentError(`invalid IPv4 address: ${ipv4}`);
      const subnet = net.IPAM.Config[0]?.Subnet;
      if (!subnet || !contains(mustPrefix4(subnet), n)) throw new InvalidArgumentError(`no configured subnet or ip-range contain the IP address ${ipv4}`);
    }
    if (cfg.IPAMConfig?.IPv6Address) throw new NotImplementedError('IPv6 addresses are not supported by berth yet');
    if ((cfg.Aliases?.length ?? 0) > 0 && net.predefined) throw new InvalidArgumentError(M.ERR_UNSUPPORTED_NETWORK_AND_ALIAS);
    if (cfg.MacAddress) normalizeMac(cfg.MacAddress);
  }

  async validate(ctx: Ctx, spec: SandboxSpec): Promise<string[]> {
    validatePortBindings(spec.portBindings);
    for (const d of spec.dns ?? []) if (!isIP(d)) throw new InvalidArgumentError(`IP address is not correctly formatted: ${d}`);
    parseExtraHosts(spec.extraHosts ?? [], '0.0.0.0');
    const publishes = Object.values(spec.portBindings ?? {}).some((l) => (l?.length ?? 0) > 0) || spec.publishAllPorts;
    const r = this.resolve(spec);
    if (r.kind === 'container') {
      if (publishes) throw new InvalidArgumentError(M.ERR_CONFLICT_NETWORK_PUBLISH_PORTS);
      if ((spec.dns?.length ?? 0) + (spec.dnsSearch?.length ?? 0) + (spec.dnsOptions?.length ?? 0) > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_NETWORK_AND_DNS);
      if ((spec.extraHosts?.length ?? 0) > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_NETWORK_HOSTS);
      const others = Object.keys(spec.endpointsConfig ?? {}).filter((k) => k !== 'default' && k !== spec.networkMode);
      if (others.length > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_SHARED_NETWORK);
      const c = await this.#c.d.containers.find(ctx, r.target);
      if (!c) throw new NotFoundError(`No such container: ${r.target}`);
      if (c.id === spec.containerId) throw new InvalidArgumentError('cannot join own network');
      return [];
    }
    const warnings: string[] = [];
    for (const { net, cfg } of r.entries) {
      this.checkEndpointConfig(net, cfg);
      if (this.#c.driverOf(net).capabilities.netns === 'host') {
        if (cfg.MacAddress) throw new InvalidArgumentError(M.ERR_CONFLICT_CONTAINER_NETWORK_AND_MAC);
        if (publishes) warnings.push(M.WARN_HOST_PORTS_DISCARDED);
      }
    }
    return warnings;
  }

  async netnsFor(ctx: Ctx, spec: SandboxSpec): Promise<NetnsChoice> {
    const r = this.resolve(spec);
    if (r.kind === 'container') {
      const c = await this.#c.d.containers.find(ctx, r.target);
      if (!c) throw new NotFoundError(`No such container: ${r.target}`);
      if (c.pid <= 0) throw new ConflictError(`cannot join network of a non running container: ${r.target}`);
      return { kind: 'path', path: `/proc/${c.pid}/ns/net` };
    }
    return this.#c.driverOf(r.entries[0]!.net).capabilities.netns === 'host' ? { kind: 'host' } : { kind: 'new' };
  }

  allocate(ctx: Ctx, spec: SandboxSpec): Promise<NetworkSettingsOut> {
    return this.#c.lock(async () => settingsOut(await this.allocateLocked(ctx, spec), this.#c.state.networks));
  }

  /** A new endpoint on `net` for the sandbox: an address lease when the driver has addresses (undo registered). */
  async newEndpoint(ctx: Ctx, sb: SandboxRecord, net: NetworkRecord, cfg: Partial<EndpointSettings>, undo: UndoStack): Promise<EndpointRecord> {
    const drv = this.#c.driverOf(net);
    const ep: EndpointRecord = { id: newId(), networkId: net.Id, ifname: '', hostIfname: '', ip: '', prefixLen: 0, gateway: '', mac: '', gatewayEndpoint: false, config: structuredClone(cfg) };
    if (!drv.capabilities.addresses || !net.poolId) return ep;
    const poolId = net.poolId;
    let ip: string;
    try {
      ip = await this.#c.d.ipam.requestAddress(ctx, poolId, { owner: ep.id, preferred: cfg.IPAMConfig?.IPv4Address || undefined });
    } catch (err) {
      if (err instanceof UnavailableError) throw new UnavailableError(`no available IPv4 addresses on this network's address pools: ${net.Name} (${net.Id})`, { cause: err });
      throw err;
    }
    undo.push('release address', () => this.#c.d.ipam.releaseAddress(ctx, poolId, ip));
    ep.ip = ip;
    ep.prefixLen = this.#c.prefixLenOf(net);
    ep.gateway = net.IPAM.Config[0]?.Gateway ?? '';
    ep.mac = cfg.MacAddress ? normalizeMac(cfg.MacAddress) : macFromIPv4(ip);
    const used = new Set(sb.endpoints.map((e) => e.ifname));
    let i = 0;
    while (used.has(`eth${i}`)) i++;
    ep.ifname = `eth${i}`;
    ep.hostIfname = `veth${ep.id.slice(0, 7)}`;
    if (!net.Internal && !sb.endpoints.some((e) => e.gatewayEndpoint)) ep.gatewayEndpoint = true;
    return ep;
  }

  /** /etc/hosts of a sandbox: defaults, extra hosts, one record per address of the container. */
  hostsOf(sb: SandboxRecord): string {
    const extra = parseExtraHosts(sb.spec.extraHosts ?? [], this.#hostGateway());
    const self = sb.endpoints.filter((e) => e.ip).map((e) => mainRecord(e.ip, sb.spec.hostname));
    return renderHosts({ extraHosts: extra, self });
  }

  #hostGateway(): string {
    return this.#c.d.hostGatewayIp ?? this.#c.bridgeNetwork()?.IPAM.Config[0]?.Gateway ?? '';
  }

  async allocateLocked(ctx: Ctx, spec: SandboxSpec): Promise<SandboxRecord> {
    const old = this.#c.state.sandboxes.get(spec.containerId);
    if (old) await this.releaseLocked(ctx, old);
    const r = this.resolve(spec);
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
        this.checkEndpointConfig(net, cfg);
        if (this.#c.driverOf(net).capabilities.netns === 'host') sb.kind = 'host';
        sb.endpoints.push(await this.newEndpoint(ctx, sb, net, cfg, undo));
      }
      const gw = sb.endpoints.find((e) => e.gatewayEndpoint);
      if (sb.kind === 'new' && sb.endpoints.some((e) => e.ip)) {
        const gwNet = gw ? this.#c.state.networks.get(gw.networkId) : undefined;
        const gwDrv = gwNet ? this.#c.driverOf(gwNet) : undefined;
        if (gwNet && gwDrv?.capabilities.portMapping) {
          const reqs = portRequests(spec, gwDrv.defaultHostIp(this.#c.netInfo(gwNet)));
          try {
            sb.ports = await this.#c.d.portMapper.allocate(ctx, spec.containerId, reqs);
          } catch (err) {
            throw new SystemError(`driver failed programming external connectivity on endpoint ${sb.containerName} (${gw!.id}): ${(err as Error).message}`, {
              cause: err,
            });
          }
          undo.push('release ports', () => this.#c.d.portMapper.release(ctx, spec.containerId));
        }
        sb.portMap = portMapOf(exposedKeys(spec), sb.ports);
      }
      const extra = parseExtraHosts(spec.extraHosts ?? [], this.#hostGateway());
      sb.hosts = sb.kind === 'host' ? renderHostModeHosts(await this.#c.hostFile('hosts'), extra) : this.hostsOf(sb);
      sb.resolvConf = renderResolvConf({
        hostFile: resolvHost,
        dns: spec.dns ?? [],
        dnsSearch: spec.dnsSearch ?? [],
        dnsOptions: spec.dnsOptions ?? [],
        hostMode: sb.kind === 'host',
        ipv6: false,
      });
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

  /** Wires every endpoint of a sandbox: one batch in the daemon's namespace, one in the container's, one nft transaction. */
  async #program(ctx: Ctx, sb: SandboxRecord, pid: number): Promise<void> {
    const host: IpCmd[] = [];
    const inside: IpCmd[] = [{ op: 'link-set', dev: 'lo', up: true }];
    const nft: NftPlan[] = [];
    const undoHost: IpCmd[] = [];
    for (const ep of sb.endpoints) {
      const n = this.#c.state.networks.get(ep.networkId)!;
      const drv = this.#c.driverOf(n);
      const info = { ...this.#c.epInfo(ep, sb), ports: ep.gatewayEndpoint ? sb.ports : [] };
      const plan = drv.planJoin(this.#c.netInfo(n), info, pid);
      host.push(...plan.host);
      inside.push(...plan.container);
      nft.push(...plan.nft);
      undoHost.push(...drv.planLeave(this.#c.netInfo(n), info).host);
    }
    const undo = new UndoStack();
    try {
      await this.#c.d.ip.batch(ctx, host);
      undo.push('remove host links', () => this.#c.d.ip.batch(ctx, undoHost, { force: true }));
      await this.#c.d.ip.batch(ctx, inside, { pid });
      await this.#c.applyNft(ctx, nft);
      undo.commit();
    } catch (err) {
      if (host.length > 0 && undoHost.length > 0) {
        // the first batch may have stopped half-way: remove whatever host links it created
        undo.push('remove host links', () => this.#c.d.ip.batch(ctx, undoHost, { force: true }));
      }
      await undo.unwind(ctx.log);
      throw err;
    }
  }

  /** Undoes #program: nft elements, and host ends of veths that still exist. Returns false if nft was out of sync. */
  async #unprogram(ctx: Ctx, sb: SandboxRecord, only?: EndpointRecord): Promise<boolean> {
    if (sb.kind !== 'new') return true;
    const host: IpCmd[] = [];
    const nft: NftPlan[] = [];
    for (const ep of only ? [only] : sb.endpoints) {
      const n = this.#c.state.networks.get(ep.networkId);
      if (!n) continue;
      const plan = this.#c.driverOf(n).planLeave(this.#c.netInfo(n), this.#c.epInfo(ep, sb));
      host.push(...plan.host);
      nft.push(...plan.nft);
    }
    let ok = true;
    try {
      await this.#c.applyNft(ctx, nft);
    } catch (err) {
      ctx.log.warn('removing published ports failed; resynchronising the rules', { container: sb.containerId, error: String(err) });
      ok = false;
    }
    await this.#c.d.ip.batch(ctx, host, { force: true });
    return ok;
  }

  detach(ctx: Ctx, containerId: string): Promise<void> {
    return this.#c.lock(async () => {
      const sb = this.#c.state.sandboxes.get(containerId);
      if (sb) await this.releaseLocked(ctx, sb);
    });
  }

  async releaseLocked(ctx: Ctx, sb: SandboxRecord): Promise<void> {
    const wasAttached = sb.attached;
    const inSync = wasAttached ? await this.#unprogram(ctx, sb) : true;
    for (const ep of sb.endpoints) {
      const n = this.#c.state.networks.get(ep.networkId);
      if (ep.ip && n?.poolId) await this.#c.d.ipam.releaseAddress(ctx, n.poolId, ep.ip);
    }
    await this.#c.d.portMapper.release(ctx, sb.containerId);
    this.#c.state.sandboxes.delete(sb.containerId);
    await this.#c.state.save();
    if (!inSync) await this.#c.restoreDrivers(ctx);
    if (wasAttached) this.#emitAll(sb, 'disconnect');
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
    if (ep.ip && n?.poolId) await this.#c.d.ipam.releaseAddress(ctx, n.poolId, ep.ip);
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

  /** Adds and wires one endpoint to a running container (network connect). */
  async addEndpointLocked(ctx: Ctx, sb: SandboxRecord, net: NetworkRecord, cfg: Partial<EndpointSettings>): Promise<EndpointRecord> {
    const undo = new UndoStack();
    const before = { endpoints: sb.endpoints, hosts: sb.hosts };
    try {
      const ep = await this.newEndpoint(ctx, sb, net, cfg, undo);
      const drv = this.#c.driverOf(net);
      const info = { ...this.#c.epInfo(ep, sb), ports: [] };
      const plan = drv.planJoin(this.#c.netInfo(net), info, sb.pid);
      await this.#c.d.ip.batch(ctx, plan.host);
      undo.push('remove host links', () => this.#c.d.ip.batch(ctx, drv.planLeave(this.#c.netInfo(net), info).host, { force: true }));
      await this.#c.d.ip.batch(ctx, plan.container, { pid: sb.pid });
      await this.#c.applyNft(ctx, plan.nft);
      sb.endpoints = [...sb.endpoints, ep];
      sb.hosts = this.hostsOf(sb);
      await this.#c.state.save();
      undo.commit();
      return ep;
    } catch (err) {
      sb.endpoints = before.endpoints;
      sb.hosts = before.hosts;
      await undo.unwind(ctx.log);
      throw err;
    }
  }

  restore(_ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut | undefined> {
    return this.#c.lock(async () => {
      const sb = this.#c.state.sandboxes.get(spec.containerId);
      if (!sb?.attached) return undefined;
      if (sb.pid !== pid) {
        sb.pid = pid;
        await this.#c.state.save();
      }
      return settingsOut(sb, this.#c.state.networks);
    });
  }
}
