import type { Ctx } from '../../common/ctx.ts';
import type { BindingPolicy } from '../../domain/net/host-bindings.ts';
import type { LinkRule } from '../../domain/net/links.ts';
import type { IpCmd } from '../../system/iproute/port.ts';
import type { NftOp, NftTable } from '../../system/nftables/port.ts';
import type { PortAllocation } from '../portmapper/contract.ts';
import type { ProxyTarget } from '../portmapper/proxy.ts';

/**
 * Network drivers (libnetwork's driverapi, reduced to what a local engine needs). A driver receives plain data,
 * never a service object. Kernel work for container joins is returned as PLANS (iproute2 commands for the daemon's
 * namespace and for the container's, nftables ops) so that the controller can run the plans of every network of
 * a container as one `ip -batch` per namespace and one `nft -f` transaction, and undo them on failure.
 */
export interface NetworkInfo {
  id: string;
  name: string;
  /** IPv4 subnet ("172.17.0.0/16") and gateway of the network ("" when the driver has no addresses). */
  subnet: string;
  gateway: string;
  /** IPv6 subnet and gateway ("" when IPv6 is off). */
  subnet6: string;
  gateway6: string;
  internal: boolean;
  /** Driver options as given at creation (com.docker.network.bridge.* …). */
  options: Record<string, string>;
}

export interface EndpointInfo {
  id: string;
  networkId: string;
  /** Interface name inside the container (eth0, eth1 …). */
  ifname: string;
  /** Interface name in the daemon's namespace (the host end of the veth). */
  hostIfname: string;
  /** IPv4 address and prefix length ("" / 0 without addresses). */
  ip: string;
  prefixLen: number;
  gateway: string;
  /** IPv6 address, prefix length and gateway ("" / 0 without IPv6). */
  ipv6: string;
  prefixLen6: number;
  gateway6: string;
  mac: string;
  /** This endpoint carries the container's default route (and its published ports). */
  defaultRoute: boolean;
  /** Published ports to program on this endpoint (empty unless it is the sandbox's gateway endpoint). */
  ports: readonly PortAllocation[];
  /** `--link-local-ip` addresses with their prefix ("169.254.1.1/16", "fe80::5/64"), added to the interface. */
  linkLocal?: readonly string[];
  /**
   * Legacy links this endpoint takes part in, as parent or child, with the other side running on the same network
   * (the default bridge): exceptions to `enable_icc=false`. Computed from the current state at each plan, so a
   * join and the matching leave see the same rules as long as the peers did not change in between.
   */
  links?: readonly LinkRule[];
}

/** nftables ops on one table; the controller merges the ops of every endpoint into one transaction per table. */
export interface NftPlan {
  table: NftTable;
  ops: NftOp[];
}

export interface JoinPlan {
  /** Commands in the daemon's namespace (run first). */
  host: IpCmd[];
  /** Commands inside the container's namespace (run after `host`). */
  container: IpCmd[];
  /** nftables ops (applied last). */
  nft: NftPlan[];
  /** Published ports the daemon's userland proxy serves (no kernel DNAT for them, or not for every source). */
  proxy?: ProxyTarget[];
}

export interface LeavePlan {
  /** Best-effort commands in the daemon's namespace (run with -force: the link may already be gone). */
  host: IpCmd[];
  /** Best-effort commands inside the container's namespace when it still exists (links that live only there). */
  container?: IpCmd[];
  nft: NftPlan[];
}

export interface DriverCapabilities {
  /** "new": containers get their own namespace, wired after the runtime created it; "host": the daemon's. */
  netns: 'new' | 'host';
  /** Endpoints get addresses from IPAM (and a pool is allocated per network). */
  addresses: boolean;
  /** Published ports can be programmed on endpoints of this driver. */
  portMapping: boolean;
  /** A container on such a network joins no other network, and only one network of this driver exists (host, null). */
  exclusive: boolean;
  /** Containers on user-defined networks of this driver find each other by name (embedded DNS). */
  dns: boolean;
}

export interface NetworkDriver {
  /** The driver's name as in the API ("bridge", "host", "null"). */
  readonly type: string;
  readonly capabilities: DriverCapabilities;
  /**
   * Validates driver options at `network create` (InvalidArgumentError / NotImplementedError with the user's
   * option in the message); returns the options to store (defaults filled in).
   */
  checkOptions(net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string>;
  /** Creates the network's kernel objects. Idempotent; a failure leaves nothing behind. */
  createNetwork(ctx: Ctx, net: NetworkInfo): Promise<void>;
  /** Removes them. Idempotent. */
  deleteNetwork(ctx: Ctx, net: NetworkInfo): Promise<void>;
  /**
   * At daemon start, before anything else: makes the kernel match the networks and the programmed endpoints berth
   * knows of (objects created when missing, rules replaced atomically). Also used to resynchronise after an
   * unexpected failure.
   */
  restore(ctx: Ctx, nets: readonly NetworkInfo[], endpoints: readonly EndpointInfo[]): Promise<void>;
  /** The host address of published ports when the binding names none ("0.0.0.0" unless configured). */
  defaultHostIp(net: NetworkInfo): string;
  /**
   * How bindings that name no host address are published on this network (dockerd 20.10+: on 0.0.0.0 and on ::)
   * and whether IPv6 host addresses can reach a container without IPv6. Without it: `defaultHostIp` only.
   */
  bindingPolicy?(ctx: Ctx, net: NetworkInfo): Promise<BindingPolicy>;
  /** The kernel work that joins an endpoint to the container whose init has host pid `pid`. Pure. */
  planJoin(net: NetworkInfo, ep: EndpointInfo, pid: number): JoinPlan;
  /** The kernel work that undoes a programmed join. Pure. */
  planLeave(net: NetworkInfo, ep: EndpointInfo): LeavePlan;
}
