import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The API version this code speaks (BERTH_NET_ABI in native/berth-net.c). */
export const BERTH_NET_ABI = 2;

/** The functions of native/berth-net.c (see there). Handles are opaque. */
export interface BerthNetModule {
  abi: number;
  /** Binds UDP and a listening TCP socket on `address` in the network namespace at `nsPath`: [udpFd, udpPort, tcpFd, tcpPort]. */
  bindInNetns(nsPath: string, address: string): [number, number, number, number];
  /** Writes a net.* sysctl ("net.ipv6.conf.eth0.disable_ipv6") in the network namespace at `nsPath`. */
  sysctlInNetns(nsPath: string, key: string, value: string): void;
  serverCreate(onMisses: (batch: Buffer) => void): unknown;
  serverAdd(server: unknown, fd: number): number;
  serverRemove(server: unknown, id: number): void;
  serverReply(server: unknown, id: number, answer: Buffer, address: number, port: number): boolean;
  serverLearn(server: unknown, id: number, name: string, qtype: number, rdata: Buffer): void;
  serverClear(server: unknown): void;
  /** [answered from the cache, handed to JavaScript, batches dropped, sockets served] */
  serverStats(server: unknown): [number, number, number, number];
  serverClose(server: unknown): void;
}

let loaded: { mod: BerthNetModule | undefined; why: string } | undefined;

/** Where the module may be: BERTH_NATIVE_MODULE, next to the daemon's bundle (dist/), or the checkout's dist/. */
function candidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const env = process.env.BERTH_NATIVE_MODULE;
  return env ? [env] : [join(here, 'native/berth-net.node'), join(here, '../../../dist/native/berth-net.node')];
}

/**
 * The native helpers, or undefined (with the reason) when they are not built, are of another ABI, or are turned
 * off with BERTH_NATIVE=0. Loaded once.
 */
export function loadBerthNet(): { mod: BerthNetModule | undefined; why: string } {
  if (loaded) return loaded;
  if (process.env.BERTH_NATIVE === '0') return (loaded = { mod: undefined, why: 'turned off (BERTH_NATIVE=0)' });
  const path = candidates().find((p) => existsSync(p));
  if (!path) return (loaded = { mod: undefined, why: 'not built (scripts/build-native.ts)' });
  try {
    const m = { exports: {} as BerthNetModule };
    process.dlopen(m, path);
    if (m.exports.abi !== BERTH_NET_ABI) return (loaded = { mod: undefined, why: `${path} has ABI ${m.exports.abi}, not ${BERTH_NET_ABI} (rebuild it)` });
    return (loaded = { mod: m.exports, why: path });
  } catch (err) {
    return (loaded = { mod: undefined, why: `${path}: ${(err as Error).message}` });
  }
}
