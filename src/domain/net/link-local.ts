import { InvalidArgumentError } from '../../common/errors.ts';
import { parseIPv4 } from './ipv4.ts';
import { formatIPv6, parseIPv6 } from './ipv6.ts';

/**
 * `--link-local-ip` (EndpointSettings.IPAMConfig.LinkLocalIPs): extra addresses on a container's interface, with
 * libnetwork's masks (/16 for IPv4, /64 for IPv6) and dockerd 20.10's checks and messages.
 */

const LL4_BASE = parseIPv4('169.254.0.0')!;
const LL6_BASE = parseIPv6('fe80::')!;

/** The interface address ("169.254.1.1/16", "fe80::5/64") of each link-local IP. Throws Docker's errors. */
export function linkLocalCidrs(ips: readonly string[] | null | undefined): string[] {
  const list = ips ?? [];
  // dockerd formats the whole list (Go's %s of a []string) when one of them does not parse
  const parsed = list.map((s) => ({ s, v4: parseIPv4(s), v6: parseIPv6(s) }));
  if (parsed.some((p) => p.s !== '' && p.v4 === undefined && p.v6 === undefined)) {
    throw new InvalidArgumentError(`Invalid link-local IP address: [${list.join(' ')}]`);
  }
  const out: string[] = [];
  for (const p of parsed) {
    if (p.s === '') continue;
    if (p.v4 !== undefined) {
      if (((p.v4 >>> 16) << 16) >>> 0 !== LL4_BASE) throw new InvalidArgumentError(`invalid link local IP address: ${p.s}`);
      out.push(`${p.s}/16`);
      continue;
    }
    const n = p.v6!;
    // an IPv4-mapped address is IPv4 to Go (net.IP.To4)
    const mapped = n >> 32n === 0xffffn;
    const text = mapped ? `${Number((n >> 24n) & 255n)}.${Number((n >> 16n) & 255n)}.${Number((n >> 8n) & 255n)}.${Number(n & 255n)}` : formatIPv6(n);
    const ll = mapped ? ((Number(n & 0xffffffffn) >>> 16) << 16) >>> 0 === LL4_BASE : n >> 118n === LL6_BASE >> 118n;
    if (!ll) throw new InvalidArgumentError(`invalid link local IP address: ${text}`);
    out.push(mapped ? `${text}/16` : `${text}/64`);
  }
  return out;
}
