import { access } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { backgroundCtx, type Ctx } from '../../../common/ctx.ts';
import { parseNormalizedNamed } from '../../../domain/image/reference.ts';
import type { AuthConfig } from '../../../domain/registry/auth-config.ts';
import type { JsonMessage } from '../../../domain/registry/progress.ts';
import { EventsService } from '../../events/events.ts';
import { ImageService } from '../../images/image-service.ts';
import { RegistryService, type RegistryServiceOptions } from '../registry-service.ts';
import { REGISTRY_BIN } from './registry-server.ts';

/** A local image store with a registry client over it, as berthd wires them, for registry integration tests. */
export interface Node {
  images: ImageService;
  registry: RegistryService;
  events: EventsService;
  /** Pulls `ref` (as `docker pull` sends it) and returns the progress messages. */
  pull(ref: string, opts?: { platform?: string; auth?: AuthConfig }): Promise<JsonMessage[]>;
  push(ref: string, opts?: { auth?: AuthConfig }): Promise<JsonMessage[]>;
  /** Loads a docker-archive tarball. */
  load(archive: Buffer): Promise<string[]>;
}

export const ctx: Ctx = backgroundCtx;

/** Resolves every name to 127.0.0.1 (no DNS query ever leaves the machine). */
export const loopbackLookup: LookupFunction = ((_host: string, opts: unknown, cb: unknown) => {
  const callback = (typeof opts === 'function' ? opts : cb) as (err: Error | null, a: unknown, f?: number) => void;
  const all = typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all;
  if (all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as LookupFunction;

export async function makeNode(dataRoot: string, opts: Omit<RegistryServiceOptions, 'images'> = {}): Promise<Node> {
  const events = new EventsService();
  const images = await ImageService.create({ dataRoot, events });
  const registry = new RegistryService({ lookup: loopbackLookup, retryDelaySeconds: 0, maxDownloadAttempts: 1, stateDir: `${dataRoot}/registry`, certsDir: `${dataRoot}/certs.d`, ...opts, images: images.distribution() });
  const collect = async (f: (out: (m: JsonMessage) => void) => Promise<void>): Promise<JsonMessage[]> => {
    const msgs: JsonMessage[] = [];
    await f((m) => msgs.push(m));
    return msgs;
  };
  return {
    images,
    registry,
    events,
    pull: (ref, o = {}) => collect((out) => registry.pull(ctx, { ref: parseNormalizedNamed(ref), platform: o.platform ?? '', auth: o.auth ?? {} }, out)),
    push: (ref, o = {}) => collect((out) => registry.push(ctx, { ref: parseNormalizedNamed(ref), auth: o.auth ?? {} }, out)),
    load: (archive) => images.load(ctx, Readable.from([archive]), true, () => {}),
  };
}

/** Why registry integration tests cannot run here, if they cannot. */
export async function skipReason(): Promise<string | false> {
  if (process.getuid?.() !== 0) return 'needs root (layers are unpacked with their owners)';
  const has = async (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );
  if (!(await has(REGISTRY_BIN))) return 'needs docker-registry (apt-get install docker-registry)';
  if (!(await has('/bin/busybox'))) return 'needs busybox-static';
  return false;
}

/** Statuses of one layer id, in order, without repeated progress lines. */
export function layerStatuses(msgs: JsonMessage[], id: string): string[] {
  const out: string[] = [];
  for (const m of msgs) if (m.id === id && m.status && out.at(-1) !== m.status) out.push(m.status);
  return out;
}

/** The plain status lines (no id). */
export function plainStatuses(msgs: JsonMessage[]): string[] {
  return msgs.filter((m) => m.id === undefined && m.status !== undefined).map((m) => m.status!);
}
