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
      if (rec.poolId6) await core.d.ipam.releasePool(ctx, rec.poolId6);
      core.state.networks.delete(rec.Id);
    }
    return;
  }
  if (!rec) {
    rec = predefinedRecord('bridge', 'bridge');
    core.state.networks.set(rec.Id, rec);
  }
  rec.Options = { ...cfg.options };
  const inUse = core.state.endpointsOn(rec.Id).length > 0;
  const want = cfg.bip ? parseBip(cfg.bip) : undefined;
  const aux = cfg.defaultGateway ? { DefaultGatewayIPv4: cfg.defaultGateway } : undefined;
  const pool = rec.poolId ? core.d.ipam.pool(rec.poolId) : undefined;
  const current = rec.IPAM.Config.find((c) => !c.Subnet.includes(':'));
  const differs =
    pool &&
    ((want && (pool.subnet !== want.subnet || pool.gateway !== want.gateway)) ||
      (pool.ipRange ?? '') !== (cfg.fixedCidr ?? '') ||
      (current?.AuxiliaryAddresses?.['DefaultGatewayIPv4'] ?? '') !== (cfg.defaultGateway ?? ''));
  let entry4 = current;
  if (!pool || (differs && !inUse)) {
    if (pool) await core.d.ipam.releasePool(ctx, pool.id);
    const ours = new Set(core.d.ipam.pools().map((p) => p.subnet));
    const routes = want ? [] : await core.d.ip.routes(ctx);
    const np = await core.d.ipam.requestPool(ctx, {
      owner: rec.Id,
      subnet: want?.subnet,
      gateway: want?.gateway,
      ipRange: cfg.fixedCidr,
      auxAddresses: aux,
      avoid: routes.filter((r) => r.dst !== 'default' && !ours.has(r.dst)).map((r) => r.dst),
    });
    rec.poolId = np.id;
    entry4 = { Subnet: np.subnet, Gateway: np.gateway, ...(np.ipRange ? { IPRange: np.ipRange } : {}), ...(aux ? { AuxiliaryAddresses: aux } : {}) };
  } else if (differs) {
    ctx.log.warn('bridge configuration changed but containers still use the network; keeping the old subnet', { subnet: pool.subnet });
  }
  // daemon ipv6 + fixed-cidr-v6: the default bridge is dual-stack (it cannot opt out, as in dockerd)
  let entry6 = rec.IPAM.Config.find((c) => c.Subnet.includes(':'));
  const pool6 = rec.poolId6 ? core.d.ipam.pool(rec.poolId6) : undefined;
  const want6 = cfg.ipv6 ? (cfg.fixedCidrV6 ?? '') : undefined;
  const aux6 = cfg.defaultGateway6 ? { DefaultGatewayIPv6: cfg.defaultGateway6 } : undefined;
  const differs6 = want6 === undefined ? !!pool6 : !pool6 || (want6 !== '' && pool6.subnet !== want6);
  if (differs6 && !inUse) {
    if (pool6) await core.d.ipam.releasePool(ctx, pool6.id);
    delete rec.poolId6;
    entry6 = undefined;
    rec.EnableIPv6 = false;
    if (want6 !== undefined) {
      const np6 = await core.d.ipam.requestPool(ctx, { owner: rec.Id, family: 6, subnet: want6 || undefined, auxAddresses: aux6 });
      rec.poolId6 = np6.id;
      rec.EnableIPv6 = true;
      entry6 = { Subnet: np6.subnet, Gateway: np6.gateway, ...(aux6 ? { AuxiliaryAddresses: aux6 } : {}) };
    }
  }
  rec.IPAM.Config = [entry4, entry6].filter((e): e is NonNullable<typeof e> => e !== undefined);
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
    // networks removed while their kernel objects were still being deleted when the daemon stopped
    for (const n of [...core.state.removing.values()]) {
      if (core.drivers.has(n.Driver)) await core.driverOf(n).deleteNetwork(ctx, core.netInfo(n));
      core.state.removing.delete(n.Id);
    }
    await ensureDefaultBridge(core, ctx);
    await reconcile(core, ctx);
    await core.state.save();
    await core.restoreDrivers(ctx);
  });
}
