import { InvalidArgumentError } from '../../common/errors.ts';
import { contains, formatPrefix4, overlaps, parseCidr4, parseIPv4, type Prefix4 } from './ipv4.ts';
import { contains6, formatPrefix6, overlaps6, parseCidr6, parseIPv6, type Prefix6 } from './ipv6.ts';

/** One IPAM.Config entry of `network create` (Docker's field names). */
export interface IpamConfigInput {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

type AnyPrefix = { family: 4; p: Prefix4 } | { family: 6; p: Prefix6 };

/** netip.ParsePrefix: "a.b.c.d/n" or "v6/n" (host bits allowed), else undefined. */
export function parseAnyPrefix(s: string): { prefix: AnyPrefix; masked: boolean } | undefined {
  const c4 = parseCidr4(s);
  if (c4) return { prefix: { family: 4, p: c4.prefix }, masked: c4.ip === c4.prefix.base };
  const c6 = parseCidr6(s);
  if (c6) return { prefix: { family: 6, p: c6.prefix }, masked: c6.ip === c6.prefix.base };
  return undefined;
}

function fmt(p: AnyPrefix): string {
  return p.family === 4 ? formatPrefix4(p.p) : formatPrefix6(p.p);
}

const FAMILY = { 4: 'IPv4', 6: 'IPv6' } as const;

function addrError(address: string, subnet: AnyPrefix): string | undefined {
  const v4 = parseIPv4(address);
  const v6 = v4 === undefined ? parseIPv6(address) : undefined;
  if (v4 === undefined && v6 === undefined) return 'invalid address';
  const family = v4 !== undefined ? 4 : 6;
  if (family !== subnet.family) return `parent subnet is an ${FAMILY[subnet.family]} block`;
  const inside = subnet.family === 4 ? contains(subnet.p, v4!) : contains6(subnet.p, v6!);
  return inside ? undefined : `parent subnet ${fmt(subnet)} doesn't contain this address`;
}

function rangeErrors(ipRange: string, subnet: AnyPrefix): string[] {
  const r = parseAnyPrefix(ipRange);
  if (!r) return [`invalid ip-range ${ipRange}: invalid CIDR block notation`];
  if (r.prefix.family !== subnet.family) return [`invalid ip-range ${ipRange}: parent subnet is an ${FAMILY[subnet.family]} block`];
  const errs: string[] = [];
  if (r.prefix.p.bits < subnet.p.bits) errs.push(`invalid ip-range ${ipRange}: CIDR block is bigger than its parent subnet ${fmt(subnet)}`);
  if (!r.masked) errs.push(`invalid ip-range ${ipRange}: it should be ${fmt(r.prefix)}`);
  const ov = subnet.family === 4 ? overlaps(subnet.p, r.prefix.p as Prefix4) : overlaps6(subnet.p, r.prefix.p as Prefix6);
  if (!ov) errs.push(`invalid ip-range ${ipRange}: parent subnet ${fmt(subnet)} doesn't contain ip-range`);
  return errs;
}

/**
 * moby's network.ValidateIPAM: every subnet, range, gateway and auxiliary address of the request, all errors at
 * once ("invalid network config:\n…", one line each). Throws InvalidArgumentError.
 */
export function validateIpamConfig(configs: readonly IpamConfigInput[]): void {
  const errs: string[] = [];
  for (const c of configs) {
    if (!c.Subnet) {
      if (c.IPRange || c.Gateway || Object.keys(c.AuxiliaryAddresses ?? {}).length > 0) errs.push('every ip-range or gateway must have a corresponding subnet');
      continue;
    }
    const s = parseAnyPrefix(c.Subnet);
    if (!s) {
      errs.push(`invalid subnet ${c.Subnet}: invalid CIDR block notation`);
      continue;
    }
    if (!s.masked) errs.push(`invalid subnet ${c.Subnet}: it should be ${fmt(s.prefix)}`);
    if (c.IPRange) errs.push(...rangeErrors(c.IPRange, s.prefix));
    if (c.Gateway) {
      const e = addrError(c.Gateway, s.prefix);
      if (e) errs.push(`invalid gateway ${c.Gateway}: ${e}`);
    }
    for (const [name, aux] of Object.entries(c.AuxiliaryAddresses ?? {})) {
      const e = addrError(aux, s.prefix);
      if (e) errs.push(`invalid auxiliary address ${name}: ${e}`);
    }
  }
  if (errs.length > 0) throw new InvalidArgumentError(`invalid network config:\n${errs.join('\n')}`);
}

/** The family of a config entry (by its subnet, else its gateway or range), 4 when it names none. */
export function configFamily(c: IpamConfigInput): 4 | 6 {
  const probe = c.Subnet || c.IPRange || c.Gateway || '';
  return probe.includes(':') ? 6 : 4;
}
