import { InvalidArgumentError } from '../../common/errors.ts';

/** An IPv4 prefix: the network address as an unsigned 32-bit number and its length. */
export interface Prefix4 {
  /** Network address (host bits cleared), 0 … 2^32-1. */
  base: number;
  bits: number;
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4_RE.test(s);
}

/** Parses dotted-quad IPv4 text into an unsigned number; undefined when it is not an IPv4 address. */
export function parseIPv4(s: string): number | undefined {
  if (!isIPv4(s)) return undefined;
  return s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function mustIPv4(s: string): number {
  const n = parseIPv4(s);
  if (n === undefined) throw new InvalidArgumentError(`invalid IPv4 address: ${s}`);
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A loose IPv6 syntax check (Go's net.ParseIP accepts what this accepts, IPv4-mapped forms included). */
export function isIPv6(s: string): boolean {
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(dbl[0]!);
  const tail = dbl.length === 2 ? groups(dbl[1]!) : [];
  const all = [...head, ...tail];
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIPv4(g)) return false;
      n += 2;
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    n += 1;
  }
  return dbl.length === 2 ? n < 8 : n === 8;
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses "a.b.c.d/n". `strict` refuses host bits (Docker accepts them and masks, e.g. 172.17.0.1/16). */
export function parseCidr4(s: string): { ip: number; prefix: Prefix4 } | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIPv4(m[1]!);
  const bits = Number(m[2]);
  if (ip === undefined || bits > 32 || String(bits) !== m[2]) return undefined;
  return { ip, prefix: { base: (ip & maskOf(bits)) >>> 0, bits } };
}

export function mustPrefix4(s: string): Prefix4 {
  const p = parseCidr4(s);
  if (!p) throw new InvalidArgumentError(`invalid CIDR address: ${s}`);
  return p.prefix;
}

export function formatPrefix4(p: Prefix4): string {
  return `${formatIPv4(p.base)}/${p.bits}`;
}

export function prefixSize(p: Prefix4): number {
  return 2 ** (32 - p.bits);
}

/** Last address of the prefix (the broadcast address for /0–/30). */
export function lastAddress(p: Prefix4): number {
  return p.base + prefixSize(p) - 1;
}

export function contains(p: Prefix4, ip: number): boolean {
  return ip >= p.base && ip <= lastAddress(p);
}

/** True when `inner` lies entirely within `outer`. */
export function within(inner: Prefix4, outer: Prefix4): boolean {
  return inner.bits >= outer.bits && contains(outer, inner.base);
}

export function overlaps(a: Prefix4, b: Prefix4): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** The netmask in dotted-quad form, e.g. 255.255.0.0 for /16. */
export function netmask(bits: number): string {
  return formatIPv4(maskOf(bits));
}

/**
 * The range of addresses that may be handed to endpoints: the network and broadcast addresses are excluded for
 * prefixes up to /30, as Docker's IPAM does; /31 and /32 use every address.
 */
export function usableRange(p: Prefix4): { first: number; last: number } {
  if (p.bits >= 31) return { first: p.base, last: lastAddress(p) };
  return { first: p.base + 1, last: lastAddress(p) - 1 };
}
