import { InvalidArgumentError } from '../../../../common/errors.ts';
import type { EngineEvent, EventsService } from '../../../../services/events/events.ts';
import { filtersParam, type Filters } from '../../params.ts';
import type { ApiResponse, Router } from '../../router.ts';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION } from '../../version.ts';

export interface SystemInfoSource {
  info(): Promise<Record<string, unknown>>;
  kernelVersion: string;
}

export interface SystemRouteDeps {
  events: EventsService;
  system: SystemInfoSource;
  swarmState?: () => string;
}

const EVENT_FILTERS = ['type', 'container', 'image', 'event', 'label', 'network', 'volume', 'daemon', 'node', 'service', 'secret', 'config', 'scope', 'plugin'];

/** Parses since/until as docker sends them: unix seconds with optional fraction → nanoseconds. */
export function parseEventTime(s: string | null): bigint | undefined {
  if (s === null || s === '') return undefined;
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(s);
  if (m) return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${s}"`);
  return BigInt(t) * 1_000_000n;
}

export function eventMatches(e: EngineEvent, f: Filters): boolean {
  const has = (k: string) => f.has(k) && f.get(k)!.length > 0;
  const attrs = e.Actor.Attributes;
  if (has('type') && !f.get('type')!.includes(e.Type)) return false;
  if (has('event')) {
    const action = e.Action.split(':')[0]!.trim();
    if (!f.get('event')!.some((v) => v === e.Action || v === action)) return false;
  }
  if (has('scope') && !f.get('scope')!.includes(e.scope)) return false;
  if (has('container')) {
    if (e.Type !== 'container' && !(e.Type === 'network' && attrs.container)) return false;
    const id = e.Type === 'container' ? e.Actor.ID : attrs.container!;
    if (!f.get('container')!.some((v) => id.startsWith(v) || attrs.name === v)) return false;
  }
  if (has('image')) {
    const img = e.Type === 'image' ? e.Actor.ID : attrs.image;
    if (!img) return false;
    if (!f.get('image')!.some((v) => img === v || img.startsWith(v) || attrs.name === v || img.replace(/:latest$/, '') === v.replace(/:latest$/, ''))) return false;
  }
  if (has('network')) {
    if (e.Type !== 'network') return false;
    if (!f.get('network')!.some((v) => e.Actor.ID.startsWith(v) || attrs.name === v)) return false;
  }
  if (has('volume')) {
    if (e.Type !== 'volume') return false;
    if (!f.get('volume')!.some((v) => e.Actor.ID === v)) return false;
  }
  if (has('label')) {
    for (const l of f.get('label')!) {
      const i = l.indexOf('=');
      if (i < 0 ? !(l in attrs) : attrs[l.slice(0, i)] !== l.slice(i + 1)) return false;
    }
  }
  if (has('daemon') && e.Type !== 'daemon') return false;
  return true;
}

export function registerSystemRoutes(router: Router, d: SystemRouteDeps): void {
  // _ping: headers as dockerd sends them (Builder-Version, Swarm, no-cache)
  const ping = (_req: unknown, res: ApiResponse) =>
    res.text(200, 'OK', 'text/plain; charset=utf-8', {
      'Builder-Version': '1',
      Swarm: d.swarmState?.() ?? 'inactive',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
    });
  router.get('/_ping', ping);
  router.head('/_ping', ping);

  router.get('/version', (_req, res) => {
    res.json(200, versionBody(d.system.kernelVersion));
  });

  router.get('/info', async (_req, res) => {
    res.json(200, await d.system.info());
  });

  router.get('/events', async (req, res) => {
    const filters = filtersParam(req);
    for (const k of filters.keys()) if (!EVENT_FILTERS.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
    const now = BigInt(Date.now()) * 1_000_000n;
    const since = parseEventTime(req.query.get('since'));
    const until = parseEventTime(req.query.get('until'));
    if (since !== undefined && until !== undefined && until < since) throw new InvalidArgumentError('`since` time cannot be after `until` time');
    const out = res.stream('application/json');
    const write = (e: EngineEvent) => {
      if (eventMatches(e, filters)) out.write(JSON.stringify(e) + '\n');
    };
    if (since !== undefined) for (const e of d.events.history(since, until)) write(e);
    if (until !== undefined && until <= now) {
      out.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const unsub = d.events.subscribe((e) => {
        if (until !== undefined && BigInt(e.timeNano) > until) return;
        write(e);
      });
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        unsub();
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (until !== undefined) timer = setTimeout(() => { out.end(); stop(); }, Number((until - now) / 1_000_000n));
      req.signal.addEventListener('abort', stop);
    });
  });
}

export function versionBody(kernel: string): Record<string, unknown> {
  const details = {
    ApiVersion: API_VERSION,
    Arch: 'amd64',
    BuildTime: '',
    Experimental: 'false',
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    KernelVersion: kernel,
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
  };
  return {
    Platform: { Name: 'berth' },
    Components: [{ Name: 'Engine', Version: ENGINE_VERSION, Details: details }],
    Version: ENGINE_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: 'amd64',
    KernelVersion: kernel,
    BuildTime: '',
  };
}
