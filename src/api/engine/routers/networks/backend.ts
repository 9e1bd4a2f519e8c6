import type { Ctx } from '../../../../common/ctx.ts';
import type { EndpointSettings } from '../../../../services/networks/contract.ts';
import type { NetworkCreateRequest } from '../../../../services/networks/networks-api.ts';
import type { NetworkResource } from '../../../../services/networks/render.ts';
import type { Filters } from '../../params.ts';

export type { NetworkCreateRequest, NetworkResource };

/** What the /networks routes need (implemented by NetworksService). */
export interface NetworksBackend {
  list(ctx: Ctx, filters: Filters): Promise<NetworkResource[]>;
  inspect(ctx: Ctx, ref: string, scope?: string): Promise<NetworkResource>;
  create(ctx: Ctx, req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }>;
  remove(ctx: Ctx, ref: string): Promise<void>;
  prune(ctx: Ctx, filters: Filters): Promise<{ NetworksDeleted: string[] | null }>;
  connect(ctx: Ctx, network: string, container: string, endpointConfig: Partial<EndpointSettings>): Promise<void>;
  disconnect(ctx: Ctx, network: string, container: string, force: boolean): Promise<void>;
}
