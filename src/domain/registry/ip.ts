/**
 * IP addresses and prefixes for the registry settings (insecure-registries CIDRs): parsing, masking and
 * containment, IPv4 and IPv6, with IPv4-mapped IPv6 addresses treated as IPv4 (Go's netip Unmap).
 */

export interface IpAddr {
  v: 4 | 6;
  n: bigint;
}

export interface IpPrefix {
  addr: IpAddr;
  bits: number;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  let str = s;
  const zone = str.indexOf('%');
  if (zone >= 0) str = str.slice(0, zone);
  // an embedded IPv4 address in the last 32 bits becomes two hex groups
  const lastColon = str.lastIndexOf(':');
  if (lastColon >= 0 && str.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(str.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    str = `${str.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const dbl = str.indexOf('::');
  if (dbl !== str.lastIndexOf('::')) return undefined;
  const groupsOf = (x: string): bigint[] | undefined => {
    if (x === '') return [];
    const out: bigint[] = [];
    for (const g of x.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  let groups: bigint[];
  if (dbl >= 0) {
    const head = groupsOf(str.slice(0, dbl));
    const rest = groupsOf(str.slice(dbl + 2));
    if (!head || !rest) return undefined;
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<bigint>(missing).fill(0n), ...rest];
  } else {
    const all = groupsOf(str);
    if (!all) return undefined;
    groups = all;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((n, g) => (n << 16n) | g, 0n);
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

/** Parses "10.1.2.3", "::1", "::ffff:127.0.0.1" (→ IPv4), "fe80::1%eth0". */
export function parseIp(s: string): IpAddr | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { v: 4, n: v4 };
  if (!s.includes(':')) return undefined;
  const v6 = parseV6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn && (v6 & ~0xffffffffn) === V4_MAPPED_PREFIX) return { v: 4, n: v6 & 0xffffffffn };
  return { v: 6, n: v6 };
}

function width(v: 4 | 6): number {
  return v === 4 ? 32 : 128;
}

function mask(n: bigint, bits: number, w: number): bigint {
  const hostBits = BigInt(w - bits);
  return (n >> hostBits) << hostBits;
}

/** Parses "10.0.0.0/8" or "::1/128" (masked, as netip.Prefix.Masked); undefined if not a prefix. */
export function parsePrefix(s: string): IpPrefix | undefined {
  const i = s.indexOf('/');
  if (i < 0) return undefined;
  const bitsStr = s.slice(i + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bitsStr)) return undefined;
  const addrStr = s.slice(0, i);
  // a prefix keeps its family: "::ffff:1.2.3.4/120" stays IPv6 in Go; rare enough to treat as written
  const v4 = parseV4(addrStr);
  const v: 4 | 6 = v4 !== undefined ? 4 : 6;
  const n = v4 ?? (addrStr.includes(':') ? parseV6(addrStr) : undefined);
  if (n === undefined) return undefined;
  const bits = Number(bitsStr);
  if (bits > width(v)) return undefined;
  return { addr: { v, n: mask(n, bits, width(v)) }, bits };
}

export function prefixContains(p: IpPrefix, a: IpAddr): boolean {
  if (p.addr.v !== a.v) return false;
  return mask(a.n, p.bits, width(a.v)) === p.addr.n;
}

export function formatPrefix(p: IpPrefix): string {
  if (p.addr.v === 4) {
    const n = p.addr.n;
    return `${[24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.')}/${p.bits}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((p.addr.n >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zeros
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text = best < 0 ? groups.join(':') : `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  return `${text}/${p.bits}`;
}
