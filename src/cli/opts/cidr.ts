/** CIDR containment for `network create` checks (Go's net.ParseCIDR + IPNet.Contains), IPv4 and IPv6. */
import { isIPv4, isIPv6 } from '../../domain/net/ipv4.ts';
import { canonicalIp } from './validators.ts';

function toBig(ip: string): { v: bigint; bits: number } | undefined {
  const c = canonicalIp(ip);
  if (c === undefined) return undefined;
  if (isIPv4(c)) return { v: c.split('.').reduce((a, o) => (a << 8n) | BigInt(o), 0n), bits: 32 };
  if (!isIPv6(c)) return undefined;
  const [head, tail = ''] = c.includes('::') ? c.split('::') : [c, undefined as unknown as string];
  const h = head ? head.split(':') : [];
  const t = c.includes('::') && tail ? tail.split(':') : [];
  const groups = c.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return { v: groups.reduce((a, g) => (a << 16n) | BigInt(Number.parseInt(g, 16)), 0n), bits: 128 };
}

export function parseCidr(s: string): { net: bigint; prefix: number; bits: number } {
  const slash = s.indexOf('/');
  const ip = slash >= 0 ? toBig(s.slice(0, slash)) : undefined;
  const prefix = slash >= 0 && /^\d+$/.test(s.slice(slash + 1)) ? Number(s.slice(slash + 1)) : Number.NaN;
  if (!ip || Number.isNaN(prefix) || prefix > ip.bits) throw new Error(`invalid CIDR address: ${s}`);
  const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(ip.bits - prefix);
  return { net: ip.v & mask, prefix, bits: ip.bits };
}

/** subnetMatches(subnet, data): data is an address or a CIDR whose address lies in subnet. */
export function subnetMatches(subnet: string, data: string): boolean {
  let s: ReturnType<typeof parseCidr>;
  try {
    s = parseCidr(subnet);
  } catch (err) {
    throw new Error(`invalid subnet: ${(err as Error).message}`);
  }
  const addr = data.includes('/') ? toBig(data.slice(0, data.indexOf('/'))) : toBig(data);
  if (data.includes('/')) parseCidr(data);
  if (!addr || addr.bits !== s.bits) return false;
  const mask = ((1n << BigInt(s.prefix)) - 1n) << BigInt(s.bits - s.prefix);
  return (addr.v & mask) === s.net;
}
