import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError, UnavailableError } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { UndoStack } from '../../common/undo.ts';
import { configFamily, validateIpamConfig } from '../../domain/net/ipam-config.ts';
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

const NOT_SWARM = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** Checks the request fields that need no state (name, scope, IPAM syntax); returns the IPAM configs by family. */
function checkRequest(req: NetworkCreateRequest): { v4?: Partial<IpamConfigEntry>; v6?: Partial<IpamConfigEntry>; configs: Partial<IpamConfigEntry>[] } {
  const name = req.Name ?? '';
  if (!NAME_RE.test(name)) throw new InvalidArgumentError(`${JSON.stringify(name)} includes invalid characters, resource name has to conform to "^[\\w]+[\\w-. ]*[\\w]+$"`);
  if (PREDEFINED_NAMES.includes(name)) throw new ForbiddenError(`operation is not permitted on predefined ${name} network `);
  if (req.Scope && req.Scope !== 'local') {
    if (req.Scope === 'swarm' || req.Scope === 'global') throw new UnavailableError('cannot create a swarm scoped network when swarm is not active');
    throw new InvalidArgumentError(`invalid scope value: ${req.Scope}`);
  }
  if (req.Ingress) throw new UnavailableError(NOT_SWARM);
  if (req.ConfigOnly && req.ConfigFrom?.Network) throw new InvalidArgumentError('a configuration only network cannot depend on another configuration network');
  if (req.ConfigOnly && (req.Ingress || req.Internal || req.Attachable || req.Scope)) {
    throw new ForbiddenError('configuration network can only contain network specific fields. Network operator fields like [ ingress | internal | attachable | scope ] are not supported.');
  }
  const configs = req.IPAM?.Config ?? [];
  validateIpamConfig(configs);
  const v4s = configs.filter((c) => configFamily(c) === 4);
  const v6s = configs.filter((c) => configFamily(c) === 6);
  if (v4s.length > 1 || v6s.length > 1) throw new ForbiddenError(`${req.Driver || 'bridge'} driver doesn't support multiple subnets`);
  return { v4: v4s[0], v6: v6s[0], configs };
}

/** Applies `--config-from`: the request takes the configuration network's IPAM, options and IPv6 setting. */
function applyConfigFrom(core: NetworkCore, req: NetworkCreateRequest): NetworkCreateRequest {
  const from = req.ConfigFrom?.Network;
  if (!from) return req;
  // dockerd's order and words (libnetwork's validateConfigFrom)
  const userConfig =
    (req.IPAM?.Config?.length ?? 0) > 0 || Object.keys(req.IPAM?.Options ?? {}).length > 0 || (req.IPAM?.Driver ?? 'default') !== 'default' || Object.keys(req.Labels ?? {}).length > 0 || !!req.EnableIPv6;
  if (userConfig) throw new ForbiddenError('user specified configurations are not supported if the network depends on a configuration network');
  if (Object.keys(req.Options ?? {}).length > 0) throw new ForbiddenError('network driver options are not supported if the network depends on a configuration network');
  const cfg = core.tryFind(from);
  if (!cfg?.ConfigOnly) throw new NotFoundError(`configuration network "${from}" does not exist`);
  return {
    ...req,
    EnableIPv6: cfg.EnableIPv6,
    IPAM: { Driver: cfg.IPAM.Driver, Options: cfg.IPAM.Options, Config: structuredClone(cfg.IPAM.Config) },
    Options: { ...cfg.Options },
    Labels: { ...cfg.Labels },
  };
}

function configEntry(c: Partial<IpamConfigEntry>, pool: { subnet: string; gateway: string; ipRange?: string }, family: 4 | 6): IpamConfigEntry {
  const entry: IpamConfigEntry = { Subnet: pool.subnet, Gateway: pool.gateway };
  if (c.Subnet && !c.Gateway) entry.ImplicitGateway = true;
  if (pool.ipRange) entry.IPRange = pool.ipRange;
  const aux = Object.entries(c.AuxiliaryAddresses ?? {}).filter(([, ip]) => (ip.includes(':') ? 6 : 4) === family);
  if (aux.length > 0) entry.AuxiliaryAddresses = Object.fromEntries(aux);
  return entry;
}

