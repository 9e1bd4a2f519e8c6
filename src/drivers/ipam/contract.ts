import type { Ctx } from '../../common/ctx.ts';

/**
 * The IPAM contract (libnetwork ipamapi, IPv4 and IPv6). A pool is a subnet owned by one network; addresses are leased from
 * it to endpoints. Implementations persist pools and leases, so that an address is never leased twice, also across
 * daemon restarts. Calls may come concurrently; implementations serialize them.
 */
export interface PoolRequest {
  /** The network that owns the pool. */
  owner: string;
  /** 6 for an IPv6 pool (implied by an IPv6 `subnet`); default 4. */
  family?: 4 | 6;
  /** A user-given subnet ("172.28.0.0/16"); without it one is chosen from the default address pools. */
  subnet?: string;
  /** Addresses are leased only from this range (`--ip-range`, dockerd's `fixed-cidr`). */
  ipRange?: string;
  /** Without it the first usable address of the subnet. */
  gateway?: string;
  /** `--aux-address name=ip`: reserved, never leased. */
  auxAddresses?: Record<string, string>;
  /** Prefixes an automatically chosen subnet must not overlap (routes of the daemon's namespace). */
  avoid?: readonly string[];
}

export interface Pool {
  /** Stable id of the pool (the subnet). */
  id: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  owner: string;
}

export interface Lease {
  ip: string;
  /** The endpoint holding it. */
  owner: string;
}

export interface Ipam {
  /**
   * Creates a pool. Errors: ForbiddenError "invalid pool request: Pool overlaps with other one on this address space" (user subnet
   * overlapping another pool), ForbiddenError when the default pools are exhausted, InvalidArgumentError for a
   * malformed subnet, range or gateway.
   */
  requestPool(ctx: Ctx, req: PoolRequest): Promise<Pool>;
  /** Drops the pool and its leases. Idempotent. */
  releasePool(ctx: Ctx, poolId: string): Promise<void>;
  pool(poolId: string): Pool | undefined;
  pools(): Pool[];
  /**
   * Leases an address: `preferred` exactly (ForbiddenError "Address already in use", InvalidArgumentError when out
   * of the subnet), else the lowest free one (libnetwork: a restarted container gets its address back), skipping the gateway and
   * reserved addresses. UnavailableError "No available addresses on this pool" when exhausted.
   */
  requestAddress(ctx: Ctx, poolId: string, req: { owner: string; preferred?: string }): Promise<string>;
  /** Returns a lease. Idempotent (unknown pool or address: no-op). */
  releaseAddress(ctx: Ctx, poolId: string, ip: string): Promise<void>;
  leases(poolId: string): Lease[];
}
