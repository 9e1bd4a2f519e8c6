import { InvalidArgumentError } from '../../../../common/errors.ts';
import type { EndpointSettings } from '../../../../services/networks/contract.ts';
import type { NetworkCreateRequest } from './backend.ts';

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentError(`invalid JSON: field ${field} must be a string`);
  return v;
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`invalid JSON: field ${field} must be a boolean`);
  return v;
}

function strMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`invalid JSON: field ${field} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'string') throw new InvalidArgumentError(`invalid JSON: field ${field}.${k} must be a string`);
    out[k] = x;
  }
  return out;
}

function strList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidArgumentError(`invalid JSON: field ${field} must be a list of strings`);
  return v as string[];
}

/** POST /networks/create body → request (unknown fields ignored, wrong types refused with 400). */
export function toCreateRequest(b: Record<string, unknown>): NetworkCreateRequest {
  const ipam = b.IPAM as Record<string, unknown> | null | undefined;
  if (ipam !== undefined && ipam !== null && (typeof ipam !== 'object' || Array.isArray(ipam))) throw new InvalidArgumentError('invalid JSON: field IPAM must be an object');
  const cfg = ipam?.Config;
  if (cfg !== undefined && cfg !== null && !Array.isArray(cfg)) throw new InvalidArgumentError('invalid JSON: field IPAM.Config must be a list');
  const configFrom = b.ConfigFrom as Record<string, unknown> | null | undefined;
  return {
    Name: str(b.Name, 'Name') ?? '',
    Driver: str(b.Driver, 'Driver'),
    Scope: str(b.Scope, 'Scope'),
    Internal: bool(b.Internal, 'Internal'),
    Attachable: bool(b.Attachable, 'Attachable'),
    Ingress: bool(b.Ingress, 'Ingress'),
    ConfigOnly: bool(b.ConfigOnly, 'ConfigOnly'),
    ConfigFrom: configFrom ? { Network: str(configFrom.Network, 'ConfigFrom.Network') } : null,
    EnableIPv6: bool(b.EnableIPv6, 'EnableIPv6'),
    IPAM: ipam
      ? {
          Driver: str(ipam.Driver, 'IPAM.Driver'),
          Options: strMap(ipam.Options, 'IPAM.Options') ?? null,
          Config: ((cfg as Record<string, unknown>[] | null | undefined) ?? []).map((c, i) => ({
            Subnet: str(c?.Subnet, `IPAM.Config[${i}].Subnet`),
            IPRange: str(c?.IPRange, `IPAM.Config[${i}].IPRange`),
            Gateway: str(c?.Gateway, `IPAM.Config[${i}].Gateway`),
            AuxiliaryAddresses: strMap(c?.AuxiliaryAddresses ?? c?.AuxAddress, `IPAM.Config[${i}].AuxiliaryAddresses`),
          })),
        }
      : null,
    Options: strMap(b.Options, 'Options') ?? null,
    Labels: strMap(b.Labels, 'Labels') ?? null,
  };
}

/** EndpointConfig of connect → the fields networking uses. */
export function toEndpointConfig(v: unknown): Partial<EndpointSettings> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError('invalid JSON: field EndpointConfig must be an object');
  const e = v as Record<string, unknown>;
  const out: Partial<EndpointSettings> = {};
  const ipam = e.IPAMConfig as Record<string, unknown> | null | undefined;
  if (ipam && typeof ipam === 'object') {
    const v4 = str(ipam.IPv4Address, 'IPAMConfig.IPv4Address');
    const v6 = str(ipam.IPv6Address, 'IPAMConfig.IPv6Address');
    const ll = strList(ipam.LinkLocalIPs, 'IPAMConfig.LinkLocalIPs');
    if (v4 || v6 || (ll && ll.length > 0)) {
      out.IPAMConfig = { ...(v4 ? { IPv4Address: v4 } : {}), ...(v6 ? { IPv6Address: v6 } : {}), ...(ll && ll.length > 0 ? { LinkLocalIPs: ll } : {}) };
    }
  }
  const aliases = strList(e.Aliases, 'Aliases');
  if (aliases && aliases.length > 0) out.Aliases = aliases;
  const links = strList(e.Links, 'Links');
  if (links && links.length > 0) out.Links = links;
  const mac = str(e.MacAddress, 'MacAddress');
  if (mac) out.MacAddress = mac;
  const opts = strMap(e.DriverOpts, 'DriverOpts');
  if (opts && Object.keys(opts).length > 0) out.DriverOpts = opts;
  return out;
}