export async function createNetwork(core: NetworkCore, ctx: Ctx, request: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
  const first = checkRequest(request);
  const name = request.Name;
  const ipamDriver = request.IPAM?.Driver || 'default';
  if (ipamDriver !== 'default' && ipamDriver !== 'null') throw new NotFoundError(`plugin "${ipamDriver}" not found`);
  return core.lock(async () => {
    if ([...core.state.networks.values()].some((n) => n.Name === name)) throw new ConflictError(`network with name ${name} already exists`);
    const req = applyConfigFrom(core, request);
    const { v4, v6 } = req === request ? first : checkRequest(req);
    const id = newId();
    const rec: NetworkRecord = {
      Id: id,
      Name: name,
      Created: nowRfc3339Nano(),
      Driver: req.ConfigOnly ? 'null' : req.Driver || 'bridge',
      Internal: !!req.Internal,
      Attachable: !!req.Attachable,
      IPAM: { Driver: ipamDriver, Options: req.IPAM?.Options ?? {}, Config: [] },
      Options: { ...(req.Options ?? {}) },
      Labels: { ...(req.Labels ?? {}) },
      predefined: false,
      ipamUserConfigured: !!(v4?.Subnet || v6?.Subnet),
      EnableIPv6: !!req.EnableIPv6,
    };
    if (req.ConfigFrom?.Network) rec.ConfigFrom = core.find(req.ConfigFrom.Network).Name;
    if (req.ConfigOnly) {
      // configuration only: kept as given, no pool, no driver resources
      rec.ConfigOnly = true;
      rec.IPAM.Config = (req.IPAM?.Config ?? []).map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== '')) as unknown as IpamConfigEntry);
      core.state.networks.set(id, rec);
      await core.state.save();
      core.emit('create', rec);
      return { Id: id, Warning: '' };
    }
    const drv = core.drivers.get(rec.Driver);
    if (!drv && rec.Driver === 'overlay') throw new UnavailableError(NOT_SWARM);
    if (!drv) throw new NotFoundError(`plugin "${rec.Driver}" not found`);
    // host and null exist once (the predefined networks): dockerd says so before looking at anything else
    if (drv.capabilities.exclusive && [...core.state.networks.values()].some((n) => n.Driver === rec.Driver && !n.ConfigOnly)) {
      throw new ForbiddenError(`only one instance of "${rec.Driver}" network is allowed`);
    }
    if ((v4 || v6) && !drv.capabilities.addresses) throw new InvalidArgumentError(`${rec.Driver} driver does not support subnets`);
    if (ipamDriver === 'null' && (v4?.Subnet || v6?.Subnet)) throw new InvalidArgumentError('null ipam driver does not handle specific address pool requests');
    if (ipamDriver === 'null' && drv.capabilities.addresses && drv.capabilities.portMapping) throw new InvalidArgumentError('ipv4 pool is empty');
    const sameDriver = [...core.state.networks.values()].filter((n) => n.Driver === rec.Driver && !n.ConfigOnly).map((n) => core.netInfo(n));
    const undo = new UndoStack();
    try {
      // a network being removed may still hold its subnet's route or its bridge's name
      await core.settle();
      if (drv.capabilities.addresses && ipamDriver === 'default') {
        const c = v4 ?? {};
        const routes = c.Subnet ? [] : await core.d.ip.routes(ctx);
        const pool = await core.d.ipam.requestPool(ctx, {
          owner: id,
          subnet: c.Subnet,
          ipRange: c.IPRange,
          gateway: c.Gateway,
          auxAddresses: c.AuxiliaryAddresses,
          avoid: routes.filter((r) => r.dst !== 'default').map((r) => r.dst),
        });
        undo.push('release pool', () => core.d.ipam.releasePool(ctx, pool.id));
        rec.poolId = pool.id;
        rec.IPAM.Config.push(configEntry(c, pool, 4));
        if (rec.EnableIPv6) {
          const c6 = v6 ?? {};
          const pool6 = await core.d.ipam.requestPool(ctx, { owner: id, family: 6, subnet: c6.Subnet, ipRange: c6.IPRange, gateway: c6.Gateway, auxAddresses: c6.AuxiliaryAddresses });
          undo.push('release pool', () => core.d.ipam.releasePool(ctx, pool6.id));
          rec.poolId6 = pool6.id;
          rec.IPAM.Config.push(configEntry(c6, pool6, 6));
        } else if (v6?.Subnet) {
          // an IPv6 subnet without --ipv6: kept as given (dockerd), unused until IPv6 is enabled
          rec.IPAM.Config.push(Object.fromEntries(Object.entries(v6).filter(([, x]) => x !== undefined && x !== '')) as unknown as IpamConfigEntry);
        }
      }
      const info = core.netInfo(rec);
      rec.Options = drv.checkOptions(info, sameDriver);
      info.options = { ...rec.Options };
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
  if (n.ConfigOnly) {
    const user = [...core.state.networks.values()].find((o) => o.ConfigFrom === n.Name);
    if (user) throw new ForbiddenError(`error while removing network: configuration network "${n.Name}" is in use`);
  }
  core.state.networks.delete(n.Id);
  if (!n.ConfigOnly) core.removeInBackground(ctx, n);
  // two files, written at the same time
  await Promise.all([
    n.poolId ? core.d.ipam.releasePool(ctx, n.poolId) : undefined,
    n.poolId6 ? core.d.ipam.releasePool(ctx, n.poolId6) : undefined,
    core.state.save(),
  ]);
  core.emit('destroy', n);
}

export function removeNetwork(core: NetworkCore, ctx: Ctx, ref: string): Promise<void> {
  return core.lock(() => removeLocked(core, ctx, core.find(ref)));
}

export async function pruneNetworks(core: NetworkCore, ctx: Ctx, f: Filters): Promise<{ NetworksDeleted: string[] | null }> {
  const keep = pruneFilter(f);
  return core.lock(async () => {
    const deleted: string[] = [];
    // configuration-only networks are never pruned (they hold no endpoints by design; moby's localNetworksPrune)
    const candidates = [...core.state.networks.values()].filter((n) => !n.predefined && !n.ConfigOnly && keep(n) && core.state.endpointsOn(n.Id).length === 0);
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
