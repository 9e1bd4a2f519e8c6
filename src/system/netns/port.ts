import type dgram from 'node:dgram';
import type net from 'node:net';
import type { Ctx } from '../../common/ctx.ts';

/** A UDP socket and a TCP server bound inside another network namespace, now owned by the daemon. */
export interface NetnsListener {
  /** The UDP socket: a Node socket, or a raw non-blocking fd (the native adapter) that the caller now owns. */
  udp: dgram.Socket | number;
  tcp: net.Server;
  /** The address both are bound to ("127.0.0.11"), and their ports. */
  address: string;
  udpPort: number;
  tcpPort: number;
}

/**
 * Opens listening sockets inside the network namespace of a process (Node cannot setns(): the native helper's
 * thread, or else a short-lived child started in that namespace, binds them and hands them over). The daemon then
 * serves on them; closing them releases the namespace.
 */
export interface NetnsSockets {
  /** Binds UDP and TCP on `address` (ports chosen by the kernel) in the namespace of `pid`. */
  listen(ctx: Ctx, pid: number, address: string): Promise<NetnsListener>;
}

/** Writes net.* sysctls inside the network namespace of a process. */
export interface NetnsSysctl {
  set(ctx: Ctx, pid: number, key: string, value: string): Promise<void>;
}
