import type { Ctx } from '../../common/ctx.ts';
import { connectContainer, disconnectContainer } from './connect.ts';
import type { EndpointSettings, NetnsChoice, NetworkSettingsOut, NetworksForContainers, SandboxSpec } from './contract.ts';
import { NetworkCore, type NetworksDeps } from './core.ts';
import type { Filters } from './filters.ts';
import { initNetworks } from './init.ts';
import { createNetwork, inspectNetwork, listNetworks, type NetworkCreateRequest, pruneNetworks, removeNetwork } from './networks-api.ts';
import { type NetworkResource, settingsOut } from './render.ts';
import { Sandboxes } from './sandboxes.ts';

/**
 * The networking controller (libnetwork's Controller: networks, endpoints, sandboxes). Serves the container
 * service (NetworksForContainers) and the /networks API. Built once by the daemon with `create`.
 */
export class NetworksService implements NetworksForContainers {
  readonly #core: NetworkCore;
  readonly #sbx: Sandboxes;

  private constructor(core: NetworkCore) {
    this.#core = core;
    this.#sbx = new Sandboxes(core);
  }

  /** Loads the state, creates the predefined networks, and restores the kernel state (idempotent across restarts). */
  static async create(ctx: Ctx, deps: NetworksDeps): Promise<NetworksService> {
    const core = await NetworkCore.open(deps, ctx.log);
    await initNetworks(core, ctx);
    return new NetworksService(core);
  }

  /**
   * Stops the embedded DNS server (its sockets in containers' namespaces are closed) and the userland proxy, and
   * waits for the kernel cleanup of removed networks.
   */
  async close(): Promise<void> {
    this.#core.dns?.close();
    this.#core.d.proxy?.close();
    await this.#core.settle();
  }

  /** Resolves when the kernel objects of removed networks are gone (network removal answers before that). */
  settle(): Promise<void> {
    return this.#core.settle();
  }

  // --- for the container service

  validate(ctx: Ctx, spec: SandboxSpec): Promise<string[]> {
    return this.#sbx.validate(ctx, spec);
  }
  networkIdOf(ref: string): string | undefined {
    const n = this.#core.tryFind(ref);
    return n && !n.predefined ? n.Id : undefined;
  }
  netnsFor(ctx: Ctx, spec: SandboxSpec): Promise<NetnsChoice> {
    return this.#sbx.netnsFor(ctx, spec);
  }
  allocate(ctx: Ctx, spec: SandboxSpec): Promise<NetworkSettingsOut> {
    return this.#sbx.allocate(ctx, spec);
  }
  async attach(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut> {
    const settings = await this.#sbx.attach(ctx, spec, pid);
    for (const p of await this.#sbx.linkParentsChanged(ctx, spec.containerId)) await this.#core.d.containers.networksChanged(ctx, p.id, p.endpointsConfig, p.settings);
    return settings;
  }
  detach(ctx: Ctx, containerId: string): Promise<void> {
    return this.#sbx.detach(ctx, containerId);
  }
  restore(ctx: Ctx, spec: SandboxSpec, pid: number): Promise<NetworkSettingsOut | undefined> {
    return this.#sbx.restore(ctx, spec, pid);
  }
  async renamed(_ctx: Ctx, containerId: string, name: string): Promise<void> {
    await this.#core.lock(async () => {
      const sb = this.#core.state.sandboxes.get(containerId);
      if (!sb) return;
      sb.containerName = name;
      sb.spec.containerName = name;
      // a new generation: the DNS view is rebuilt and the native server's learned answers go
      await this.#core.state.save();
    });
  }
  /** The current settings of a container that has a sandbox (allocated or attached). */
  settings(containerId: string): NetworkSettingsOut | undefined {
    const sb = this.#core.state.sandboxes.get(containerId);
    return sb ? settingsOut(sb, this.#core.state.networks) : undefined;
  }

  // --- for the /networks API

  async list(_ctx: Ctx, filters: Filters): Promise<NetworkResource[]> {
    return listNetworks(this.#core, filters);
  }
  async inspect(_ctx: Ctx, ref: string, scope?: string): Promise<NetworkResource> {
    return inspectNetwork(this.#core, ref, scope);
  }
  create(ctx: Ctx, req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    return createNetwork(this.#core, ctx, req);
  }
  remove(ctx: Ctx, ref: string): Promise<void> {
    return removeNetwork(this.#core, ctx, ref);
  }
  prune(ctx: Ctx, filters: Filters): Promise<{ NetworksDeleted: string[] | null }> {
    return pruneNetworks(this.#core, ctx, filters);
  }
  connect(ctx: Ctx, network: string, container: string, endpointConfig: Partial<EndpointSettings>): Promise<void> {
    return connectContainer(this.#core, this.#sbx, ctx, network, container, endpointConfig);
  }
  disconnect(ctx: Ctx, network: string, container: string, force: boolean): Promise<void> {
    return disconnectContainer(this.#core, this.#sbx, ctx, network, container, force);
  }
}
