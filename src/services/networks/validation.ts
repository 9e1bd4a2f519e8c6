import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import { parseExtraHosts } from '../../domain/net/hosts.ts';
import { contains, isIP, lastAddress, mustPrefix4, parseIPv4 } from '../../domain/net/ipv4.ts';
import { contains6, mustPrefix6, parseIPv6 } from '../../domain/net/ipv6.ts';
import { linkLocalCidrs } from '../../domain/net/link-local.ts';
import { parseLinks } from '../../domain/net/links.ts';
import { normalizeMac } from '../../domain/net/mac.ts';
import { validatePortBindings } from '../../domain/net/ports.ts';
import type { EndpointSettings, NetnsChoice, SandboxSpec } from './contract.ts';
import type { NetworkCore } from './core.ts';
import * as M from './messages.ts';
import type { NetworkRecord } from './state.ts';

/** The networks of a spec: the container whose namespace it joins, or its networks with their endpoint settings. */
export type Resolved = { kind: 'container'; target: string } | { kind: 'net'; entries: { net: NetworkRecord; cfg: Partial<EndpointSettings> }[] };

/**
 * The NetworkMode network of a spec: by the id it had at create when that is known (a network removed or made
 * again since is not it), else by name; undefined for `container:` modes and when there is none.
 */
export function modeNetworkOf(core: NetworkCore, spec: SandboxSpec): NetworkRecord | undefined {
  const mode = spec.networkMode || 'default';
  if (mode.startsWith('container:')) return undefined;
  return spec.modeNetworkId ? core.tryFind(spec.modeNetworkId) : core.tryFind(mode === 'default' ? 'bridge' : mode);
}

/**
 * The networks a spec asks for: NetworkMode first (unless the container was disconnected from it), then the other
 * EndpointsConfig entries. Possibly none: the container then has only its loopback, as on dockerd.
 */
export function resolveSpec(core: NetworkCore, spec: SandboxSpec): Resolved {
  const mode = spec.networkMode || 'default';
  if (mode.startsWith('container:')) return { kind: 'container', target: mode.slice('container:'.length) };
  if (spec.modeDisconnected) return { kind: 'net', entries: endpointEntries(core, spec, []) };
  const found = modeNetworkOf(core, spec);
  // dockerd names a network gone since the create by the id the container kept
  if (!found && spec.modeNetworkId) throw new NotFoundError(`network ${spec.modeNetworkId} not found`);
  const primary = found ?? core.find(mode === 'default' ? 'bridge' : mode);
  // Config.MacAddress (API < 1.44) belongs to the NetworkMode network's endpoint
  const first: Partial<EndpointSettings> = spec.macAddress ? { MacAddress: spec.macAddress } : {};
  // on a user-defined network a legacy link is a DNS alias of the linking container
  if (!primary.predefined && (spec.links?.length ?? 0) > 0) first.Links = parseLinks(spec.links!).map((l) => `${l.target}:${l.alias}`);
  return { kind: 'net', entries: endpointEntries(core, spec, [{ net: primary, cfg: first }]) };
}

/** `entries` with the spec's EndpointsConfig merged in; refused when an exclusive network is among several. */
function endpointEntries(core: NetworkCore, spec: SandboxSpec, entries: { net: NetworkRecord; cfg: Partial<EndpointSettings> }[]): { net: NetworkRecord; cfg: Partial<EndpointSettings> }[] {
  for (const [key, cfg] of Object.entries(spec.endpointsConfig ?? {})) {
    const n = core.find(key === 'default' ? 'bridge' : key);
    const have = entries.find((e) => e.net.Id === n.Id);
    if (have) have.cfg = { ...have.cfg, ...(cfg ?? {}) };
    else entries.push({ net: n, cfg: cfg ?? {} });
  }
  if (entries.length > 1) {
    for (const e of entries) {
      const caps = core.driverOf(e.net).capabilities;
      if (caps.exclusive) throw new InvalidArgumentError(caps.netns === 'host' ? M.ERR_CONFLICT_SHARED_NETWORK : M.ERR_CONFLICT_NO_NETWORK);
    }
    // the default bridge is joined first (dockerd: its links need the sandbox's first endpoint), then the rest
    const bridge = entries.findIndex((e) => e.net.predefined && e.net.Name === 'bridge');
    if (bridge > 0) entries.unshift(...entries.splice(bridge, 1));
  }
  return entries;
}

