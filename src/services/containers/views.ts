import { InvalidArgumentError } from '../../common/errors.ts';
import { defaultBridgeLinks } from '../../domain/net/links.ts';
import { statusText } from '../../domain/container/status.ts';
import { mountViews } from '../../domain/container/mounts.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';
import type { EndpointSettings } from '../networks/contract.ts';
import { inspectNetworkSettings, portsForList } from '../networks/render.ts';

/**
 * Docker's JSON shapes of a container: inspect (GET /containers/{id}/json) and list entries (GET /containers/json).
 * Nested objects are always present (the docker CLI dereferences them).
 */
/**
 * HostConfig.Links as dockerd shows them, from its link graph: "/<target name>:/<name>/<alias>" on the default
 * bridge (targets that are gone are left out); null on other networks, where a link is only a DNS alias.
 */
export function linksView(rec: ContainerRecord, nameOf: (ref: string) => string | undefined): string[] | null {
  const links = defaultBridgeLinks(rec.HostConfig.NetworkMode, rec.HostConfig.Links);
  if (links.length === 0) return null;
  const out: string[] = [];
  for (const l of links) {
    const target = nameOf(l.target);
    if (target) out.push(`${target}:${rec.Name}/${l.alias}`);
  }
  return out;
}

export function inspectView(
  rec: ContainerRecord,
  paths: { logPath: string; dir: string; graphData?: Record<string, string> | null },
  version: number,
  nameOf: (ref: string) => string | undefined = () => undefined,
): Record<string, unknown> {
  const running = rec.State.Running;
  const out: Record<string, unknown> = {
    Id: rec.Id,
    Created: rec.Created,
    Path: rec.Path,
    Args: rec.Args,
    State: { ...rec.State },
    Image: rec.Image,
    ResolvConfPath: `${paths.dir}/resolv.conf`,
    HostnamePath: `${paths.dir}/hostname`,
    HostsPath: `${paths.dir}/hosts`,
    LogPath: paths.logPath,
    Name: rec.Name,
    RestartCount: rec.RestartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: (rec as ContainerRecord & { ExecIDs?: string[] }).ExecIDs?.length ? (rec as ContainerRecord & { ExecIDs?: string[] }).ExecIDs : null,
    HostConfig: { ...rec.HostConfig, Links: linksView(rec, nameOf) },
    GraphDriver: { Name: 'overlay2', Data: paths.graphData ?? null },
    Mounts: mountViews(rec.MountPoints),
    Config: { ...rec.Config, Env: rec.Config.Env ?? [], Labels: rec.Config.Labels ?? {} },
    NetworkSettings: inspectNetworkSettings(running ? { ...rec.NetworkSettings, SandboxID: rec.NetworkSettings.SandboxID ?? rec.Id, hosts: '', resolvConf: '' } : undefined, configuredNetworks(rec), {
      version,
      containerId: rec.Id,
    }),
  };
  const cfg = out.Config as Record<string, unknown>;
  delete cfg.EndpointsConfig;
  if (version < 1.44 && rec.Config.MacAddress === undefined) cfg.MacAddress = '';
  return out;
}

/** The networks a container is configured for, by name (for a stopped container's inspect and list). */
export function configuredNetworks(rec: ContainerRecord): Record<string, Partial<EndpointSettings>> {
  const eps = rec.EndpointsConfig ?? {};
  if (Object.keys(eps).length > 0 || rec.ModeNetworkDisconnected) return eps;
  const m = rec.HostConfig.NetworkMode;
  if (m.startsWith('container:')) return {};
  return { [m === 'default' ? 'bridge' : m]: {} };
}

/**
 * The list's Ports: only the live map, as dockerd (the exposed ports of a running container on its networks are
 * null entries there); nothing for one that is stopped, never started or on the host's network.
 */
export function portsList(rec: ContainerRecord): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  return rec.State.Running ? portsForList(rec.NetworkSettings.Ports ?? {}) : [];
}

