/**
 * Name resolution of the embedded DNS server (libnetwork's sandbox.ResolveName / network.ResolveName), as pure
 * functions over a plain view of the running containers' endpoints. Names are compared case-insensitively and
 * without their trailing dot.
 */

/** An endpoint of a running container on a network that provides name resolution. */
export interface DnsEndpoint {
  containerId: string;
  /** The container's name (without "/"): the target of PTR answers. */
  containerName: string;
  networkId: string;
  /** Every DNS name of the endpoint on its network: name, aliases, short id, hostname (Docker's DNSNames). */
  names: readonly string[];
  /** "" when the endpoint has no address of that family. */
  ipv4: string;
  ipv6: string;
  /** Legacy links on this network, as "alias → container name" (`--link db:database` → database → db). */
  links?: Readonly<Record<string, string>>;
}

export interface DnsNetwork {
  id: string;
  name: string;
}

export interface DnsView {
  /** The networks whose endpoints are resolvable (user-defined networks of drivers with name resolution). */
  networks: readonly DnsNetwork[];
  endpoints: readonly DnsEndpoint[];
}

export type NameAnswer =
  /** The name is known: its addresses of the asked family (several for a shared alias). */
  | { kind: 'found'; ips: string[] }
  /** The name is known but has no address of the asked family: NOERROR without answers. */
  | { kind: 'nodata' }
  /** Unknown here: forward it to the external servers. */
  | { kind: 'unknown' };

function norm(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

/** The asker's endpoints on resolving networks, in the asker's endpoint order. */
function askerEndpoints(view: DnsView, askerId: string): { ep: DnsEndpoint; net: DnsNetwork }[] {
  const nets = new Map(view.networks.map((n) => [n.id, n]));
  const out: { ep: DnsEndpoint; net: DnsNetwork }[] = [];
  for (const ep of view.endpoints) {
    const net = nets.get(ep.networkId);
    if (ep.containerId === askerId && net) out.push({ ep, net });
  }
  return out;
}

/** network.ResolveName: the addresses of `name` on one network (duplicates dropped, endpoint order kept). */
function lookupOnNetwork(view: DnsView, networkId: string, name: string, family: 4 | 6): NameAnswer {
  const want: string[] = [];
  let other = false;
  for (const ep of view.endpoints) {
    if (ep.networkId !== networkId || !ep.names.some((n) => norm(n) === name)) continue;
    const ip = family === 4 ? ep.ipv4 : ep.ipv6;
    if (ip && !want.includes(ip)) want.push(ip);
    if ((family === 4 ? ep.ipv6 : ep.ipv4) !== '') other = true;
  }
  if (want.length > 0) return { kind: 'found', ips: want };
  return other ? { kind: 'nodata' } : { kind: 'unknown' };
}

/**
 * Resolves `qname` for the container `askerId` (A when `family` is 4, AAAA when 6). Only names on the networks the
 * asker is connected to are visible. "name.network" is looked up as "name" on that network only. Legacy link
 * aliases of the asker come first, then the names of the network's endpoints.
 */
export function resolveName(view: DnsView, askerId: string, qname: string, family: 4 | 6): NameAnswer {
  const name = norm(qname);
  if (name === '') return { kind: 'unknown' };
  const mine = askerEndpoints(view, askerId);
  // (name, network) candidates: the whole name on every network, then each "prefix.suffix" split
  const candidates: { req: string; network: string }[] = [{ req: name, network: '' }];
  for (let i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) {
    candidates.push({ req: name.slice(0, i), network: name.slice(i + 1) });
  }
  for (const c of candidates) {
    for (const aliasPass of [true, false]) {
      let nodata = false;
      for (const { ep, net } of mine) {
        if (c.network !== '' && c.network !== net.name.toLowerCase()) continue;
        const links = Object.fromEntries(Object.entries(ep.links ?? {}).map(([k, v]) => [norm(k), norm(v)]));
        let target = c.req;
        if (aliasPass) {
          const t = links[c.req];
          if (t === undefined) continue;
          target = t;
        } else if (links[c.req] !== undefined) {
          continue;
        }
        const r = lookupOnNetwork(view, net.id, target, family);
        if (r.kind === 'found') return r;
        if (r.kind === 'nodata') nodata = true;
      }
      if (nodata) return { kind: 'nodata' };
    }
  }
  return { kind: 'unknown' };
}

/** "10.0.0.2" → "2.0.0.10.in-addr.arpa"; an IPv6 address → its nibble form under ip6.arpa. */
export function reverseName(ip: string): string {
  if (ip.includes(':')) {
    const nibbles = expandIPv6(ip).replace(/:/g, '').split('').reverse();
    return `${nibbles.join('.')}.ip6.arpa`;
  }
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

/** "2001:db8::1" → "2001:0db8:0000:0000:0000:0000:0000:0001". */
export function expandIPv6(ip: string): string {
  const [head, tail] = ip.includes('::') ? (ip.split('::') as [string, string]) : [ip, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0').toLowerCase()).join(':');
}

/** The address a PTR query asks about, or undefined when the name is not a reverse name. */
export function addressOfReverseName(qname: string): string | undefined {
  const name = norm(qname);
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const parts = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (parts.length !== 32 || parts.some((p) => !/^[0-9a-f]$/.test(p))) return undefined;
    const hex = parts.reverse().join('');
    return (hex.match(/.{4}/g) ?? []).join(':');
  }
  return undefined;
}

/**
 * network.ResolveIP for every network of the asker: the "name.network" of the container holding `ip`, or
 * undefined (then the query is forwarded).
 */
export function resolveAddress(view: DnsView, askerId: string, ip: string): string | undefined {
  const want = ip.includes(':') ? expandIPv6(ip) : ip;
  for (const { net } of askerEndpoints(view, askerId)) {
    for (const ep of view.endpoints) {
      if (ep.networkId !== net.id) continue;
      const has = ep.ipv4 === want || (ep.ipv6 !== '' && expandIPv6(ep.ipv6) === want);
      if (has) return `${ep.containerName}.${net.name}`;
    }
  }
  return undefined;
}

/** Rotates a list by `n` (round robin over the addresses of a shared alias). */
export function rotate<T>(list: readonly T[], n: number): T[] {
  if (list.length < 2) return [...list];
  const k = ((n % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
