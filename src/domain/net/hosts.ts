import { InvalidArgumentError } from '../../common/errors.ts';
import { isIP } from './ipv4.ts';

/** One /etc/hosts line: an address and its names. */
export interface HostsRecord {
  ip: string;
  hosts: string;
}

/** libnetwork's etchosts defaultContent: written into every container's /etc/hosts. */
export const DEFAULT_HOSTS: readonly HostsRecord[] = [
  { ip: '127.0.0.1', hosts: 'localhost' },
  { ip: '::1', hosts: 'localhost ip6-localhost ip6-loopback' },
  { ip: 'fe00::0', hosts: 'ip6-localnet' },
  { ip: 'ff00::0', hosts: 'ip6-mcastprefix' },
  { ip: 'ff02::1', hosts: 'ip6-allnodes' },
  { ip: 'ff02::2', hosts: 'ip6-allrouters' },
];

/** The special value of `--add-host name:host-gateway`. */
export const HOST_GATEWAY = 'host-gateway';

/**
 * Parses `--add-host` / HostConfig.ExtraHosts entries ("name:ip", "name=ip", IPv6 allowed, "host-gateway" replaced
 * by `hostGateway`). Errors as the daemon/CLI: `invalid argument "x" for "--add-host" flag`-style text trimmed to
 * the daemon's `invalid IP address in add-host: "x"`.
 */
export function parseExtraHosts(entries: readonly string[], hostGateway: string): HostsRecord[] {
  const out: HostsRecord[] = [];
  for (const e of entries) {
    const sep = e.search(/[:=]/);
    if (sep <= 0) throw new InvalidArgumentError(`bad format for add-host: ${JSON.stringify(e)}`);
    const name = e.slice(0, sep);
    let ip = e.slice(sep + 1);
    if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (ip === HOST_GATEWAY) {
      if (!hostGateway) throw new InvalidArgumentError('unable to derive the IP value for host-gateway');
      ip = hostGateway;
    }
    if (!isIP(ip)) throw new InvalidArgumentError(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
    out.push({ ip, hosts: name });
  }
  return out;
}

/** The container's own record: "fqdn shortname" when the hostname has a domain, else just the hostname. */
export function mainRecord(ip: string, hostname: string, domainname = ''): HostsRecord {
  const fqdn = domainname ? `${hostname}.${domainname}` : hostname;
  const dot = fqdn.indexOf('.');
  return { ip, hosts: dot > 0 ? `${fqdn} ${fqdn.slice(0, dot)}` : fqdn };
}

function line(r: HostsRecord): string {
  return `${r.ip}\t${r.hosts}\n`;
}

/**
 * A container's /etc/hosts as dockerd writes it: the default block, the extra hosts, then one record per address
 * of the container (added as its endpoints join, in that order).
 */
export function renderHosts(opts: { extraHosts: readonly HostsRecord[]; self: readonly HostsRecord[] }): string {
  return [...DEFAULT_HOSTS, ...opts.extraHosts, ...opts.self].map(line).join('');
}

/** Host network mode: the host's own /etc/hosts, followed by the extra hosts when there are any. */
export function renderHostModeHosts(hostFile: string, extraHosts: readonly HostsRecord[]): string {
  if (extraHosts.length === 0) return hostFile;
  // dockerd rebuilds the file from its defaults when extra hosts are given in host mode
  return [...DEFAULT_HOSTS, ...extraHosts].map(line).join('');
}

/**
 * /etc/hosts after the daemon's records changed (network connect/disconnect of a running container), keeping what
 * the container added itself: the lines of `before` (what the daemon wrote last) that `after` no longer has are
 * removed from `current` (the file as it is now), and the lines `after` has anew are appended, as dockerd adds and
 * deletes records in place.
 */
export function updateHosts(current: string, before: string, after: string): string {
  const count = (text: string) => {
    const m = new Map<string, number>();
    for (const l of text.split('\n')) if (l !== '') m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const was = count(before);
  const will = count(after);
  const drop = new Map<string, number>();
  for (const [l, n] of was) if (n > (will.get(l) ?? 0)) drop.set(l, n - (will.get(l) ?? 0));
  const kept: string[] = [];
  for (const l of current.split('\n')) {
    if (l === '') continue;
    const d = drop.get(l) ?? 0;
    if (d > 0) {
      drop.set(l, d - 1);
      continue;
    }
    kept.push(l);
  }
  const added: string[] = [];
  for (const l of after.split('\n')) {
    if (l === '') continue;
    const n = was.get(l) ?? 0;
    if (n > 0) was.set(l, n - 1);
    else added.push(l);
  }
  return [...kept, ...added].map((l) => `${l}\n`).join('');
}
