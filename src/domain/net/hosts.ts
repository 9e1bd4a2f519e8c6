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
