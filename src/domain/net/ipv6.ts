import { InvalidArgumentError } from '../../common/errors.ts';
import { isIPv4, isIPv6, parseIPv4 } from './ipv4.ts';

/** An IPv6 prefix: the network address as a 128-bit number and its length. */
export interface Prefix6 {
  base: bigint;
  bits: number;
}

const ALL = (1n << 128n) - 1n;

/** Parses IPv6 text (compressed, IPv4-suffixed, zone-less) into a 128-bit number; undefined when invalid. */
export function parseIPv6(s: string): bigint | undefined {
  if (!isIPv6(s)) return undefined;
  let text = s;
  // an IPv4 tail ("::ffff:1.2.3.4") becomes two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseIPv4(v4[1]!)!;
    text = `${text.slice(0, v4.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** RFC 5952 text: lower case, the longest run (≥ 2) of zero groups as "::", as Go's net/netip prints. */
export function formatIPv6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function mask6(bits: number): bigint {
  return bits === 0 ? 0n : (ALL << BigInt(128 - bits)) & ALL;
}

/** Parses "2001:db8::/64" (host bits allowed and kept in `ip`). */
export function parseCidr6(s: string): { ip: bigint; prefix: Prefix6 } | undefined {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIPv6(m[1]!);
  const bits = Number(m[2]);
  if (ip === undefined || bits > 128 || String(bits) !== m[2]) return undefined;
  return { ip, prefix: { base: ip & mask6(bits), bits } };
}

export function mustPrefix6(s: string): Prefix6 {
  const p = parseCidr6(s);
  if (!p) throw new InvalidArgumentError(`invalid CIDR address: ${s}`);
  return p.prefix;
}

export function formatPrefix6(p: Prefix6): string {
  return `${formatIPv6(p.base)}/${p.bits}`;
}

export function lastAddress6(p: Prefix6): bigint {
  return p.base | (~mask6(p.bits) & ALL);
}

export function contains6(p: Prefix6, ip: bigint): boolean {
  return ip >= p.base && ip <= lastAddress6(p);
}

export function within6(inner: Prefix6, outer: Prefix6): boolean {
  return inner.bits >= outer.bits && contains6(outer, inner.base);
}

export function overlaps6(a: Prefix6, b: Prefix6): boolean {
  return a.base <= lastAddress6(b) && b.base <= lastAddress6(a);
}

/** "2001:DB8:0::1" → "2001:db8::1" (undefined when not IPv6). */
export function canonicalIPv6(s: string): string | undefined {
  const n = parseIPv6(s);
  return n === undefined ? undefined : formatIPv6(n);
}

/** The family of an address or CIDR text: 4, 6 or undefined. */
export function familyOf(s: string): 4 | 6 | undefined {
  const addr = s.split('/')[0]!;
  if (isIPv4(addr)) return 4;
  if (isIPv6(addr)) return 6;
  return undefined;
}
