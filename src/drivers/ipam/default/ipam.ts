import { randomBytes } from 'node:crypto';
import type { Ctx } from '../../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, UnavailableError } from '../../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../../common/fs.ts';
import { contains, formatIPv4, formatPrefix4, mustPrefix4, overlaps, parseCidr4, parseIPv4, type Prefix4, usableRange, within } from '../../../domain/net/ipv4.ts';
import { contains6, formatIPv6, formatPrefix6, lastAddress6, overlaps6, parseCidr6, parseIPv6, type Prefix6, within6 } from '../../../domain/net/ipv6.ts';
import { type AddressPool, DEFAULT_ADDRESS_POOLS, nextFreeSubnet } from '../../../domain/net/pools.ts';
import type { Ipam, Lease, Pool, PoolRequest } from '../contract.ts';

interface PoolState extends Pool {
  reserved: string[];
  leases: Record<string, string>;
}

interface State {
  version: 1;
  pools: Record<string, PoolState>;
  /** This engine's IPv6 ULA /48 ("fdxx:xxxx:xxxx::/48"), from which /64s are given to IPv6 networks without a subnet. */
  ula48?: string;
}

/** Family-neutral address arithmetic over bigint. */
interface Fam {
  parse(s: string): bigint | undefined;
  format(n: bigint): string;
  /** First and last address that may be leased. */
  usable(subnet: string): { first: bigint; last: bigint };
  range(cidr: string): { first: bigint; last: bigint } | undefined;
}

const V4: Fam = {
  parse: (s) => {
    const n = parseIPv4(s);
    return n === undefined ? undefined : BigInt(n);
  },
  format: (n) => formatIPv4(Number(n)),
  usable: (subnet) => {
    const u = usableRange(mustPrefix4(subnet));
    return { first: BigInt(u.first), last: BigInt(u.last) };
  },
  range: (cidr) => {
    const r = parseCidr4(cidr)?.prefix;
    return r ? { first: BigInt(r.base), last: BigInt(r.base + 2 ** (32 - r.bits) - 1) } : undefined;
  },
};

const V6: Fam = {
  parse: parseIPv6,
  format: formatIPv6,
  // the subnet-router anycast address (all host bits zero) is never leased; IPv6 has no broadcast
  usable: (subnet) => {
    const p = parseCidr6(subnet)!.prefix;
    return p.bits >= 127 ? { first: p.base, last: lastAddress6(p) } : { first: p.base + 1n, last: lastAddress6(p) };
  },
  range: (cidr) => {
    const r = parseCidr6(cidr)?.prefix;
    return r ? { first: r.base, last: lastAddress6(r) } : undefined;
  },
};

function famOf(p: Pool): Fam {
  return p.subnet.includes(':') ? V6 : V4;
}

export const POOL_OVERLAP = 'invalid pool request: Pool overlaps with other one on this address space';

/**
 * berth's default IPAM: IPv4 and IPv6 pools persisted in one JSON file (atomic writes, serialized), serial
 * allocation. IPv4 networks without a subnet get the next free subnet of the default address pools; IPv6 ones a
 * /64 of this engine's ULA /48 (as dockerd ≥ 27).
 */
