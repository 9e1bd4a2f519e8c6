import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { canonicalIPv6 } from '../../domain/net/ipv6.ts';
import type { Ctx } from '../../common/ctx.ts';
import type { BoundSocket, SocketProbe } from './port.ts';

/** Decodes a /proc/net address ("0100007F:1F90", or 32 hex digits for IPv6) in host (little-endian) byte order. */
export function decodeProcAddr(hex: string): { ip: string; port: number } {
  const [a, p] = hex.split(':') as [string, string];
  const port = Number.parseInt(p, 16);
  if (a.length === 8) {
    const n = Number.parseInt(a, 16);
    return { ip: [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.'), port };
  }
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = a.slice(w * 8, w * 8 + 8);
    const bytes = word.match(/../g)!.reverse().join('');
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const ip = groups.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
  return { ip: ip === '0:0:0:0:0:0:0:0' ? '::' : ip, port };
}

/**
 * Parses /proc/net/{tcp,tcp6,udp,udp6}: TCP sockets in LISTEN (0A), UDP sockets unconnected (07). Pure.
 */
export function parseProcNet(content: string, proto: 'tcp' | 'udp'): BoundSocket[] {
  const want = proto === 'tcp' ? '0A' : '07';
  const out: BoundSocket[] = [];
  for (const line of content.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== want) continue;
    const { ip, port } = decodeProcAddr(f[1]!);
    out.push({ proto, ip, port });
  }
  return out;
}

/** Reads the sockets of the calling process's network namespace (the daemon's). */
export class ProcNetSocketProbe implements SocketProbe {
  readonly #procNet: string;
  constructor(procNet = '/proc/net') {
    this.#procNet = procNet;
  }
  /** The namespace's interface addresses (getifaddrs), and all of 127.0.0.0/8 while lo has 127.0.0.1. */
  isLocal(ip: string): boolean {
    const all = Object.values(networkInterfaces()).flatMap((a) => a ?? []);
    const canon = (a: string) => (a.includes(':') ? (canonicalIPv6(a) ?? a.toLowerCase()) : a);
    const want = canon(ip);
    if (all.some((a) => canon(a.address) === want)) return true;
    return /^127\./.test(ip) && all.some((a) => a.address === '127.0.0.1');
  }

  async bound(_ctx: Ctx): Promise<BoundSocket[]> {
    const out: BoundSocket[] = [];
    for (const [file, proto] of [
      ['tcp', 'tcp'],
      ['tcp6', 'tcp'],
      ['udp', 'udp'],
      ['udp6', 'udp'],
    ] as const) {
      let content: string;
      try {
        content = await readFile(`${this.#procNet}/${file}`, 'utf8');
      } catch {
        continue; // IPv6 disabled: no tcp6/udp6
      }
      out.push(...parseProcNet(content, proto));
    }
    return out;
  }
}
