import type { Ctx } from '../../common/ctx.ts';

/**
 * One iproute2 operation. Callers build lists of these; the adapter runs a list as ONE `ip -batch -` (in the
 * daemon's network namespace, or through `nsenter -t <pid> -n` in a container's).
 */
export type IpCmd =
  | { op: 'bridge-add'; name: string; mtu?: number; mac?: string }
  /** A veth pair; with `peerNetnsPid` the peer is created directly inside that process's network namespace. */
  | { op: 'veth-add'; name: string; peer: string; peerNetnsPid?: number; mtu?: number }
  | { op: 'link-set'; dev: string; up?: boolean; master?: string; mac?: string; mtu?: number; name?: string }
  /** A macvlan link on `parent`; with `netnsPid` created directly inside that process's network namespace. */
  | { op: 'macvlan-add'; name: string; parent: string; mode: string; netnsPid?: number; mtu?: number }
  /** An 802.1q sub-interface (`eth0.10`). */
  | { op: 'vlan-add'; name: string; parent: string; id: number }
  | { op: 'dummy-add'; name: string }
  /** Bridge-port settings of a link enslaved to a bridge (`hairpin`: frames may go back out the port they came in). */
  | { op: 'bridge-port'; dev: string; hairpin: boolean }
  | { op: 'link-del'; dev: string }
  /** `nodad`: an IPv6 address usable at once (no duplicate address detection). */
  | { op: 'addr-add'; dev: string; cidr: string; broadcast?: string; nodad?: boolean }
  | { op: 'addr-del'; dev: string; cidr: string }
  /** `dst` is "default" or a CIDR. */
  | { op: 'route-add'; dst: string; via?: string; dev?: string };

export interface LinkInfo {
  name: string;
  /** "bridge", "veth", … ("" for a physical or loopback device). */
  kind: string;
  up: boolean;
  master?: string;
  mac: string;
  mtu: number;
}

export interface AddrInfo {
  dev: string;
  /** "172.17.0.1/16", "2001:db8::1/64" (IPv6 link-local addresses are left out). */
  cidr: string;
}

export interface RouteInfo {
  /** "default" or a CIDR ("172.17.0.0/16"); host routes are given as "a.b.c.d/32". */
  dst: string;
  dev?: string;
  via?: string;
}

/** Where a command runs: the daemon's own network namespace (default) or the one of a process. */
export interface Where {
  pid?: number;
}

export interface BatchOptions extends Where {
  /** Go on after a failed command (`ip -force`) and do not report failures: for best-effort cleanup. */
  force?: boolean;
}

/** The iproute2 port: the only way berth changes links, addresses and routes. */
export interface IpRoute {
  /** Runs the commands as one batch; stops at the first failure (the commands before it stay applied) and throws. */
  batch(ctx: Ctx, cmds: readonly IpCmd[], opts?: BatchOptions): Promise<void>;
  links(ctx: Ctx, where?: Where): Promise<LinkInfo[]>;
  /** Just the names of the links (cheap: the real adapter reads /proc/self/net/dev for the daemon's namespace). */
  linkNames(ctx: Ctx, where?: Where): Promise<string[]>;
  addrs(ctx: Ctx, where?: Where): Promise<AddrInfo[]>;
  /** IPv4 routes of the main table. */
  routes(ctx: Ctx, where?: Where): Promise<RouteInfo[]>;
}

/** A socket bound on the daemon's network namespace (as `ss -lntu` lists them). */
export interface BoundSocket {
  proto: 'tcp' | 'udp';
  /** "0.0.0.0", "127.0.0.1", "::" … */
  ip: string;
  port: number;
}

/** Which ports are taken by listening/bound sockets in the daemon's network namespace. */
export interface SocketProbe {
  bound(ctx: Ctx): Promise<BoundSocket[]>;
  /** Whether `ip` is an address of the daemon's namespace (a published port can be bound there); absent: any is. */
  isLocal?(ip: string): boolean;
}
