import type { Ctx } from '../../common/ctx.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { formatIPv4, formatPrefix4, parseCidr4, usableRange } from '../../domain/net/ipv4.ts';
import type { NetworkCore } from './core.ts';
import { nowRfc3339Nano } from './networks-api.ts';
import type { NetworkRecord } from './state.ts';

/** dockerd --bip: "192.168.5.1/24" → gateway 192.168.5.1 on 192.168.5.0/24 (a network address gets .1). */
export function parseBip(bip: string): { subnet: string; gateway: string } {
  const c = parseCidr4(bip);
  if (!c) throw new InvalidArgumentError(`invalid bip: ${bip}`);
  const gw = c.ip === c.prefix.base ? usableRange(c.prefix).first : c.ip;
  return { subnet: formatPrefix4(c.prefix), gateway: formatIPv4(gw) };
}

function predefinedRecord(name: string, driver: string): NetworkRecord {
  return {
    Id: newId(),
    Name: name,
    Created: nowRfc3339Nano(),
    Driver: driver,
    Internal: false,
    Attachable: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Options: {},
    Labels: {},
    predefined: true,
    ipamUserConfigured: false,
  };
}

async function ensureDefaultBridge(core: NetworkCore, ctx: Ctx): Promise<void> {
  const cfg = core.d.defaultBridge;
  let rec = core.bridgeNetwork();
  if (!cfg || !core.drivers.has('bridge')) {
    // dockerd --bridge=none: no default network (kept while containers still use it)
    if (rec && core.state.endpointsOn(rec.Id).length === 0) {
      await core.driverOf(rec).deleteNetwork(ctx, core.netInfo(rec));
      if (rec.poolId) await core.d.ipam.releasePool(ctx, rec.poolId);
      core.state.networks.delete(rec.Id);
    }
    return;
  }
  const want = cfg.bip ? parseBip(cfg.bip) : undefined;
  if (!rec) {
    rec = predefinedRecord('bridge', 'bridge');
    core.state.networks.set(rec.Id, rec);
  }
  rec.Options = { ...cfg.options };
  const pool = rec.poolId ? core.d.ipam.pool(rec.poolId) : undefined;
  const differs = pool && ((want && (pool.subnet !== want.subnet || pool.gateway !== want.gateway)) || (pool.ipRange ?? '') !== (cfg.fixedCidr ?? ''));
  if (pool && differs) {
    if (core.state.endpointsOn(rec.Id).length > 0) {
      ctx.log.warn('bridge configuration changed but containers still use the network; keeping the old subnet', { subnet: pool.subnet });
      return;
    }
    await core.d.ipam.releasePool(ctx, pool.id);
  } else if (pool) {
    return;
  }
  const ours = new Set(core.d.ipam.pools().map((p) => p.subnet));
  const routes = want ? [] : await core.d.ip.routes(ctx);
  const np = await core.d.ipam.requestPool(ctx, {
    owner: rec.Id,
    subnet: want?.subnet,
    gateway: want?.gateway,
    ipRange: cfg.fixedCidr,
    avoid: routes.filter((r) => r.dst !== 'default' && !ours.has(r.dst)).map((r) => r.dst),
  });
  rec.poolId = np.id;
  rec.IPAM.Config = [{ Subnet: np.subnet, Gateway: np.gateway, ...(np.ipRange ? { IPRange: np.ipRange } : {}) }];
}

/** Drops leases and port allocations whose owners are gone (a crash between two writes). */
async function reconcile(core: NetworkCore, ctx: Ctx): Promise<void> {
  const epIds = new Set<string>();
  for (const sb of core.state.sandboxes.values()) for (const ep of sb.endpoints) epIds.add(ep.id);
  for (const pool of core.d.ipam.pools()) {
    if (!core.state.networks.has(pool.owner)) {
      await core.d.ipam.releasePool(ctx, pool.id);
      continue;
    }
    for (const l of core.d.ipam.leases(pool.id)) if (!epIds.has(l.owner)) await core.d.ipam.releaseAddress(ctx, pool.id, l.ip);
  }
  for (const owner of core.d.portMapper.owners()) if (!core.state.sandboxes.has(owner)) await core.d.portMapper.release(ctx, owner);
}

/**
 * Daemon start: predefined networks (none, host, bridge) with stable ids, state reconciliation, then every
 * driver brings the kernel in line with the state (bridges, sysctls, one atomic nft replace).
 */
export async function initNetworks(core: NetworkCore, ctx: Ctx): Promise<void> {
  await core.lock(async () => {
    for (const [name, driver] of [
      ['none', 'null'],
      ['host', 'host'],
    ] as const) {
      const have = [...core.state.networks.values()].some((n) => n.predefined && n.Name === name);
      if (!have && core.drivers.has(driver)) {
        const rec = predefinedRecord(name, driver);
        core.state.networks.set(rec.Id, rec);
      }
    }
    await ensureDefaultBridge(core, ctx);
    await reconcile(core, ctx);
    await core.state.save();
    await core.restoreDrivers(ctx);
  });
}