/** The list's Command as dockerd builds it: arguments containing a space are single-quoted. */
export function listCommand(path: string, args: readonly string[]): string {
  if (args.length === 0) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

export function listView(rec: ContainerRecord, imageRefs: (imageId: string) => string): Record<string, unknown> {
  return {
    Id: rec.Id,
    Names: [rec.Name],
    Image: rec.Config.Image || imageRefs(rec.Image),
    ImageID: rec.Image,
    Command: listCommand(rec.Path, rec.Args),
    Created: Math.floor(Date.parse(rec.Created) / 1000),
    Ports: portsList(rec),
    Labels: rec.Config.Labels ?? {},
    State: rec.State.Status,
    Status: statusText(rec.State, Date.now(), rec.State.Health?.Status),
    HostConfig: { NetworkMode: rec.HostConfig.NetworkMode },
    NetworkSettings: { Networks: (inspectNetworkSettings(rec.State.Running ? { ...rec.NetworkSettings, SandboxID: rec.NetworkSettings.SandboxID ?? rec.Id, hosts: '', resolvConf: '' } : undefined, configuredNetworks(rec)) as { Networks: unknown }).Networks },
    Mounts: mountViews(rec.MountPoints),
  };
}

const PS_FILTERS = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'network', 'health', 'volume', 'publish', 'expose', 'isolation', 'is-task'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export interface ListOptions {
  all: boolean;
  limit?: number;
  filters: Map<string, string[]>;
  /** image reference → image id, undefined if unknown */
  resolveImage: (ref: string) => string | undefined;
  find: (ref: string) => ContainerRecord | undefined;
}

function matchLabel(labels: Record<string, string>, f: string): boolean {
  const i = f.indexOf('=');
  if (i < 0) return f in labels;
  return labels[f.slice(0, i)] === f.slice(i + 1);
}

/** `docker ps` selection: all/limit/filters, newest first. */
export function selectContainers(recs: ContainerRecord[], o: ListOptions): ContainerRecord[] {
  for (const k of o.filters.keys()) if (!PS_FILTERS.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  const f = o.filters;
  for (const s of f.get('status') ?? []) if (!STATUSES.includes(s)) throw new InvalidArgumentError(`invalid filter 'status=${s}'`);
  for (const h of f.get('health') ?? []) if (!['starting', 'healthy', 'unhealthy', 'none'].includes(h)) throw new InvalidArgumentError(`Unrecognised filter value for health: ${h}`);
  let list = [...recs].sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created) || b.Id.localeCompare(a.Id));
  const byTime = (ref: string) => {
    const c = o.find(ref);
    if (!c) throw new InvalidArgumentError(`No such container: ${ref}`);
    return Date.parse(c.Created);
  };
  const before = f.get('before')?.map(byTime);
  const since = f.get('since')?.map(byTime);
  const ancestors = f.get('ancestor')?.map((a) => o.resolveImage(a) ?? `\0${a}`);
  list = list.filter((c) => {
    if (!o.all && !c.State.Running && !f.has('status') && !f.has('exited') && o.limit === undefined && !before && !since) return false;
    if (f.has('id') && !f.get('id')!.some((v) => c.Id.startsWith(v))) return false;
    if (f.has('name') && !f.get('name')!.some((v) => safeRegex(v).test(c.Name.slice(1)))) return false;
    if (f.has('label') && !f.get('label')!.every((v) => matchLabel(c.Config.Labels ?? {}, v))) return false;
    if (f.has('status') && !f.get('status')!.includes(c.State.Status)) return false;
    if (f.has('exited') && (c.State.Running || c.State.StartedAt.startsWith('0001') || !f.get('exited')!.includes(String(c.State.ExitCode)))) return false;
    if (ancestors && !ancestors.includes(c.Image) && !f.get('ancestor')!.includes(c.Config.Image)) return false;
    if (before && !before.every((t) => Date.parse(c.Created) < t)) return false;
    if (since && !since.every((t) => Date.parse(c.Created) > t)) return false;
    if (f.has('network') && !f.get('network')!.some((n) => n in c.NetworkSettings.Networks || Object.values(c.NetworkSettings.Networks).some((e) => e.NetworkID.startsWith(n)))) return false;
    if (f.has('health') && !f.get('health')!.includes(c.State.Health?.Status ?? 'none')) return false;
    if (f.has('is-task') && f.get('is-task')!.includes('true')) return false;
    if (f.has('volume') && !f.get('volume')!.some((v) => Object.values(c.MountPoints ?? {}).some((m) => (m.Name ? m.Name === v : m.Source === v) || m.Destination === v))) return false;
    return true;
  });
  if (o.limit !== undefined && o.limit > 0) list = list.slice(0, o.limit);
  return list;
}

function safeRegex(s: string): RegExp {
  try {
    return new RegExp(s);
  } catch {
    throw new InvalidArgumentError(`invalid filter 'name=${s}': error parsing regexp`);
  }
}