/** Checks one endpoint's settings against its network (fixed address, aliases, MAC). */
export function checkEndpointConfig(core: NetworkCore, net: NetworkRecord, cfg: Partial<EndpointSettings>): void {
  if (net.ConfigOnly) throw new ForbiddenError(`network ${net.Name} is a configuration only network and cannot be used by containers`);
  const ipv4 = cfg.IPAMConfig?.IPv4Address;
  const ipv6 = cfg.IPAMConfig?.IPv6Address;
  if (ipv4 || ipv6) {
    if (net.predefined || !core.driverOf(net).capabilities.addresses) throw new InvalidArgumentError(M.ERR_UNSUPPORTED_NETWORK_AND_IP);
    if (!net.ipamUserConfigured) throw new InvalidArgumentError(M.ERR_UNSUPPORTED_NETWORK_NO_SUBNET_AND_IP);
    // per family, as moby: an address of a family the user gave no subnet of
    const userFamily = (v6: boolean) => net.IPAM.Config.some((c) => c.Subnet.includes(':') === v6);
    if ((ipv4 && !userFamily(false)) || (ipv6 && !userFamily(true))) throw new InvalidArgumentError(M.ERR_UNSUPPORTED_NETWORK_NO_SUBNET_AND_IP);
  }
  if (ipv4) {
    const n = parseIPv4(ipv4);
    if (n === undefined) throw new InvalidArgumentError(`invalid IPv4 address: ${ipv4}`);
    const subnet = core.netInfo(net).subnet;
    if (!subnet || !contains(mustPrefix4(subnet), n)) throw new InvalidArgumentError(`no configured subnet or ip-range contain the IP address ${ipv4}`);
    // the network and broadcast addresses are never handed out (dockerd's IPAM: "Address already in use")
    const p = mustPrefix4(subnet);
    if (p.bits <= 30 && (n === p.base || n === lastAddress(p))) throw new ConflictError('Address already in use');
  }
  if (ipv6) {
    const n = parseIPv6(ipv6);
    if (n === undefined) throw new InvalidArgumentError(`invalid IPv6 address: ${ipv6}`);
    const subnet6 = core.netInfo(net).subnet6;
    if (!subnet6 || !contains6(mustPrefix6(subnet6), n)) throw new InvalidArgumentError(`no configured subnet or ip-range contain the IP address ${ipv6}`);
  }
  if ((cfg.Aliases?.length ?? 0) > 0 && net.predefined) throw new InvalidArgumentError(M.ERR_UNSUPPORTED_NETWORK_AND_ALIAS);
  if (cfg.MacAddress) normalizeMac(cfg.MacAddress);
  // --link-local-ip: dockerd's "Invalid link-local IP address: [...]" / "invalid link local IP address: x"
  linkLocalCidrs(cfg.IPAMConfig?.LinkLocalIPs);
}

export async function validateSpec(core: NetworkCore, ctx: Ctx, spec: SandboxSpec): Promise<string[]> {
  validatePortBindings(spec.portBindings);
  for (const d of spec.dns ?? []) if (!isIP(d)) throw new InvalidArgumentError(`IP address is not correctly formatted: ${d}`);
  parseExtraHosts(spec.extraHosts ?? [], '0.0.0.0');
  const publishes = Object.values(spec.portBindings ?? {}).some((l) => (l?.length ?? 0) > 0) || spec.publishAllPorts;
  let r: Resolved;
  try {
    r = resolveSpec(core, spec);
  } catch (err) {
    // a network that does not exist (yet) fails the start, as on dockerd: a 404 at create would make the docker
    // CLI take it for a missing image and go pulling
    if (err instanceof NotFoundError) return [];
    throw err;
  }
  if (r.kind === 'container') {
    if (publishes) throw new InvalidArgumentError(M.ERR_CONFLICT_NETWORK_PUBLISH_PORTS);
    if (spec.macAddress) throw new InvalidArgumentError(M.ERR_CONFLICT_CONTAINER_NETWORK_AND_MAC);
    if ((spec.links?.length ?? 0) > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_CONTAINER_NETWORK_AND_LINKS);
    // only --dns (dockerd's validateNetContainerMode); --dns-search/--dns-option are accepted and have no effect
    if ((spec.dns?.length ?? 0) > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_NETWORK_AND_DNS);
    if ((spec.extraHosts?.length ?? 0) > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_NETWORK_HOSTS);
    const others = Object.keys(spec.endpointsConfig ?? {}).filter((k) => k !== 'default' && k !== spec.networkMode);
    if (others.length > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_SHARED_NETWORK);
    // a missing container fails the start (404 there), as on dockerd
    const c = await core.d.containers.find(ctx, r.target);
    if (c?.id === spec.containerId) throw new InvalidArgumentError('cannot join own network');
    return [];
  }
  const warnings: string[] = [];
  for (const l of parseLinks(spec.links ?? [])) {
    const first = r.entries[0]?.net;
    if (first && core.driverOf(first).capabilities.netns === 'host') throw new InvalidArgumentError(M.ERR_CONFLICT_HOST_NETWORK_AND_LINKS);
    // on a user-defined network a link is only a DNS alias: dockerd does not look its target up
    if (first && !first.predefined) continue;
    // invalid parameter, not "not found" (moby#39823: the CLI would take a 404 for a missing image)
    if (!(await core.d.containers.find(ctx, l.target))) throw new InvalidArgumentError(`could not get container for ${l.target}: No such container: ${l.target}`);
  }
  for (const { net, cfg } of r.entries) {
    checkEndpointConfig(core, net, cfg);
    if (core.driverOf(net).capabilities.netns === 'host') {
      if (cfg.MacAddress) throw new InvalidArgumentError(M.ERR_CONFLICT_CONTAINER_NETWORK_AND_MAC);
      if (publishes) warnings.push(M.WARN_HOST_PORTS_DISCARDED);
    }
  }
  return warnings;
}

export async function netnsFor(core: NetworkCore, ctx: Ctx, spec: SandboxSpec): Promise<NetnsChoice> {
  const r = resolveSpec(core, spec);
  if (r.kind === 'container') {
    const c = await core.d.containers.find(ctx, r.target);
    if (!c) throw new NotFoundError(`No such container: ${r.target}`);
    if (c.pid <= 0) throw new ConflictError(`cannot join network of a non running container: ${r.target}`);
    return { kind: 'path', path: `/proc/${c.pid}/ns/net` };
  }
  return r.entries[0] && core.driverOf(r.entries[0].net).capabilities.netns === 'host' ? { kind: 'host' } : { kind: 'new' };
}
