import type { Ctx } from '../../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, UnavailableError } from '../../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../../common/fs.ts';
import {
  contains,
  formatIPv4,
  formatPrefix4,
  mustPrefix4,
  overlaps,
  parseCidr4,
  parseIPv4,
  type Prefix4,
  usableRange,
  within,
} from '../../../domain/net/ipv4.ts';
import { type AddressPool, DEFAULT_ADDRESS_POOLS, nextFreeSubnet } from '../../../domain/net/pools.ts';
import type { Ipam, Lease, Pool, PoolRequest } from '../contract.ts';

interface PoolState extends Pool {
  reserved: string[];
  leases: Record<string, string>;
  /** Last address leased (numeric), for serial allocation. */
  last: number;
}

interface State {
  version: 1;
  pools: Record<string, PoolState>;
}

/**
 * berth's default IPAM: IPv4 pools persisted in one JSON file (atomic writes, serialized), serial allocation.
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

  /** Loads the state file (a missing file is an empty state). `pools` overrides dockerd's default address pools. */
  static async open(path: string, pools: readonly AddressPool[] = DEFAULT_ADDRESS_POOLS): Promise<DefaultIpam> {
    const state = (await readJson<State>(path)) ?? { version: 1, pools: {} };
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

  requestPool(_ctx: Ctx, req: PoolRequest): Promise<Pool> {
    return this.#serial(() => {
      const existing = Object.values(this.#state.pools).map((p) => mustPrefix4(p.subnet));
      let subnet: Prefix4;
      if (req.subnet) {
        const parsed = parseCidr4(req.subnet);
        if (!parsed) throw new InvalidArgumentError(`invalid CIDR address: ${req.subnet}`);
        subnet = parsed.prefix;
        if (existing.some((e) => overlaps(e, subnet))) throw new ForbiddenError('Pool overlaps with other one on this address space');
      } else {
        const avoid = [...existing, ...(req.avoid ?? []).map((a) => parseCidr4(a)?.prefix).filter((p): p is Prefix4 => p !== undefined)];
        const free = nextFreeSubnet(this.#pools, avoid);
        if (!free) throw new ForbiddenError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
        subnet = mustPrefix4(free);
      }
      const subnetText = formatPrefix4(subnet);
      let ipRange: string | undefined;
      if (req.ipRange) {
        const r = parseCidr4(req.ipRange);
        if (!r) throw new InvalidArgumentError(`invalid CIDR address: ${req.ipRange}`);
        if (!within(r.prefix, subnet)) throw new InvalidArgumentError(`invalid pool request: ip-range ${req.ipRange} is not within subnet ${subnetText}`);
        ipRange = formatPrefix4(r.prefix);
      }
      const usable = usableRange(subnet);
      let gateway: string;
      if (req.gateway) {
        const g = parseIPv4(req.gateway);
        if (g === undefined) throw new InvalidArgumentError(`invalid gateway address ${req.gateway}`);
        if (!contains(subnet, g)) throw new InvalidArgumentError(`failed to allocate gateway (${req.gateway}): Address out of range`);
        gateway = req.gateway;
      } else {
        gateway = formatIPv4(usable.first);
      }
      const reserved: string[] = [];
      for (const [name, ip] of Object.entries(req.auxAddresses ?? {})) {
        const n = parseIPv4(ip);
        if (n === undefined || !contains(subnet, n)) throw new InvalidArgumentError(`invalid auxiliary address ${name}=${ip}: not within subnet ${subnetText}`);
        reserved.push(ip);
      }
      const pool: PoolState = { id: subnetText, subnet: subnetText, gateway, owner: req.owner, reserved, leases: {}, last: 0 };
      if (ipRange) pool.ipRange = ipRange;
      this.#state.pools[pool.id] = pool;
      return publicPool(pool);
    });
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
      const subnet = mustPrefix4(p.subnet);
      const taken = (ip: string) => ip === p.gateway || p.reserved.includes(ip) || p.leases[ip] !== undefined;
      if (req.preferred) {
        const n = parseIPv4(req.preferred);
        if (n === undefined) throw new InvalidArgumentError(`invalid IPv4 address: ${req.preferred}`);
        const u = usableRange(subnet);
        if (n < u.first || n > u.last) throw new InvalidArgumentError('requested address is out of range');
        if (taken(req.preferred)) throw new ForbiddenError('Address already in use');
        p.leases[req.preferred] = req.owner;
        return req.preferred;
      }
      let { first, last } = usableRange(subnet);
      if (p.ipRange) {
        const r = mustPrefix4(p.ipRange);
        first = Math.max(first, r.base);
        last = Math.min(last, r.base + 2 ** (32 - r.bits) - 1);
      }
      const size = last - first + 1;
      const start = p.last >= first && p.last <= last ? p.last + 1 : first;
      for (let i = 0; i < size; i++) {
        let n = start + i;
        if (n > last) n -= size;
        const ip = formatIPv4(n);
        if (taken(ip)) continue;
        p.leases[ip] = req.owner;
        p.last = n;
        return ip;
      }
      throw new UnavailableError('No available addresses on this pool');
    });
  }

  releaseAddress(_ctx: Ctx, poolId: string, ip: string): Promise<void> {
    return this.#serial(() => {
      const p = this.#state.pools[poolId];
      if (p) delete p.leases[ip];
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
