import { InvalidArgumentError } from '../../common/errors.ts';

/** One legacy link of a container (`--link name:alias`). */
export interface LinkSpec {
  /** The linked container's name or id, as given. */
  target: string;
  alias: string;
}

/**
 * Parses HostConfig.Links entries: "db", "db:alias" (CLI form) or "/db:/web/alias" (dockerd's stored form).
 * The alias defaults to the target's name.
 */
export function parseLinks(links: readonly string[]): LinkSpec[] {
  return links.map((l) => {
    const i = l.indexOf(':');
    const target = (i < 0 ? l : l.slice(0, i)).replace(/^\//, '');
    const alias = i < 0 ? target : l.slice(i + 1).replace(/^.*\//, '');
    if (target === '' || alias === '') throw new InvalidArgumentError(`invalid link: ${JSON.stringify(l)}`);
    return { target, alias };
  });
}

/**
 * The legacy links of a container: only on the default bridge (NetworkMode default or bridge); elsewhere a link is
 * just a DNS alias, and dockerd keeps no link for it.
 */
export function defaultBridgeLinks(networkMode: string, links: readonly string[] | null | undefined): LinkSpec[] {
  if ((networkMode !== 'default' && networkMode !== 'bridge') || !links?.length) return [];
  return parseLinks(links);
}

/** The /etc/hosts names of a link: "alias hostname name" (the name only when it differs from the alias). */
export function linkHostNames(alias: string, childName: string, childHostname: string): string {
  const names = [alias, childHostname];
  if (alias !== childName) names.push(childName);
  return names.filter((n) => n !== '').join(' ');
}

function envPrefix(alias: string): string {
  return alias.toUpperCase().replace(/-/g, '_');
}

/**
 * The environment variables of a legacy link, in moby's links.Link.ToEnv order: ALIAS_PORT (lowest exposed port),
 * _START/_END groups for contiguous port ranges, one ALIAS_PORT_<port>_<PROTO>[_ADDR|_PORT|_PROTO] group per
 * exposed port, ALIAS_NAME, and ALIAS_ENV_<var> for the linked container's environment (HOME and PATH excepted).
 * ALIAS is the alias upper-cased with "-" turned into "_".
 */
export function linkEnv(o: { alias: string; parentName: string; childIp: string; exposedPorts: readonly string[]; childEnv?: readonly string[] }): string[] {
  const p = envPrefix(o.alias);
  const env: string[] = [];
  const ports = o.exposedPorts
    .map((k) => {
      const [port, proto = 'tcp'] = k.split('/');
      return { port: Number(port), proto: proto.toLowerCase() };
    })
    .filter((x) => Number.isInteger(x.port) && x.port > 0)
    .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  if (ports.length > 0) env.push(`${p}_PORT=${ports[0]!.proto}://${o.childIp}:${ports[0]!.port}`);
  // contiguous runs of the same protocol get range variables
  for (let i = 0; i < ports.length; ) {
    let j = i;
    while (j + 1 < ports.length && ports[j + 1]!.proto === ports[i]!.proto && ports[j + 1]!.port === ports[j]!.port + 1) j++;
    if (j > i) {
      const first = ports[i]!;
      const last = ports[j]!;
      const k = `${p}_PORT_${first.port}_${first.proto.toUpperCase()}`;
      env.push(
        `${k}_START=${first.proto}://${o.childIp}:${first.port}`,
        `${k}_ADDR=${o.childIp}`,
        `${k}_PROTO=${first.proto}`,
        `${k}_PORT_START=${first.port}`,
        `${k}_END=${last.proto}://${o.childIp}:${last.port}`,
        `${k}_PORT_END=${last.port}`,
      );
    }
    i = j + 1;
  }
  for (const x of ports) {
    const k = `${p}_PORT_${x.port}_${x.proto.toUpperCase()}`;
    env.push(`${k}=${x.proto}://${o.childIp}:${x.port}`, `${k}_ADDR=${o.childIp}`, `${k}_PORT=${x.port}`, `${k}_PROTO=${x.proto}`);
  }
  env.push(`${p}_NAME=/${o.parentName}/${o.alias}`);
  for (const e of o.childEnv ?? []) {
    const i = e.indexOf('=');
    if (i <= 0) continue;
    const key = e.slice(0, i);
    if (key === 'HOME' || key === 'PATH') continue;
    env.push(`${p}_ENV_${key}=${e.slice(i + 1)}`);
  }
  return env;
}

/** One exposed port of a linked container ("80/tcp" → { proto: "tcp", port: 80 }). */
export interface LinkPort {
  proto: 'tcp' | 'udp' | 'sctp';
  port: number;
}

/**
 * A legacy link as a firewall exception (libnetwork's bridge link): with inter-container communication off, the
 * parent may open connections to the child's exposed ports, and the child answer from them. Nothing else.
 */
export interface LinkRule {
  parentIp: string;
  childIp: string;
  ports: readonly LinkPort[];
}

/** A running container on the network of the links (the default bridge). */
export interface LinkPeer {
  id: string;
  /** Without the leading "/". */
  name: string;
  ip: string;
  /** HostConfig.Links of the container. */
  links: readonly string[];
  /** Its exposed ports ("80/tcp"). */
  exposed: readonly string[];
}

function linkPorts(exposed: readonly string[]): LinkPort[] {
  const out: LinkPort[] = [];
  for (const k of exposed) {
    const [p, proto = 'tcp'] = k.split('/');
    const port = Number(p);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) continue;
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') continue;
    out.push({ proto, port });
  }
  return out.sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
}

/** The container a link target names among `all`: by name, else full id, else unique id prefix (Docker's lookup order). */
function resolveTarget(target: string, all: readonly LinkPeer[]): LinkPeer | undefined {
  const byName = all.find((p) => p.name === target);
  if (byName) return byName;
  const byId = all.find((p) => p.id === target);
  if (byId) return byId;
  const byPrefix = target === '' ? [] : all.filter((p) => p.id.startsWith(target));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

/**
 * The link rules `self` takes part in, among the other running containers `peers` of the same network: those of
 * its own links (self is the parent) and those of containers linking to it (self is the child). Rules without an
 * exposed port are left out (they would open nothing).
 */
export function linkRulesOf(self: LinkPeer, peers: readonly LinkPeer[]): LinkRule[] {
  const out: LinkRule[] = [];
  if (!self.ip) return out;
  const others = peers.filter((p) => p.id !== self.id && p.ip);
  const seen = new Set<string>();
  const add = (parent: LinkPeer, child: LinkPeer) => {
    const key = `${parent.id} ${child.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    const ports = linkPorts(child.exposed);
    if (ports.length > 0) out.push({ parentIp: parent.ip, childIp: child.ip, ports });
  };
  const targets = (p: LinkPeer) => {
    try {
      return parseLinks(p.links).map((l) => l.target);
    } catch {
      return [];
    }
  };
  const all = [self, ...others];
  for (const t of targets(self)) {
    const child = resolveTarget(t, all);
    if (child && child !== self) add(self, child);
  }
  for (const parent of others) if (targets(parent).some((t) => resolveTarget(t, all) === self)) add(parent, self);
  return out;
}
