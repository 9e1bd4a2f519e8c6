import type { Ctx } from '../../common/ctx.ts';

/** Docker's EndpointSettings (inspect shape). */
export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

export type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

/** What the container service tells networking about a container (plain data). */
export interface SandboxSpec {
  containerId: string;
  containerName: string;
  hostname: string;
  /** HostConfig.NetworkMode: "default" | "bridge" | "none" | "host" | "container:<id>" | a network name/id. */
  networkMode: string;
  endpointsConfig: Record<string, Partial<EndpointSettings>>;
  /** Disconnected from the NetworkMode network (network disconnect): only `endpointsConfig` is joined. */
  modeDisconnected?: boolean;
  /** The id the NetworkMode network had at create: a start finds it by this id (dockerd names it so when gone). */
  modeNetworkId?: string;
  /** HostConfig.PortBindings, e.g. {"80/tcp":[{"HostIp":"","HostPort":"8080"}]} */
  portBindings: PortMap;
  publishAllPorts: boolean;
  /** Config.ExposedPorts merged with the image's, e.g. {"80/tcp":{}} */
  exposedPorts: Record<string, object>;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];
  /** Config.Domainname (the container's own /etc/hosts line is "fqdn hostname" with it). */
  domainname?: string;
  /** HostConfig.Links ("db:alias", "/db:/web/alias"): legacy links on the default bridge, aliases on user-defined networks. */
  links?: string[];
  /** Config.MacAddress (API < 1.44): the MAC of the container's endpoint on its NetworkMode network. */
  macAddress?: string;
}

/** What the container's OCI spec needs: which network namespace to use. */
export type NetnsChoice =
  | { kind: 'new' } // the runtime creates a fresh netns; networking is wired after create (attach)
  | { kind: 'host' } // no network namespace
  | { kind: 'path'; path: string }; // join an existing one (container:X)

export interface NetworkSettingsOut {
  /** 64-hex id of the container's network sandbox (NetworkSettings.SandboxID). */
  SandboxID: string;
  /** For NetworkSettings in inspect. */
  Ports: PortMap;
  Networks: Record<string, EndpointSettings>;
  SandboxKey: string;
  /** File contents to bind-mount into the container. */
  hosts: string;
  resolvConf: string;
  /**
   * Environment variables of legacy links (`--link db:alias` on the default bridge: ALIAS_PORT…, ALIAS_NAME,
   * ALIAS_ENV_…), to add to the container's process environment at create.
   */
  linkEnv?: string[];
}

/**
 * What the container service needs from networking (implemented by the CNM controller in src/services/networks).
 * Sequence on start: validate → netnsFor → (runtime create) → attach(pid) → (runtime start).
 * On stop/exit: detach. Every step is undone on failure; detach is idempotent.
 */
export interface NetworksForContainers {
  /**
   * Validates the sandbox spec at container create (bad port spec → 400, conflicting options → 400, a missing link
   * target → 400; a missing network or donor container fails the start instead, as on dockerd). Returns warnings
   * for the create response (e.g. "Published ports are discarded when using host network mode").
   */
  validate(ctx: Ctx, spec: SandboxSpec): Promise<string[]>;
  /** The id of a user-defined network, if there is one of that name or id (kept in the container's record). */
  networkIdOf(ref: string): string | undefined;
  /** Decides the netns for the OCI spec (container:X resolves X's pid via the callback given at construction). */
  netnsFor(ctx: Ctx, spec: SandboxSpec): Promise<NetnsChoice>;
  /**
   * Computes /etc/hosts and /etc/resolv.conf before the container is created (IPs and host ports are allocated
   * here; an earlier allocation of the same container is released first). Once allocate succeeded, `detach` must
   * be called to release (also when the runtime create or `attach` fails).
   */
  allocate(ctx: Ctx, spec: SandboxSpec): Promise<NetworkSettingsOut>;
  /**
   * Wires the container's netns (pid's) into its networks: veth, addresses, routes, port mappings (allocates
   * first if `allocate` was not called). On failure its kernel changes are undone; the allocation stays until
   * `detach`. Emits network "connect" events.
   */
  attach(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut>;
  /**
   * Releases everything of this container: IP leases, port mappings, nft elements, and the host ends of its veths
   * if the container's namespace still exists. Idempotent. Emits network "disconnect" events for attached ones.
   */
  detach(ctx: Ctx, containerId: string): Promise<void>;
  /**
   * After a daemon restart: re-registers a running container's endpoints (links and rules were restored with the
   * drivers at start); the embedded DNS server and the userland proxy get new sockets for it.
   */
  restore(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut | undefined>;
  /** The container was renamed: its endpoints take the new name (DNS records, network inspect). */
  renamed(ctx: Ctx, containerId: string, name: string): Promise<void>;
}

/** What networking needs to know about a container (given by the container service through ContainerHooks). */
export interface ContainerRef {
  id: string;
  /** Without the leading "/". */
  name: string;
  /** Host pid of the container's init while it runs (created or running), 0 otherwise. */
  pid: number;
  /** The container's current networking configuration. */
  spec: SandboxSpec;
  /** Config.Env of the container (for ALIAS_ENV_* of containers linking to it). */
  env?: string[];
}

/** Callbacks into the container service, given to the networks service at construction (no import cycle). */
export interface ContainerHooks {
  /** A container by id, name (with or without "/") or unique id prefix; undefined when there is none. */
  find(ctx: Ctx, ref: string): Promise<ContainerRef | undefined>;
  /**
   * After `network connect/disconnect`: the container's new EndpointsConfig (to persist in its config) and, for a
   * running container, its new settings (Networks for inspect; the /etc/hosts AND /etc/resolv.conf contents to
   * rewrite in place: a container joining its first user-defined network switches to the embedded DNS server).
   */
  networksChanged(ctx: Ctx, containerId: string, endpointsConfig: Record<string, Partial<EndpointSettings>>, settings?: NetworkSettingsOut, modeDisconnected?: boolean): Promise<void>;
}
