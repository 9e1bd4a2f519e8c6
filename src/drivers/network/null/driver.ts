import type { Ctx } from '../../../common/ctx.ts';
import { ForbiddenError } from '../../../common/errors.ts';
import type { DriverCapabilities, JoinPlan, LeavePlan, NetworkDriver, NetworkInfo } from '../contract.ts';

/**
 * The `null` driver (network "none"): the container gets its own namespace with only its loopback interface,
 * which the controller brings up as it does for every new namespace.
 */
export class NullDriver implements NetworkDriver {
  readonly type = 'null';
  readonly capabilities: DriverCapabilities = { netns: 'new', addresses: false, portMapping: false, exclusive: true, dns: false };
  checkOptions(_net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string> {
    if (existing.length > 0) throw new ForbiddenError('only one instance of "null" network is allowed');
    return {};
  }
  async createNetwork(_ctx: Ctx, _net: NetworkInfo): Promise<void> {}
  async deleteNetwork(_ctx: Ctx, _net: NetworkInfo): Promise<void> {}
  async restore(): Promise<void> {}
  defaultHostIp(): string {
    return '0.0.0.0';
  }
  planJoin(): JoinPlan {
    return { host: [], container: [], nft: [] };
  }
  planLeave(): LeavePlan {
    return { host: [], nft: [] };
  }
}
