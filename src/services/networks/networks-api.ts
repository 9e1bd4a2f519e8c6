import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError, NotImplementedError } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { UndoStack } from '../../common/undo.ts';
import { isIPv4, isIPv6 } from '../../domain/net/ipv4.ts';
import type { NetworkInfo } from '../../drivers/network/contract.ts';
import type { NetworkCore } from './core.ts';
import { type Filters, filterNetworks, pruneFilter } from './filters.ts';
import { type NetworkResource, networkResource } from './render.ts';
import type { IpamConfigEntry, NetworkRecord } from './state.ts';

/** POST /networks/create body (Docker's NetworkCreateRequest; unknown fields ignored). */
export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network?: string } | null;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string> | null; Config?: Partial<IpamConfigEntry>[] | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

const NAME_RE = /^[\w]+[\w\-. ]*[\w]+$/;
const PREDEFINED_NAMES = ['bridge', 'host', 'none', 'default'];

/** Go's RFC3339Nano: nanosecond fraction without trailing zeros (the sub-millisecond part from the monotonic clock). */
export function nowRfc3339Nano(): string {
  const iso = new Date().toISOString();
  const frac = (iso.slice(20, 23) + (process.hrtime.bigint() % 1_000_000n).toString().padStart(6, '0')).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

export async function createNetwork(core: NetworkCore, ctx: Ctx, req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
  const name = req.Name ?? '';
  if (!NAME_RE.test(name)) throw new InvalidArgumentError(`${JSON.stringify(name)} includes invalid characters, resource name has to conform to "^[\\w]+[\\w-. ]*[\\w]+$"`);
  if (PREDEFINED_NAMES.includes(name)) throw new ForbiddenError(`operation is not permitted on predefined ${name} network `);
  const driverName = req.Driver || 'bridge';
  if (req.Scope && req.Scope !== 'local') throw new NotImplementedError(`network scope "${req.Scope}" is not supported by berth yet`);
  if (req.Ingress) throw new NotImplementedError('ingress networks need swarm mode, which berth does not support yet');
  if (req.ConfigOnly || req.ConfigFrom?.Network) throw new NotImplementedError('config-only networks are not supported by berth yet');
  if (req.EnableIPv6) throw new NotImplementedError('IPv6 networks are not supported by berth yet');
  const ipamDriver = req.IPAM?.Driver || 'default';
  if (ipamDriver !== 'default') throw new NotImplementedError(`IPAM driver "${ipamDriver}" is not supported by berth`);
  const configs = req.IPAM?.Config ?? [];
  for (const c of configs) {
    if (!c.Subnet && (c.Gateway || c.IPRange)) throw new InvalidArgumentError('every ip-range or gateway must have a corresponding subnet');
    for (const v of [c.Subnet, c.IPRange, c.Gateway]) {
      if (v && isIPv6(v.split('/')[0]!)) throw new NotImplementedError('IPv6 networks are not supported by berth yet');
    }
    if (c.Gateway && !isIPv4(c.Gateway)) throw new InvalidArgumentError(`invalid gateway address ${c.Gateway}`);
  }
  return core.lock(async () => {
    if ([...core.state.networks.values()].some((n) => n.Name === name)) throw new ConflictError(`network with name ${name} already exists`);
    const drv = core.drivers.get(driverName);
    if (!drv) throw new NotImplementedError(`network driver "${driverName}" is not supported by berth`);
    if (configs.length > 1) throw new InvalidArgumentError(`${driverName} driver does not support multiple subnets`);
    if (configs.length > 0 && !drv.capabilities.addresses) throw new InvalidArgumentError(`${driverName} driver does not support subnets`);
    const id = newId();
    const info: NetworkInfo = { id, name, subnet: '', gateway: '', internal: !!req.Internal, options: { ...(req.Options ?? {}) } };
    const sameDriver = [...core.state.networks.values()].filter((n) => n.Driver === driverName).map((n) => core.netInfo(n));
    info.options = drv.checkOptions(info, sameDriver);
    const undo = new UndoStack();
    try {
      const rec: NetworkRecord = {
        Id: id,
        Name: name,
        Created: nowRfc3339Nano(),
        Driver: driverName,
        Internal: !!req.Internal,
        Attachable: !!req.Attachable,
        IPAM: { Driver: 'default', Options: req.IPAM?.Options ?? {}, Config: [] },
        Options: { ...(req.Options ?? {}) },
        Labels: { ...(req.Labels ?? {}) },
        predefined: false,
        ipamUserConfigured: configs.length > 0,
      };
      if (drv.capabilities.addresses) {
        const c = configs[0] ?? {};
        const routes = c.Subnet ? [] : await core.d.ip.routes(ctx);
        const ours = new Set(core.d.ipam.pools().map((p) => p.subnet));
        const pool = await core.d.ipam.requestPool(ctx, {
          owner: id,
          subnet: c.Subnet,
          ipRange: c.IPRange,
          gateway: c.Gateway,
          auxAddresses: c.AuxiliaryAddresses,
          avoid: routes.filter((r) => r.dst !== 'default' && !ours.has(r.dst)).map((r) => r.dst),
        });
        undo.push('release pool', () => core.d.ipam.releasePool(ctx, pool.id));
        rec.poolId = pool.id;
        const entry: IpamConfigEntry = { Subnet: pool.subnet, Gateway: pool.gateway };
        if (pool.ipRange) entry.IPRange = pool.ipRange;
        if (c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length > 0) entry.AuxiliaryAddresses = { ...c.AuxiliaryAddresses };
        rec.IPAM.Config = [entry];
        info.subnet = pool.subnet;
        info.gateway = pool.gateway;
      }
      await drv.createNetwork(ctx, info);
      undo.push('delete network', () => drv.deleteNetwork(ctx, info));
      core.state.networks.set(id, rec);
      undo.push('forget network', () => core.state.networks.delete(id));
      await core.state.save();
      undo.commit();
      core.emit('create', rec);
      return { Id: id, Warning: '' };
    } catch (err) {
      await undo.unwind(ctx.log);
      throw err;
    }
  });
}

async function removeLocked(core: NetworkCore, ctx: Ctx, n: NetworkRecord): Promise<void> {
  if (n.predefined) throw new ForbiddenError(`${n.Name} is a pre-defined network and cannot be removed`);
  if (core.state.endpointsOn(n.Id).length > 0) throw new ForbiddenError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
  await core.driverOf(n).deleteNetwork(ctx, core.netInfo(n));
  if (n.poolId) await core.d.ipam.releasePool(ctx, n.poolId);
  core.state.networks.delete(n.Id);
  await core.state.save();
  core.emit('destroy', n);
}

export function removeNetwork(core: NetworkCore, ctx: Ctx, ref: string): Promise<void> {
  return core.lock(() => removeLocked(core, ctx, core.find(ref)));
}

export async function pruneNetworks(core: NetworkCore, ctx: Ctx, f: Filters): Promise<{ NetworksDeleted: string[] | null }> {
  const keep = pruneFilter(f);
  return core.lock(async () => {
    const deleted: string[] = [];
    const candidates = [...core.state.networks.values()].filter((n) => !n.predefined && keep(n) && core.state.endpointsOn(n.Id).length === 0);
    for (const n of candidates) {
      try {
        await removeLocked(core, ctx, n);
        deleted.push(n.Name);
      } catch (err) {
        ctx.log.warn('network prune: cannot remove network', { network: n.Name, error: String(err) });
      }
    }
    core.d.events.emit({ type: 'network', action: 'prune', id: '', attributes: { reclaimed: '0' } });
    return { NetworksDeleted: deleted.length > 0 ? deleted : null };
  });
}

export function listNetworks(core: NetworkCore, f: Filters): NetworkResource[] {
  const nets = [...core.state.networks.values()].sort((a, b) => a.Name.localeCompare(b.Name));
  const inUse = (n: NetworkRecord) => core.state.endpointsOn(n.Id).length > 0;
  return filterNetworks(nets, f, inUse).map((n) => networkResource(n, core.state.sandboxes.values(), false));
}

export function inspectNetwork(core: NetworkCore, ref: string, scope?: string): NetworkResource {
  const n = core.find(ref);
  if (scope && scope !== 'local') throw new NotFoundError(`network ${ref} not found`);
  return networkResource(n, core.state.sandboxes.values(), true);
}
