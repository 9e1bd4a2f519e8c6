import type { Ctx } from '../../common/ctx.ts';

/**
 * Kernel parameters of the daemon's network namespace (net.* keys are per network namespace: writing them from
 * the daemon changes only the namespace it runs in).
 */
export interface Sysctl {
  get(ctx: Ctx, key: string): Promise<string | undefined>;
  set(ctx: Ctx, key: string, value: string): Promise<void>;
}

/** "net.ipv4.conf.berth0.route_localnet" → "/proc/sys/net/ipv4/conf/berth0/route_localnet" */
export function sysctlPath(key: string, root = '/proc/sys'): string {
  // interface names may contain dots only in the conf.<ifname>. part; berth's names never do
  return `${root}/${key.split('.').join('/')}`;
}
