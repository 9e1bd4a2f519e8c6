import type { Ctx } from '../../../common/ctx.ts';
import { ForbiddenError } from '../../../common/errors.ts';
import type { DriverCapabilities, JoinPlan, LeavePlan, NetworkDriver, NetworkInfo } from '../contract.ts';

/** The `host` driver: containers use the daemon's network namespace; nothing to wire, nothing to publish. */
export class HostDriver implements NetworkDriver {
  readonly type = 'host';
  readonly capabilities: DriverCapabilities = { netns: 'host', addresses: false, portMapping: false, exclusive: true, dns: false };
  checkOptions(_net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string> {
    if (existing.length > 0) throw new ForbiddenError('only one instance of "host" network is allowed');
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
