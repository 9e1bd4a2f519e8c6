import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { mainRecord, parseExtraHosts, renderHosts } from '../../domain/net/hosts.ts';
import { linkEnv, linkHostNames, parseLinks } from '../../domain/net/links.ts';
import { embeddedResolvConf, renderResolvConf } from '../../domain/net/resolv.ts';
import type { NetworkCore } from './core.ts';
import { exposedKeys } from './ports.ts';
import type { EndpointRecord, SandboxRecord } from './state.ts';

/* The files of a container's sandbox: /etc/hosts (with legacy links) and /etc/resolv.conf (embedded DNS or not). */

/** /etc/hosts of a sandbox: defaults, extra hosts, one record per address of the container. */
export function hostsOf(core: NetworkCore, sb: SandboxRecord): string {
  const extra = [...parseExtraHosts(sb.spec.extraHosts ?? [], hostGateway(core)), ...(sb.linkHosts ?? [])];
  const self = sb.endpoints.flatMap((e) => [e.ip, e.ipv6 ?? ''].filter((ip) => ip !== '').map((ip) => mainRecord(ip, sb.spec.hostname, sb.spec.domainname)));
  return renderHosts({ extraHosts: extra, self });
}

/** The address of `--add-host x:host-gateway`. */
export function hostGateway(core: NetworkCore): string {
  return core.d.hostGatewayIp ?? core.bridgeNetwork()?.IPAM.Config[0]?.Gateway ?? '';
}

/**
 * The container's resolv.conf: built from its --dns* flags (else the daemon's, else the host's file); a container
 * with an endpoint on a resolving network is pointed at the embedded server, which forwards to those servers.
 */
export function setResolvConf(core: NetworkCore, sb: SandboxRecord, hostFile: string): void {
  const daemon = core.d.daemonDns;
  const pick = (own: readonly string[] | undefined, dflt: readonly string[] | undefined) => ((own?.length ?? 0) > 0 ? own! : (dflt ?? []));
  const base = renderResolvConf({
    hostFile,
    dns: pick(sb.spec.dns, daemon?.servers),
    dnsSearch: pick(sb.spec.dnsSearch, daemon?.search),
    dnsOptions: pick(sb.spec.dnsOptions, daemon?.options),
    hostMode: sb.kind === 'host',
    ipv6: sb.endpoints.some((e) => !!e.ipv6),
  });
  const embedded = sb.kind === 'new' && core.dns !== undefined && sb.endpoints.some((e) => resolvingNet(core, e));
  if (!embedded) {
    sb.resolvConf = base;
    sb.embeddedDns = false;
    sb.dnsServers = [];
    return;
  }
  const e = embeddedResolvConf(base);
  sb.resolvConf = e.content;
  sb.embeddedDns = true;
  sb.dnsServers = e.servers;
}

/**
 * Legacy links of a container on the default bridge: each linked container must be running there; the linking
 * container gets "ip alias hostname name" in /etc/hosts and the ALIAS_* environment (one direction only).
 */
export async function legacyLinks(core: NetworkCore, ctx: Ctx, sb: SandboxRecord): Promise<void> {
  sb.linkHosts = [];
  sb.linkEnv = [];
  const onDefault = sb.endpoints.some((e) => core.state.networks.get(e.networkId)?.predefined && e.ip);
  if (!onDefault) return;
  for (const l of parseLinks(sb.spec.links ?? [])) {
    const child = await core.d.containers.find(ctx, l.target);
    if (!child) throw new NotFoundError(`could not get container for ${l.target}`);
    const csb = core.state.sandboxes.get(child.id);
    const cep = csb?.attached ? csb.endpoints.find((e) => core.state.networks.get(e.networkId)?.predefined && e.ip) : undefined;
    if (!csb || !cep || child.pid <= 0) throw new ConflictError(`Cannot link to a non running container: /${child.name} AS /${sb.containerName}/${l.alias}`);
    const names = linkHostNames(l.alias, child.name, csb.spec.hostname);
    sb.linkHosts.push({ ip: cep.ip, hosts: names });
    if (cep.ipv6) sb.linkHosts.push({ ip: cep.ipv6, hosts: names });
    sb.linkEnv.push(...linkEnv({ alias: l.alias, parentName: sb.containerName, childIp: cep.ip, exposedPorts: exposedKeys(csb.spec), childEnv: child.env }));
  }
}

/**
 * Legacy links, the other way: the running containers linked to `childId` on the default bridge get its current
 * addresses in their /etc/hosts (a child that restarted may have a new one; dockerd's updateParentsHosts does the
 * same). Their environment stays as it was at their start, as with dockerd. Returns the parents whose file changed.
 */
export async function refreshLinkParents(core: NetworkCore, ctx: Ctx, childId: string): Promise<SandboxRecord[]> {
  const csb = core.state.sandboxes.get(childId);
  const cep = csb?.attached ? csb.endpoints.find((e) => core.state.networks.get(e.networkId)?.predefined && e.ip) : undefined;
  if (!csb || !cep) return [];
  const changed: SandboxRecord[] = [];
  for (const p of core.state.sandboxes.values()) {
    if (p === csb || !p.attached || p.kind !== 'new' || !p.linkHosts || (p.spec.links ?? []).length === 0) continue;
    let hosts = p.linkHosts;
    for (const l of parseLinks(p.spec.links ?? [])) {
      const child = await core.d.containers.find(ctx, l.target);
      if (child?.id !== childId) continue;
      const names = linkHostNames(l.alias, child.name, csb.spec.hostname);
      hosts = [...hosts.filter((h) => h.hosts !== names), { ip: cep.ip, hosts: names }, ...(cep.ipv6 ? [{ ip: cep.ipv6, hosts: names }] : [])];
    }
    if (JSON.stringify(hosts) === JSON.stringify(p.linkHosts)) continue;
    p.linkHosts = hosts;
    p.hosts = hostsOf(core, p);
    changed.push(p);
  }
  return changed;
}

function resolvingNet(core: NetworkCore, ep: EndpointRecord): boolean {
  const n = core.state.networks.get(ep.networkId);
  return n !== undefined && core.resolving(n);
}
