/** --network / --network-alias / --ip … → NetworkingConfig.EndpointsConfig, as docker's parseNetworkOpts builds it. */
import type { ContainerOptions } from './container-flags.ts';
import type { NetworkAttachment } from './network-opt.ts';
import { sorted } from './kv.ts';
import { validateMACAddress } from './validators.ts';

export class InvalidParameter extends Error {
  override name = 'InvalidParameter';
}

export function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

/** The IPAMConfig of an endpoint: only the addresses asked for. */
export function ipamConfig(v4: string | undefined, v6: string | undefined, linkLocal: readonly string[] | undefined): Record<string, unknown> {
  const ipam: Record<string, unknown> = {};
  if (v4) ipam.IPv4Address = v4;
  if (v6) ipam.IPv6Address = v6;
  if (linkLocal?.length) ipam.LinkLocalIPs = linkLocal;
  return ipam;
}

/** The fields of EndpointSettings the daemon fills in, sent zeroed (as the docker CLI's Go zero values). */
export const ENDPOINT_STATE = {
  NetworkID: '',
  EndpointID: '',
  Gateway: '',
  IPAddress: '',
  IPPrefixLen: 0,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  DNSNames: null,
} as const;

function endpointSettings(ep: NetworkAttachment): Record<string, unknown> {
  if (ep.Target.trim() === '') throw new Error('no name set for network');
  if (!isUserDefined(ep.Target)) {
    if (ep.Aliases?.length) throw new Error('network-scoped aliases are only supported for user-defined networks');
    if (ep.Links?.length) throw new Error('links are only supported for user-defined networks');
  }
  const requested = ipamConfig(ep.IPv4Address, ep.IPv6Address, ep.LinkLocalIPs);
  const ipam = Object.keys(requested).length > 0 ? requested : null;
  let mac = '';
  if (ep.MacAddress) {
    try {
      validateMACAddress(ep.MacAddress);
    } catch {
      throw new Error(`${ep.MacAddress} is not a valid mac address`);
    }
    mac = ep.MacAddress;
  }
  return {
    IPAMConfig: ipam,
    Links: ep.Links?.length ? ep.Links : null,
    Aliases: ep.Aliases?.length ? [...ep.Aliases] : null,
    MacAddress: mac,
    DriverOpts: ep.DriverOpts && Object.keys(ep.DriverOpts).length ? sorted(ep.DriverOpts) : null,
    GwPriority: ep.GwPriority ?? 0,
    ...ENDPOINT_STATE,
  };
}

function isEmptyEndpoint(e: Record<string, unknown>): boolean {
  return e.IPAMConfig === null && e.Links === null && e.Aliases === null && e.MacAddress === '' && e.DriverOpts === null && e.GwPriority === 0;
}

function applyContainerOptions(n: NetworkAttachment, o: ContainerOptions): NetworkAttachment {
  const out = { ...n };
  if (n.Aliases?.length && o.networkAlias.length) throw new InvalidParameter('conflicting options: cannot specify both --network-alias and per-network alias');
  if (n.Links?.length && o.link.length) throw new InvalidParameter('conflicting options: cannot specify both --link and per-network links');
  if (n.IPv4Address && o.ip) throw new InvalidParameter('conflicting options: cannot specify both --ip and per-network IPv4 address');
  if (n.IPv6Address && o.ip6) throw new InvalidParameter('conflicting options: cannot specify both --ip6 and per-network IPv6 address');
  if (n.MacAddress && o.macAddress) throw new InvalidParameter('conflicting options: cannot specify both --mac-address and per-network MAC address');
  if (n.LinkLocalIPs?.length && o.linkLocalIp.length) {
    throw new InvalidParameter('conflicting options: cannot specify both --link-local-ip and per-network link-local IP addresses');
  }
  if (o.networkAlias.length) out.Aliases = [...o.networkAlias];
  if (isUserDefined(n.Target) && o.link.length) out.Links = [...o.link];
  if (o.ip) out.IPv4Address = o.ip;
  if (o.ip6) out.IPv6Address = o.ip6;
  if (o.macAddress) out.MacAddress = o.macAddress;
  if (o.linkLocalIp.length) out.LinkLocalIPs = [...o.linkLocalIp];
  return out;
}

export function parseNetworkOpts(o: ContainerOptions): Record<string, Record<string, unknown>> {
  const endpoints: Record<string, Record<string, unknown>> = {};
  if (o.network.length === 0) {
    endpoints.default = endpointSettings(applyContainerOptions({ Target: 'default' }, o));
  }
  let userDefined = false;
  let nonUserDefined = false;
  o.network.forEach((n0, i) => {
    if (isUserDefined(n0.Target)) userDefined = true;
    else nonUserDefined = true;
    const n = i === 0 ? applyContainerOptions(n0, o) : n0;
    const ep = endpointSettings(n);
    if (n.Target in endpoints) throw new InvalidParameter(`network ${JSON.stringify(n.Target)} is specified multiple times`);
    if (i === 0 && o.network.length === 1 && isEmptyEndpoint(ep)) return;
    endpoints[n.Target] = ep;
  });
  if (userDefined && nonUserDefined) throw new InvalidParameter('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return sorted(endpoints);
}

