import type { Ctx } from '../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, NotFoundError } from '../../common/errors.ts';
import type { EndpointSettings, NetworkSettingsOut, SandboxSpec } from './contract.ts';
import type { NetworkCore } from './core.ts';
import * as M from './messages.ts';
import { settingsOut } from './render.ts';
import type { Sandboxes } from './sandboxes.ts';
import type { NetworkRecord } from './state.ts';
import { modeNetworkOf } from './validation.ts';

/**
 * Ids of the networks a container is configured for (NetworkMode unless disconnected from it, and EndpointsConfig),
 * unknown ones skipped.
 */
function configuredIds(core: NetworkCore, spec: SandboxSpec): Set<string> {
  const ids = new Set<string>();
  const mode = spec.modeDisconnected ? undefined : modeNetworkOf(core, spec);
  if (mode) ids.add(mode.Id);
  for (const k of Object.keys(spec.endpointsConfig ?? {})) {
    const n = core.tryFind(k === 'default' ? 'bridge' : k);
    if (n) ids.add(n.Id);
  }
  return ids;
}

function withoutNetwork(core: NetworkCore, cfg: Record<string, Partial<EndpointSettings>>, net: NetworkRecord): Record<string, Partial<EndpointSettings>> {
  return Object.fromEntries(Object.entries(cfg).filter(([k]) => core.tryFind(k === 'default' ? 'bridge' : k)?.Id !== net.Id));
}

function exclusiveError(core: NetworkCore, n: NetworkRecord): InvalidArgumentError | undefined {
  const caps = core.driverOf(n).capabilities;
  if (!caps.exclusive) return undefined;
  return new InvalidArgumentError(caps.netns === 'host' ? M.ERR_CONFLICT_HOST_NETWORK : M.ERR_CONFLICT_NO_NETWORK);
}

/** POST /networks/{id}/connect: a running container gets a new interface at once; a stopped one at its next start. */
export async function connectContainer(core: NetworkCore, sbx: Sandboxes, ctx: Ctx, netRef: string, ctrRef: string, cfg: Partial<EndpointSettings>): Promise<void> {
  const c = await core.d.containers.find(ctx, ctrRef);
  if (!c) throw new NotFoundError(`No such container: ${ctrRef}`);
  const result = await core.lock(async () => {
    const net = core.find(netRef);
    if (net.ConfigOnly) throw new ForbiddenError('cannot create endpoint on configuration-only network');
    const mode = c.spec.networkMode || 'default';
    if (mode.startsWith('container:')) throw new InvalidArgumentError(M.ERR_CONFLICT_SHARED_NETWORK);
    const primary = modeNetworkOf(core, c.spec);
    // a container disconnected from its NetworkMode network (none, say) is no longer held by it
    const holder = c.spec.modeDisconnected ? undefined : primary;
    // a container on the host's network shares a namespace: dockerd's "sharing" error, not the host one
    if (holder && core.driverOf(holder).capabilities.netns === 'host') throw new InvalidArgumentError(M.ERR_CONFLICT_SHARED_NETWORK);
    const bad = (holder && exclusiveError(core, holder)) || exclusiveError(core, net);
    if (bad) throw bad;
    sbx.checkEndpointConfig(net, cfg);
    const sb = core.state.sandboxes.get(c.id);
    const attached = c.pid > 0 && sb?.attached && sb.kind === 'new';
    if (configuredIds(core, c.spec).has(net.Id) || sb?.endpoints.some((e) => e.networkId === net.Id)) {
      // a stopped container keeps the settings it was first connected with (moby ≥ 25: no duplicate config)
      if (!attached) return { endpointsConfig: c.spec.endpointsConfig ?? {}, settings: undefined, modeDisconnected: undefined };
      throw new ForbiddenError(`endpoint with name ${c.name} already exists in network ${net.Name}`);
    }
    const endpointsConfig = { ...(c.spec.endpointsConfig ?? {}), [net.Name]: { ...cfg, NetworkID: net.Id } };
    let settings: NetworkSettingsOut | undefined;
    if (attached && sb) {
      await sbx.addEndpointLocked(ctx, sb, net, cfg);
      sb.spec.endpointsConfig = endpointsConfig;
      await core.state.save();
      core.emit('connect', net, c.id);
      settings = settingsOut(sb, core.state.networks);
    }
    // joining the NetworkMode network again after a disconnect from it
    const modeDisconnected = c.spec.modeDisconnected && primary?.Id === net.Id ? false : undefined;
    if (sb && modeDisconnected === false) delete sb.spec.modeDisconnected;
    return { endpointsConfig, settings, modeDisconnected };
  });
  await core.d.containers.networksChanged(ctx, c.id, result.endpointsConfig, result.settings, result.modeDisconnected);
}

/** POST /networks/{id}/disconnect. With `force`, endpoints of containers that no longer exist are removed too. */
export async function disconnectContainer(core: NetworkCore, sbx: Sandboxes, ctx: Ctx, netRef: string, ctrRef: string, force: boolean): Promise<void> {
  const c = await core.d.containers.find(ctx, ctrRef);
  const result = await core.lock(async () => {
    const net = core.find(netRef);
    if (!c) {
      if (!force) throw new NotFoundError(`No such container: ${ctrRef}`);
      let found = false;
      for (const sb of [...core.state.sandboxes.values()]) {
        if (sb.containerId !== ctrRef && sb.containerName !== ctrRef.replace(/^\//, '') && !(ctrRef.length >= 3 && sb.containerId.startsWith(ctrRef))) continue;
        const ep = sb.endpoints.find((e) => e.networkId === net.Id);
        if (!ep) continue;
        found = true;
        if (sb.endpoints.length === 1) await sbx.releaseLocked(ctx, sb);
        else await sbx.removeEndpointLocked(ctx, sb, ep);
      }
      if (!found) throw new NotFoundError(`endpoint ${ctrRef} not found`);
      return undefined;
    }
    const caps = core.driverOf(net).capabilities;
    if (caps.exclusive && caps.netns === 'host' && c.pid > 0) throw new InvalidArgumentError(M.ERR_CONFLICT_HOST_NETWORK);
    const sb = core.state.sandboxes.get(c.id);
    const ep = sb?.endpoints.find((e) => e.networkId === net.Id);
    if (!ep && !configuredIds(core, c.spec).has(net.Id)) {
      // dockerd's two wordings: a running container's endpoints, a stopped one's configuration
      throw new ForbiddenError(c.pid > 0 ? `container ${c.id} is not connected to network ${net.Name}` : `container ${c.id} is not connected to the network ${net.Name}`);
    }
    const endpointsConfig = withoutNetwork(core, c.spec.endpointsConfig ?? {}, net);
    // leaving the NetworkMode network: the next start does not join it again (as dockerd)
    const modeDisconnected = modeNetworkOf(core, c.spec)?.Id === net.Id ? true : undefined;
    let settings: NetworkSettingsOut | undefined;
    if (sb && ep) {
      await sbx.removeEndpointLocked(ctx, sb, ep);
      sb.spec.endpointsConfig = endpointsConfig;
      if (modeDisconnected) sb.spec.modeDisconnected = true;
      await core.state.save();
      if (sb.attached) {
        core.emit('disconnect', net, c.id);
        settings = settingsOut(sb, core.state.networks);
      }
    }
    return { id: c.id, endpointsConfig, settings, modeDisconnected };
  });
  if (result) await core.d.containers.networksChanged(ctx, result.id, result.endpointsConfig, result.settings, result.modeDisconnected);
}
