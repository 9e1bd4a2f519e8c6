import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import type { PortAllocation } from '../../drivers/portmapper/contract.ts';
import type { EndpointSettings, PortMap, SandboxSpec } from './contract.ts';

export interface IpamConfigEntry {
  Subnet: string;
  IPRange?: string;
  Gateway: string;
  AuxiliaryAddresses?: Record<string, string>;
  /**
   * The user gave the subnet but not the gateway: the daemon chose it, and inspect shows only what was given
   * (dockerd's IPAM.Config is the user's configuration; it shows a gateway only for networks it chose the subnet of).
   */
  ImplicitGateway?: boolean;
}

/** A network as persisted; the Docker-visible fields keep Docker's names. */
export interface NetworkRecord {
  Id: string;
  Name: string;
  Created: string;
  Driver: string;
  Internal: boolean;
  Attachable: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IpamConfigEntry[] };
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** bridge, host, none: created by the daemon, cannot be removed. */
  predefined: boolean;
  /** The subnet was given by the user (only then may endpoints ask for a fixed address). */
  ipamUserConfigured: boolean;
  /** IPAM pool id when the driver has addresses. */
  poolId?: string;
  /** IPv6 is enabled (`--ipv6`); its pool id. */
  EnableIPv6?: boolean;
  poolId6?: string;
  /** `--config-only`: holds configuration for other networks, no driver resources, no endpoints. */
  ConfigOnly?: boolean;
  /** `--config-from`: the name of the configuration network this one was made from. */
  ConfigFrom?: string;
}

export interface EndpointRecord {
  id: string;
  networkId: string;
  ifname: string;
  hostIfname: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  /** IPv6 address, prefix length and gateway on an IPv6 network ("" / 0 otherwise). */
  ipv6?: string;
  prefixLen6?: number;
  gateway6?: string;
  /** Carries the default route and the published ports. */
  gatewayEndpoint: boolean;
  /** What the container asked for on this network (EndpointsConfig entry). */
  config: Partial<EndpointSettings>;
}

/** A container's networking as persisted (libnetwork's Sandbox). */
export interface SandboxRecord {
  id: string;
  containerId: string;
  containerName: string;
  /** "new": own namespace; "host"; "container": joined another container's namespace. */
  kind: 'new' | 'host' | 'container';
  /** For kind "container": the container whose namespace is joined. */
  joined?: string;
  /** Endpoints in join order. */
  endpoints: EndpointRecord[];
  /** Host ports held for the gateway endpoint. */
  ports: PortAllocation[];
  /** The Ports map for inspect (exposed ports without binding → null). */
  portMap: PortMap;
  /** Host pid whose namespace is wired; 0 while only allocated. */
  pid: number;
  attached: boolean;
  hosts: string;
  resolvConf: string;
  spec: SandboxSpec;
  /** The container's resolv.conf points at the embedded DNS server (127.0.0.11). */
  embeddedDns?: boolean;
  /** External servers of the embedded DNS for this container (its --dns, the daemon's dns, or the host's). */
  dnsServers?: string[];
  /** Legacy links on the default bridge: their /etc/hosts lines and environment variables. */
  linkHosts?: { ip: string; hosts: string }[];
  linkEnv?: string[];
}

interface StateFile {
  version: 1;
  networks: NetworkRecord[];
  sandboxes: SandboxRecord[];
  /** Removed networks whose kernel objects may not be gone yet (see NetworkCore.removeInBackground). */
  removing?: NetworkRecord[];
}

/** The controller's persisted state: networks and sandboxes in one JSON file, written atomically. */
export class NetworkState {
  readonly #path: string;
  readonly networks = new Map<string, NetworkRecord>();
  readonly sandboxes = new Map<string, SandboxRecord>();
  /** Removed networks whose driver cleanup has not finished (kept in the file so a crash cannot orphan them). */
  readonly removing = new Map<string, NetworkRecord>();
  /** Bumped on every save: caches derived from the state (DNS records) compare it. */
  generation = 0;
  readonly #onSave: (() => void)[] = [];

  private constructor(path: string) {
    this.#path = path;
  }

  static async load(path: string): Promise<NetworkState> {
    const s = new NetworkState(path);
    const f = await readJson<StateFile>(path);
    for (const n of f?.networks ?? []) s.networks.set(n.Id, n);
    for (const sb of f?.sandboxes ?? []) s.sandboxes.set(sb.containerId, sb);
    for (const n of f?.removing ?? []) s.removing.set(n.Id, n);
    return s;
  }

  /** Calls `fn` at every save, when the generation changes. */
  onSave(fn: () => void): void {
    this.#onSave.push(fn);
  }

  async save(): Promise<void> {
    this.generation++;
    for (const fn of this.#onSave) fn();
    const f: StateFile = { version: 1, networks: [...this.networks.values()], sandboxes: [...this.sandboxes.values()] };
    if (this.removing.size > 0) f.removing = [...this.removing.values()];
    await writeJsonAtomic(this.#path, f);
  }

  /** Every endpoint of every sandbox on the network. */
  endpointsOn(networkId: string): { sandbox: SandboxRecord; ep: EndpointRecord }[] {
    const out: { sandbox: SandboxRecord; ep: EndpointRecord }[] = [];
    for (const sb of this.sandboxes.values()) for (const ep of sb.endpoints) if (ep.networkId === networkId) out.push({ sandbox: sb, ep });
    return out;
  }
}
