import { isIPv4, isIPv6 } from './ipv4.ts';

/** Docker's fallback nameservers when the host has none usable inside a container. */
export const DEFAULT_IPV4_DNS = ['8.8.8.8', '8.8.4.4'];
export const DEFAULT_IPV6_DNS = ['2001:4860:4860::8888', '2001:4860:4860::8844'];

function isLoopback(ip: string): boolean {
  const bare = ip.split('%')[0]!;
  return (isIPv4(bare) && bare.startsWith('127.')) || bare === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(bare);
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

/** Reads the nameserver, search/domain and options lines of a resolv.conf. */
export function parseResolvConf(content: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of content.split('\n')) {
    const l = raw.replace(/[#;].*$/, '').trim();
    const f = l.split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) out.nameservers.push(f[1]);
    else if ((f[0] === 'search' || f[0] === 'domain') && f.length > 1) out.search = f.slice(1);
    else if (f[0] === 'options' && f.length > 1) out.options.push(...f.slice(1));
  }
  return out;
}

/**
 * resolvconf.FilterResolvDNS: the host's file minus loopback nameservers (and IPv6 ones when IPv6 is off); when no
 * nameserver is left, Docker's defaults are appended.
 */
export function filterResolvConf(content: string, ipv6: boolean): string {
  const kept = content
    .split(/(?<=\n)/)
    .filter((l) => {
      const m = /^\s*nameserver\s+(\S+)/.exec(l);
      if (!m) return true;
      const ip = m[1]!;
      if (isLoopback(ip)) return false;
      if (!ipv6 && isIPv6(ip.split('%')[0]!)) return false;
      return true;
    })
    .join('');
  if (parseResolvConf(kept).nameservers.length > 0) return kept;
  const dns = ipv6 ? [...DEFAULT_IPV4_DNS, ...DEFAULT_IPV6_DNS] : DEFAULT_IPV4_DNS;
  return `${kept}\n${dns.map((d) => `nameserver ${d}`).join('\n')}`;
}

/** resolvconf.Build: the file written when --dns, --dns-search or --dns-option is given. */
export function buildResolvConf(dns: readonly string[], search: readonly string[], options: readonly string[]): string {
  let out = '';
  if (search.length > 0 && search.join(' ').trim() !== '.') out += `search ${search.join(' ')}\n`;
  for (const d of dns) out += `nameserver ${d}\n`;
  if (options.length > 0 && options.join(' ').trim() !== '') out += `options ${options.join(' ')}\n`;
  return out;
}

/**
 * A container's /etc/resolv.conf (sandbox setupDNS): with any DNS flag, a file built from the flags, each missing
 * part taken from the host's file (its nameservers filtered); otherwise the filtered host file. Host network mode
 * without DNS flags gets the host's file verbatim.
 */
export function renderResolvConf(opts: {
  hostFile: string;
  dns: readonly string[];
  dnsSearch: readonly string[];
  dnsOptions: readonly string[];
  hostMode: boolean;
  ipv6: boolean;
}): string {
  const custom = opts.dns.length > 0 || opts.dnsSearch.length > 0 || opts.dnsOptions.length > 0;
  if (!custom) return opts.hostMode ? opts.hostFile : filterResolvConf(opts.hostFile, opts.ipv6);
  const host = parseResolvConf(opts.hostMode ? opts.hostFile : filterResolvConf(opts.hostFile, opts.ipv6));
  return buildResolvConf(
    opts.dns.length > 0 ? opts.dns : host.nameservers,
    opts.dnsSearch.length > 0 ? opts.dnsSearch : host.search,
    opts.dnsOptions.length > 0 ? opts.dnsOptions : host.options,
  );
}

/** The embedded DNS server's address, written as the container's only IPv4 nameserver. */
export const EMBEDDED_DNS = '127.0.0.11';

/**
 * sandbox.rebuildDNS: the resolv.conf of a container served by the embedded DNS server, from the file it would
 * have had otherwise (`base`): nameserver 127.0.0.11 (plus the base's IPv6 nameservers, which the embedded server
 * does not proxy), the base's search domains, its options plus "ndots:0" unless the user set ndots. The base's
 * IPv4 nameservers become the embedded server's external servers.
 */
export function embeddedResolvConf(base: string): { content: string; servers: string[] } {
  const rc = parseResolvConf(base);
  const options = [...rc.options];
  if (!options.some((o) => o.startsWith('ndots:'))) options.push('ndots:0');
  const v6 = rc.nameservers.filter((n) => isIPv6(n.split('%')[0]!));
  return {
    content: buildResolvConf([EMBEDDED_DNS, ...v6], rc.search, options),
    servers: rc.nameservers.filter((n) => isIPv4(n)),
  };
}