export class DefaultIpam implements Ipam {
  readonly #path: string;
  readonly #pools: readonly AddressPool[];
  #state: State;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, state: State, pools: readonly AddressPool[]) {
    this.#path = path;
    this.#state = state;
    this.#pools = pools;
  }

  /**
   * Loads the state file (a missing file is an empty state). `pools` overrides dockerd's default address pools
   * (daemon.json `default-address-pools`; IPv6 entries there replace the ULA /48).
   */
  static async open(path: string, pools: readonly AddressPool[] = DEFAULT_ADDRESS_POOLS): Promise<DefaultIpam> {
    const state = (await readJson<State>(path)) ?? { version: 1, pools: {} };
    if (!state.ula48) {
      const b = randomBytes(5);
      const g = (i: number) => ((b[i]! << 8) | b[i + 1]!).toString(16);
      state.ula48 = formatPrefix6(parseCidr6(`fd${b[0]!.toString(16).padStart(2, '0')}:${g(1)}:${g(3)}::/48`)!.prefix);
    }
    return new DefaultIpam(path, state, pools);
  }

  /** Runs a mutation after the previous ones; the state is written before the result is returned. */
  #serial<T>(fn: () => T): Promise<T> {
    const p = this.#queue.then(async () => {
      const before = structuredClone(this.#state);
      try {
        const out = fn();
        await writeJsonAtomic(this.#path, this.#state);
        return out;
      } catch (err) {
        this.#state = before;
        throw err;
      }
    });
    this.#queue = p.catch(() => {});
    return p;
  }

  #v6Pools(): AddressPool[] {
    const own = this.#pools.filter((p) => p.base.includes(':'));
    return own.length > 0 ? own : [{ base: this.#state.ula48!, size: 64 }];
  }

  /** The next free /size of the IPv6 pools (overlapping none of `used`). */
  #nextFree6(used: readonly Prefix6[]): string | undefined {
    for (const pool of this.#v6Pools()) {
      const base = parseCidr6(pool.base)?.prefix;
      if (!base || pool.size < base.bits || pool.size > 128) continue;
      const step = 1n << BigInt(128 - pool.size);
      const count = 1n << BigInt(Math.min(pool.size - base.bits, 16));
      for (let i = 0n; i < count; i++) {
        const cand: Prefix6 = { base: base.base + i * step, bits: pool.size };
        if (!used.some((u) => overlaps6(u, cand))) return formatPrefix6(cand);
      }
    }
    return undefined;
  }

  requestPool(_ctx: Ctx, req: PoolRequest): Promise<Pool> {
    return this.#serial(() => (req.family === 6 || req.subnet?.includes(':') ? this.#pool6(req) : this.#pool4(req)));
  }

  #pool4(req: PoolRequest): Pool {
    const existing = Object.values(this.#state.pools)
      .filter((p) => !p.subnet.includes(':'))
      .map((p) => mustPrefix4(p.subnet));
    let subnet: Prefix4;
    if (req.subnet) {
      const parsed = parseCidr4(req.subnet);
      if (!parsed) throw new InvalidArgumentError(`invalid CIDR address: ${req.subnet}`);
      subnet = parsed.prefix;
      if (existing.some((e) => overlaps(e, subnet))) throw new ForbiddenError(POOL_OVERLAP);
    } else {
      const avoid = [...existing, ...(req.avoid ?? []).map((a) => parseCidr4(a)?.prefix).filter((p): p is Prefix4 => p !== undefined)];
      const free = nextFreeSubnet(
        this.#pools.filter((p) => !p.base.includes(':')),
        avoid,
      );
      if (!free) throw new ForbiddenError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
      subnet = mustPrefix4(free);
    }
    const subnetText = formatPrefix4(subnet);
    let ipRange: string | undefined;
    let rangeBase: number | undefined;
    if (req.ipRange) {
      const r = parseCidr4(req.ipRange);
      if (!r) throw new InvalidArgumentError(`invalid CIDR address: ${req.ipRange}`);
      if (!within(r.prefix, subnet)) throw new InvalidArgumentError(`invalid pool request: ip-range ${req.ipRange} is not within subnet ${subnetText}`);
      ipRange = formatPrefix4(r.prefix);
      rangeBase = r.prefix.base;
    }
    let gateway: string;
    if (req.gateway) {
      const g = parseIPv4(req.gateway);
      if (g === undefined) throw new InvalidArgumentError(`invalid gateway address ${req.gateway}`);
      if (!contains(subnet, g)) throw new InvalidArgumentError(`failed to allocate gateway (${req.gateway}): Address out of range`);
      gateway = req.gateway;
    } else {
      // libnetwork asks the pool for the gateway: with an ip-range, the range's first address (not the subnet's)
      gateway = formatIPv4(Math.max(usableRange(subnet).first, rangeBase ?? 0));
    }
    const reserved: string[] = [];
    for (const [name, ip] of Object.entries(req.auxAddresses ?? {})) {
      if (ip.includes(':')) continue;
      const n = parseIPv4(ip);
      if (n === undefined || !contains(subnet, n)) throw new InvalidArgumentError(`invalid auxiliary address ${name}=${ip}: not within subnet ${subnetText}`);
      reserved.push(ip);
    }
    return this.#save({ id: subnetText, subnet: subnetText, gateway, owner: req.owner, reserved, leases: {} }, ipRange);
  }

  #pool6(req: PoolRequest): Pool {
    const existing = Object.values(this.#state.pools)
      .filter((p) => p.subnet.includes(':'))
      .map((p) => parseCidr6(p.subnet)!.prefix);
    let subnet: Prefix6;
    if (req.subnet) {
      const parsed = parseCidr6(req.subnet);
      if (!parsed) throw new InvalidArgumentError(`invalid CIDR address: ${req.subnet}`);
      subnet = parsed.prefix;
      if (existing.some((e) => overlaps6(e, subnet))) throw new ForbiddenError(POOL_OVERLAP);
    } else {
      const avoid = [...existing, ...(req.avoid ?? []).map((a) => parseCidr6(a)?.prefix).filter((p): p is Prefix6 => p !== undefined)];
      const free = this.#nextFree6(avoid);
      if (!free) throw new ForbiddenError('could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network');
      subnet = parseCidr6(free)!.prefix;
    }
    const subnetText = formatPrefix6(subnet);
    let ipRange: string | undefined;
    if (req.ipRange) {
      const r = parseCidr6(req.ipRange);
      if (!r) throw new InvalidArgumentError(`invalid CIDR address: ${req.ipRange}`);
      if (!within6(r.prefix, subnet)) throw new InvalidArgumentError(`invalid pool request: ip-range ${req.ipRange} is not within subnet ${subnetText}`);
      ipRange = formatPrefix6(r.prefix);
    }
    let gateway: string;
    if (req.gateway) {
      const g = parseIPv6(req.gateway);
      if (g === undefined) throw new InvalidArgumentError(`invalid gateway address ${req.gateway}`);
      if (!contains6(subnet, g)) throw new InvalidArgumentError(`failed to allocate gateway (${req.gateway}): Address out of range`);
      gateway = formatIPv6(g);
    } else {
      gateway = formatIPv6(subnet.base + 1n);
    }
    const reserved: string[] = [];
    for (const [name, ip] of Object.entries(req.auxAddresses ?? {})) {
      if (!ip.includes(':')) continue;
      const n = parseIPv6(ip);
      if (n === undefined || !contains6(subnet, n)) throw new InvalidArgumentError(`invalid auxiliary address ${name}=${ip}: not within subnet ${subnetText}`);
      reserved.push(formatIPv6(n));
    }
    return this.#save({ id: subnetText, subnet: subnetText, gateway, owner: req.owner, reserved, leases: {} }, ipRange);
  }

  #save(pool: PoolState, ipRange: string | undefined): Pool {
    if (ipRange) pool.ipRange = ipRange;
    this.#state.pools[pool.id] = pool;
    return publicPool(pool);
  }

  releasePool(_ctx: Ctx, poolId: string): Promise<void> {
    return this.#serial(() => {
      delete this.#state.pools[poolId];
    });
  }

  pool(poolId: string): Pool | undefined {
    const p = this.#state.pools[poolId];
    return p ? publicPool(p) : undefined;
  }

  pools(): Pool[] {
    return Object.values(this.#state.pools).map(publicPool);
  }

  requestAddress(_ctx: Ctx, poolId: string, req: { owner: string; preferred?: string }): Promise<string> {
    return this.#serial(() => {
      const p = this.#state.pools[poolId];
      if (!p) throw new InvalidArgumentError(`cannot find address pool for poolID ${poolId}`);
      const f = famOf(p);
      const taken = (ip: string) => ip === p.gateway || p.reserved.includes(ip) || p.leases[ip] !== undefined;
      const u = f.usable(p.subnet);
      if (req.preferred) {
        const n = f.parse(req.preferred);
        if (n === undefined) throw new InvalidArgumentError(`invalid IPv${f === V4 ? 4 : 6} address: ${req.preferred}`);
        if (n < u.first || n > u.last) throw new InvalidArgumentError('requested address is out of range');
        const ip = f.format(n);
        if (taken(ip)) throw new ForbiddenError('Address already in use');
        p.leases[ip] = req.owner;
        return ip;
      }
      let { first, last } = u;
      const r = p.ipRange ? f.range(p.ipRange) : undefined;
      if (r) {
        // bigint: no Math.max/min
        if (r.first > first) first = r.first;
        if (r.last < last) last = r.last;
      }
      const size = last - first + 1n;
      // the lowest free address, as libnetwork's default IPAM: a container that reconnects or restarts gets its
      // old address back when nobody took it meanwhile; bounded: an IPv6 /64 is never scanned whole (leases are few)
      const end = first + (size < 1_000_000n ? size : 1_000_000n);
      for (let n = first; n < end; n++) {
        const ip = f.format(n);
        if (taken(ip)) continue;
        p.leases[ip] = req.owner;
        return ip;
      }
      throw new UnavailableError('No available addresses on this pool');
    });
  }

  releaseAddress(_ctx: Ctx, poolId: string, ip: string): Promise<void> {
    return this.#serial(() => {
      const p = this.#state.pools[poolId];
      if (!p) return;
      const n = famOf(p).parse(ip);
      delete p.leases[n === undefined ? ip : famOf(p).format(n)];
    });
  }

  leases(poolId: string): Lease[] {
    const p = this.#state.pools[poolId];
    return p ? Object.entries(p.leases).map(([ip, owner]) => ({ ip, owner })) : [];
  }
}

function publicPool(p: PoolState): Pool {
  const out: Pool = { id: p.id, subnet: p.subnet, gateway: p.gateway, owner: p.owner };
  if (p.ipRange) out.ipRange = p.ipRange;
  return out;
}
