import { formatPrefix4, mustPrefix4, overlaps, type Prefix4, prefixSize } from './ipv4.ts';

/** One entry of dockerd's `default-address-pools`: a base range split into subnets of `size` bits. */
export interface AddressPool {
  base: string;
  size: number;
}

/** dockerd's default local-scope pools (libnetwork ipamutils): 172.17–31 as /16s, then 192.168.0.0/16 as /20s. */
export const DEFAULT_ADDRESS_POOLS: readonly AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Every candidate subnet of the pools, in order. */
export function* poolSubnets(pools: readonly AddressPool[]): Generator<Prefix4> {
  for (const pool of pools) {
    const base = mustPrefix4(pool.base);
    if (pool.size < base.bits || pool.size > 32) continue;
    const step = 2 ** (32 - pool.size);
    const end = base.base + prefixSize(base);
    for (let b = base.base; b < end; b += step) yield { base: b, bits: pool.size };
  }
}

/**
 * The first subnet of the pools that overlaps none of `used` (existing networks' subnets and routes of the
 * daemon's network namespace); undefined when the pools are exhausted.
 */
export function nextFreeSubnet(pools: readonly AddressPool[], used: readonly Prefix4[]): string | undefined {
  for (const cand of poolSubnets(pools)) {
    if (!used.some((u) => overlaps(u, cand))) return formatPrefix4(cand);
  }
  return undefined;
}
