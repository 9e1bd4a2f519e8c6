import type { Ctx } from '../../common/ctx.ts';
import type { PortProto } from '../../domain/net/ports.ts';

/** One requested binding: a container port published on a host address and port (or a range to pick from). */
export interface PortRequest {
  proto: PortProto;
  containerPort: number;
  /** Host address: "0.0.0.0" = every IPv4 address, "::" = every IPv6 address (canonical IPv6 text). */
  hostIp: string;
  /** 0 = any port of the ephemeral range; with hostPortEnd > hostPortStart, any port of that range. */
  hostPortStart: number;
  hostPortEnd: number;
  /**
   * Index (in the same allocate call) of the request this one is the other address family of (`-p 80` published
   * on 0.0.0.0 and ::): a port picked from a range is then the twin's port when that is free here too, as dockerd.
   */
  twinOf?: number;
}

export interface PortAllocation {
  proto: PortProto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

/**
 * Host-port bookkeeping (dockerd's portallocator): which host ports are published, by whom. Allocations are
 * persisted, so a restarted daemon neither hands a port out twice nor forgets one in use. The mapping itself
 * (DNAT) is programmed by the network driver.
 */
export interface PortMapper {
  /**
   * Allocates every request for `owner` (all or none). ConflictError "Bind for 0.0.0.0:8080 failed: port is already
   * allocated" when another owner holds it; ConflictError "Error starting userland proxy: listen tcp4 …: bind:
   * address already in use" when a socket of the host listens there; UnavailableError when a range is exhausted.
   */
  allocate(ctx: Ctx, owner: string, reqs: readonly PortRequest[]): Promise<PortAllocation[]>;
  /** Releases everything `owner` holds. Idempotent. */
  release(ctx: Ctx, owner: string): Promise<void>;
  allocations(owner: string): PortAllocation[];
  /** Every owner holding ports (for reconciliation at daemon start). */
  owners(): string[];
}
