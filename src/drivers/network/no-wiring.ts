import type { Ctx } from '../../common/ctx.ts';
import { ForbiddenError } from '../../common/errors.ts';
import type { DriverCapabilities, JoinPlan, LeavePlan, NetworkDriver, NetworkInfo } from './contract.ts';

/**
 * A predefined, single-instance driver with nothing to wire: no links, no addresses, no published ports. `host`
 * (the daemon's namespace) and `null` (a new namespace with only its loopback) differ only in the namespace.
 */
export class NoWiringDriver implements NetworkDriver {
  readonly type: string;
  readonly capabilities: DriverCapabilities;
  constructor(type: string, netns: DriverCapabilities['netns']) {
    this.type = type;
    this.capabilities = { netns, addresses: false, portMapping: false, exclusive: true, dns: false };
  }
  checkOptions(_net: NetworkInfo, existing: readonly NetworkInfo[]): Record<string, string> {
    if (existing.length > 0) throw new ForbiddenError(`only one instance of "${this.type}" network is allowed`);
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
