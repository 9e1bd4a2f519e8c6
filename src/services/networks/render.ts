import { shortId } from '../../common/ids.ts';
import { parsePortKey } from '../../domain/net/ports.ts';
import type { EndpointSettings, NetworkSettingsOut, PortMap } from './contract.ts';
import type { EndpointRecord, IpamConfigEntry, NetworkRecord, SandboxRecord } from './state.ts';

/** GET /networks/{id} and GET /networks items (Docker's NetworkResource, its key order). */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  /** IPAM.Config as the user gave it (a gateway the daemon chose for a user subnet is not shown). */
  IPAM: Omit<NetworkRecord['IPAM'], 'Config'> & { Config: (Omit<IpamConfigEntry, 'Gateway' | 'ImplicitGateway'> & { Gateway?: string })[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export function networkResource(n: NetworkRecord, sandboxes: Iterable<SandboxRecord>, withContainers: boolean): NetworkResource {
  const containers: NetworkResource['Containers'] = {};
  if (withContainers) {
    for (const sb of sandboxes) {
      if (!sb.attached) continue;
      for (const ep of sb.endpoints) {
        if (ep.networkId !== n.Id) continue;
        containers[sb.containerId] = {
          Name: sb.containerName,
          EndpointID: ep.id,
          MacAddress: ep.mac,
          IPv4Address: ep.ip ? `${ep.ip}/${ep.prefixLen}` : '',
          IPv6Address: ep.ipv6 ? `${ep.ipv6}/${ep.prefixLen6}` : '',
        };
      }
    }
  }
  return {
    Name: n.Name,
    Id: n.Id,
    Created: n.Created,
    Scope: 'local',
    Driver: n.Driver,
    EnableIPv6: !!n.EnableIPv6,
    IPAM: {
      ...structuredClone(n.IPAM),
      Config: n.IPAM.Config.map(({ ImplicitGateway, ...c }) => {
        if (!ImplicitGateway) return { ...c };
        const { Gateway: _g, ...shown } = c;
        return shown;
      }),
    },
    Internal: n.Internal,
    Attachable: n.Attachable,
    Ingress: false,
    ConfigFrom: { Network: n.ConfigFrom ?? '' },
    ConfigOnly: !!n.ConfigOnly,
    Containers: containers,
    Options: { ...n.Options },
    Labels: { ...n.Labels },
  };
}

/** Docker's DNSNames of an endpoint: container name, its aliases on the network, short id, hostname (no duplicates). */
export function dnsNamesOf(sb: SandboxRecord, ep: EndpointRecord): string[] {
  const names = [sb.containerName, ...(ep.config.Aliases ?? []), shortId(sb.containerId), sb.spec.hostname].filter((n) => !!n);
  return [...new Set(names)];
}

/** One entry of NetworkSettings.Networks. On user-defined networks the short container id is an alias. */
export function endpointSettings(ep: EndpointRecord, net: NetworkRecord, sb: SandboxRecord): EndpointSettings {
  const userDefined = !net.predefined;
  const aliases = ep.config.Aliases ?? null;
  return {
    IPAMConfig: ipamConfigOut(ep.config.IPAMConfig),
    Links: ep.config.Links ?? null,
    Aliases: userDefined ? [...(aliases ?? []), shortId(sb.containerId)] : aliases,
    MacAddress: ep.mac,
    DriverOpts: ep.config.DriverOpts ?? null,
    NetworkID: net.Id,
    EndpointID: ep.id,
    // an internal network gives its endpoints no gateway (moby 27's bridge driver sets none)
    Gateway: ep.ip && !net.Internal ? ep.gateway : '',
    IPAddress: ep.ip,
    IPPrefixLen: ep.prefixLen,
    IPv6Gateway: ep.ipv6 && !net.Internal ? (ep.gateway6 ?? '') : '',
    GlobalIPv6Address: ep.ipv6 ?? '',
    GlobalIPv6PrefixLen: ep.prefixLen6 ?? 0,
    DNSNames: userDefined ? dnsNamesOf(sb, ep) : null,
  };
}

/** The settings handed to the container service for a sandbox. */
export function settingsOut(sb: SandboxRecord, networks: ReadonlyMap<string, NetworkRecord>): NetworkSettingsOut {
  const nets: Record<string, EndpointSettings> = {};
  for (const ep of sb.endpoints) {
    const n = networks.get(ep.networkId);
    if (n) nets[n.Name] = endpointSettings(ep, n, sb);
  }
  // the ports belong to the gateway endpoint: a container only on internal networks has none (dockerd)
  const noGateway = sb.kind === 'new' && !sb.endpoints.some((e) => e.gatewayEndpoint);
  return {
    SandboxID: sb.id,
    Ports: noGateway ? {} : structuredClone(sb.portMap),
    Networks: nets,
    SandboxKey: sb.attached && sb.kind === 'new' ? `/proc/${sb.pid}/ns/net` : '',
    hosts: sb.hosts,
    resolvConf: sb.resolvConf,
    ...(sb.linkEnv && sb.linkEnv.length > 0 ? { linkEnv: [...sb.linkEnv] } : {}),
  };
}

/** EndpointSettings.IPAMConfig as Docker shows it: only the fields that are set (omitempty), null when none is. */
export function ipamConfigOut(c: EndpointSettings['IPAMConfig'] | undefined): EndpointSettings['IPAMConfig'] {
  if (!c) return null;
  const out: NonNullable<EndpointSettings['IPAMConfig']> = {};
  if (c.IPv4Address) out.IPv4Address = c.IPv4Address;
  if (c.IPv6Address) out.IPv6Address = c.IPv6Address;
  if (c.LinkLocalIPs && c.LinkLocalIPs.length > 0) out.LinkLocalIPs = [...c.LinkLocalIPs];
  return Object.keys(out).length > 0 ? out : null;
}

/** A configured network of a stopped container, as Docker shows it (ids and addresses empty). */
export function idleEndpointSettings(cfg: Partial<EndpointSettings>): EndpointSettings {
  return {
    IPAMConfig: cfg.IPAMConfig ?? null,
    Links: cfg.Links ?? null,
    Aliases: cfg.Aliases ?? null,
    MacAddress: cfg.MacAddress ?? '',
    DriverOpts: cfg.DriverOpts ?? null,
    NetworkID: cfg.NetworkID ?? '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/**
 * The full NetworkSettings object of container inspect (API 1.41 shape): the legacy top-level fields come from
 * the endpoint on the default "bridge" network. `out` is undefined for a container that is not running; then the
 * configured networks are shown idle.
 */
export function inspectNetworkSettings(
  out: NetworkSettingsOut | undefined,
  configured: Record<string, Partial<EndpointSettings>> = {},
  api?: { version: number; containerId: string },
): Record<string, unknown> {
  const networks: Record<string, EndpointSettings> = {};
  if (out) Object.assign(networks, out.Networks);
  else for (const [name, cfg] of Object.entries(configured)) networks[name === 'default' ? 'bridge' : name] = idleEndpointSettings(cfg);
  // API ≥ 1.45 (moby 26): the short id is in DNSNames only, no longer among the Aliases
  if (api && api.version >= 1.45) {
    const short = api.containerId.slice(0, 12);
    for (const [name, ep] of Object.entries(networks)) if (ep.Aliases?.includes(short)) networks[name] = { ...ep, Aliases: ep.Aliases.filter((a) => a !== short) };
  }
  const b = out?.Networks['bridge'];
  return {
    Bridge: '',
    SandboxID: out?.SandboxID ?? '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: out?.Ports ?? {},
    SandboxKey: out?.SandboxKey ?? '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: b?.EndpointID ?? '',
    Gateway: b?.Gateway ?? '',
    GlobalIPv6Address: b?.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: b?.GlobalIPv6PrefixLen ?? 0,
    IPAddress: b?.IPAddress ?? '',
    IPPrefixLen: b?.IPPrefixLen ?? 0,
    IPv6Gateway: b?.IPv6Gateway ?? '',
    MacAddress: b?.MacAddress ?? '',
    Networks: networks,
  };
}

/** GET /containers/json "Ports": one item per binding, plus exposed-only ports without IP/PublicPort. */
export function portsForList(ports: PortMap): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const { port, proto } = parsePortKey(key);
    if (!bindings || bindings.length === 0) {
      out.push({ PrivatePort: port, Type: proto });
      continue;
    }
    for (const b of bindings) out.push({ IP: b.HostIp || '0.0.0.0', PrivatePort: port, PublicPort: Number(b.HostPort), Type: proto });
  }
  return out;
}
