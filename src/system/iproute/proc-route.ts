import type { RouteInfo } from './port.ts';

/**
 * /proc/net/route (the IPv4 main table of the reader's network namespace) as RouteInfo, the same list
 * `ip -j -4 route show` gives, without running a program. Addresses are the network-order words printed as host
 * integers (so byte-reversed on a little-endian machine); flags: RTF_UP 0x1, RTF_GATEWAY 0x2.
 */
export function parseProcRoute(text: string, littleEndian = true): RouteInfo[] {
  const num = (hex: string) => hexToIPv4Number(hex, littleEndian);
  const ip = (hex: string) => {
    const n = num(hex);
    return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
  };
  const out: RouteInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flagsHex, , , , mask] = f as [string, string, string, string, string, string, string, string];
    const flags = Number.parseInt(flagsHex, 16);
    if (!(flags & 0x1)) continue;
    const bits = popcount(num(mask));
    const dst = dest === '00000000' && bits === 0 ? 'default' : `${ip(dest)}/${bits}`;
    const r: RouteInfo = { dst };
    if (iface !== '*') r.dev = iface;
    if (flags & 0x2 && gw !== '00000000') r.via = ip(gw);
    out.push(r);
  }
  return out;
}

/** "0100A8C0" → 192.168.0.1 as a number (on a little-endian machine). */
function hexToIPv4Number(hex: string, littleEndian: boolean): number {
  const n = Number.parseInt(hex, 16) >>> 0;
  if (!littleEndian) return n;
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | ((n >>> 24) & 0xff)) >>> 0;
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n >>> 0; x; x >>>= 1) c += x & 1;
  return c;
}
