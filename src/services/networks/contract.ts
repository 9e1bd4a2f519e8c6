import type { Ctx } from '../../common/ctx.ts';

/** Docker's EndpointSettings (inspect shape). */
export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string } | null;
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
  /** HostConfig.PortBindings, e.g. {"80/tcp":[{"HostIp":"","HostPort":"8080"}]} */
  portBindings: PortMap;
  publishAllPorts: boolean;
  /** Config.ExposedPorts merged with the image's, e.g. {"80/tcp":{}} */
  exposedPorts: Record<string, object>;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];
}

/** What the container's OCI spec needs: which network namespace to use. */
export type NetnsChoice =
  | { kind: 'new' } // the runtime creates a fresh netns; networking is wired after create (attach)
  | { kind: 'host' } // no network namespace
  | { kind: 'path'; path: string }; // join an existing one (container:X)

export interface NetworkSettingsOut {
  /** For NetworkSettings in inspect. */
  Ports: PortMap;
  Networks: Record<string, EndpointSettings>;
  SandboxKey: string;
  /** File contents to bind-mount into the container. */
  hosts: string;
  resolvConf: string;
}

/**
 * What the container service needs from networking (implemented by the CNM controller in src/services/networks).
 * Sequence on start: validate → netnsFor → (runtime create) → attach(pid) → (runtime start).
 * On stop/exit: detach. Every step is undone on failure; detach is idempotent.
 */
export interface NetworksForContainers {
  /** Validates the sandbox spec at container create (unknown network → 404, bad port spec → 400, …). */
  validate(ctx: Ctx, spec: SandboxSpec): Promise<void>;
  /** Decides the netns for the OCI spec (container:X resolves X's pid via the callback given at construction). */
  netnsFor(ctx: Ctx, spec: SandboxSpec): Promise<NetnsChoice>;
  /** Computes /etc/hosts and /etc/resolv.conf before the container is created (IPs are allocated here). */
  allocate(ctx: Ctx, spec: SandboxSpec): Promise<NetworkSettingsOut>;
  /** Wires the container's netns (pid's) into its networks: veth, addresses, routes, port mappings. */
  attach(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut>;
  /** Releases everything of this container: IP leases, port mappings, rules. Idempotent. */
  detach(ctx: Ctx, containerId: string): Promise<void>;
  /** After a daemon restart: re-registers a running container's endpoints (no kernel changes). */
  restore(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut | undefined>;
}
