import type { Ctx } from '../../../../common/ctx.ts';
import { InvalidArgumentError, SystemError } from '../../../../common/errors.ts';
import { run } from '../../../../system/exec/exec.ts';
import type { AttachStreams } from '../../../../drivers/runtime/contract.ts';
import type { ContainerService } from '../../../../services/containers/container-service.ts';
import { inspectView, listView, selectContainers } from '../../../../services/containers/views.ts';
import { containerSizeRw, prunedEvent } from '../../../../services/containers/disk-usage.ts';
import type { EventsService } from '../../../../services/events/events.ts';
import { boolParam, filtersParam, intParam, objectBody } from '../../params.ts';
import type { ApiRequest, Router } from '../../router.ts';
import { streamContentType } from '../../streams/mux.ts';
import { parseDetachKeys, pump } from './attach.ts';

export interface ContainerRouteDeps {
  containers: ContainerService;
  /** image ref → id, for the ancestor filter; id → display name. */
  imageIdOf: (ref: string) => Promise<string | undefined>;
  /** For the `prune` event. */
  events?: EventsService;
}

function ctxOf(req: ApiRequest): Ctx {
  return { log: req.log };
}

function optionalInt(req: ApiRequest, name: string): number | undefined {
  return intParam(req, name);
}

export function registerContainerRoutes(router: Router, d: ContainerRouteDeps): void {
  const cs = d.containers;

  router.post('/containers/create', async (req, res) => {
    const body = await objectBody(req);
    const name = req.query.get('name') ?? undefined;
    const platform = req.query.get('platform');
    if (platform && !/^linux(\/(amd64|x86_64))?(\/.*)?$/.test(platform)) {
      throw new InvalidArgumentError(`image with reference ${String(body.Image ?? '')} was found but does not match the specified platform: wanted ${platform}, actual: linux/amd64`);
    }
    const r = await cs.create(ctxOf(req), name || undefined, body);
    res.json(201, r);
  });

  router.get('/containers/json', async (req, res) => {
    const filters = filtersParam(req);
    const ancestorIds = new Map<string, string | undefined>();
    for (const a of filters.get('ancestor') ?? []) ancestorIds.set(a, await d.imageIdOf(a));
    const list = selectContainers(cs.store.all(), {
      all: boolParam(req, 'all'),
      limit: optionalInt(req, 'limit'),
      filters,
      resolveImage: (r) => ancestorIds.get(r),
      find: (r) => cs.store.find(r),
    });
    res.json(
      200,
      list.map((c) => listView(c, (id) => id)),
    );
  });

  router.get('/containers/{id}/json', async (req, res) => {
    const rec = cs.store.get(req.params.id!);
    res.json(200, inspectView(rec, { logPath: cs.logPath(rec.Id), dir: cs.store.dir(rec.Id), graphData: await cs.graphData(rec) }, req.version, (ref) => cs.store.find(ref)?.Name));
  });

  router.post('/containers/{id}/start', async (req, res) => {
    if (req.query.get('checkpoint')) throw new InvalidArgumentError('checkpoint/restore is not supported by berth');
    await cs.start(ctxOf(req), req.params.id!);
    res.noContent();
  });

  router.post('/containers/{id}/stop', async (req, res) => {
    const t = optionalInt(req, 't');
    await cs.stop(ctxOf(req), req.params.id!, t, req.query.get('signal') ?? undefined);
    res.noContent();
  });

  router.post('/containers/{id}/restart', async (req, res) => {
    await cs.restart(ctxOf(req), req.params.id!, optionalInt(req, 't'), req.query.get('signal') ?? undefined);
    res.noContent();
  });

  router.post('/containers/{id}/kill', async (req, res) => {
    await cs.kill(ctxOf(req), req.params.id!, req.query.get('signal') || 'KILL');
    res.noContent();
  });

  router.post('/containers/{id}/pause', async (req, res) => {
    await cs.pause(ctxOf(req), req.params.id!);
    res.noContent();
  });

  router.post('/containers/{id}/unpause', async (req, res) => {
    await cs.unpause(ctxOf(req), req.params.id!);
    res.noContent();
  });

  router.post('/containers/{id}/rename', async (req, res) => {
    await cs.rename(ctxOf(req), req.params.id!, req.query.get('name') ?? '');
    res.noContent();
  });

  router.post('/containers/{id}/resize', async (req, res) => {
    const h = optionalInt(req, 'h') ?? 0;
    const w = optionalInt(req, 'w') ?? 0;
    await cs.resize(req.params.id!, h, w);
    res.text(200, '', 'text/plain; charset=utf-8');
  });

  router.delete('/containers/{id}', async (req, res) => {
    if (boolParam(req, 'link')) throw new InvalidArgumentError('Conflict, cannot remove the default link name of the container');
    await cs.remove(ctxOf(req), req.params.id!, boolParam(req, 'force'), boolParam(req, 'v'));
    res.noContent();
  });

  router.post('/containers/{id}/wait', async (req, res) => {
    const waiting = cs.wait(req.params.id!, req.query.get('condition') ?? '', req.signal);
    const out = res.stream('application/json');
    const r = await Promise.race([waiting, new Promise<undefined>((resolve) => req.signal.addEventListener('abort', () => resolve(undefined)))]);
    if (!r || req.signal.aborted) return;
    out.end(JSON.stringify(r) + '\n');
  });

  router.post('/containers/{id}/attach', async (req, res) => {
    const rec = cs.store.get(req.params.id!);
    const stream = boolParam(req, 'stream');
    const logs = boolParam(req, 'logs');
    if (!stream && !logs) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
    let keys: number[];
    try {
      keys = parseDetachKeys(req.query.get('detachKeys'));
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    if (rec.State.Paused) await cs.attach(ctxOf(req), rec.Id, req.signal); // throws the paused conflict
    const tty = rec.Config.Tty;
    const sock = res.hijack(streamContentType(req.version, tty));
    if (!stream) {
      sock.end();
      return;
    }
    let streams: AttachStreams;
    try {
      streams = await cs.attach(ctxOf(req), rec.Id, req.signal);
    } catch (err) {
      if (!sock.destroyed) sock.end(`${(err as Error).message}\r\n`);
      return;
    }
    const why = await pump(sock, streams, {
      tty,
      stdin: boolParam(req, 'stdin') && rec.Config.OpenStdin,
      stdout: boolParam(req, 'stdout'),
      stderr: boolParam(req, 'stderr'),
      closeStdinOnEnd: rec.Config.StdinOnce,
      detachKeys: keys,
    });
    if (why === 'detach') req.log.debug('client detached', { id: rec.Id });
  });

  router.get('/containers/{id}/top', async (req, res) => {
    const pids = new Set(await cs.pids(req.params.id!));
    const psArgs = req.query.get('ps_args') || '-ef';
    if (/[^a-zA-Z0-9 ,=_-]/.test(psArgs)) throw new InvalidArgumentError(`ps_args has invalid characters: ${psArgs}`);
    const r = await run({ log: req.log }, 'ps', [...psArgs.split(/\s+/).filter(Boolean)], { allowFail: true });
    if (r.code !== 0) throw new SystemError(`Error running ps: exit status ${r.code}: ${r.stderr.trim()}`);
    res.json(200, parsePs(r.stdout, pids));
  });

  router.post('/containers/prune', async (req, res) => {
    const filters = filtersParam(req);
    for (const k of filters.keys()) if (k !== 'until' && k !== 'label' && k !== 'label!') throw new InvalidArgumentError(`invalid filter '${k}'`);
    const until = filters.get('until')?.[0];
    const untilMs = until ? parseUntil(until) : undefined;
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of cs.store.all()) {
      if (c.State.Running) continue;
      if (untilMs !== undefined && Date.parse(c.Created) >= untilMs) continue;
      const labels = c.Config.Labels ?? {};
      if (!(filters.get('label') ?? []).every((l) => labelMatch(labels, l))) continue;
      if ((filters.get('label!') ?? []).some((l) => labelMatch(labels, l))) continue;
      const size = await containerSizeRw(cs, c);
      try {
        await cs.remove(ctxOf(req), c.Id, false);
      } catch (err) {
        req.log.warn('failed to prune container', { id: c.Id, error: (err as Error).message });
        continue;
      }
      deleted.push(c.Id);
      reclaimed += size;
    }
    d.events?.emit(prunedEvent(reclaimed));
    res.json(200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed });
  });
}

/** Keeps the rows of `ps` output whose PID column is one of the container's (moby's parsePSOutput). */
export function parsePs(out: string, pids: Set<number>): { Titles: string[]; Processes: string[][] } {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidIdx = titles.indexOf('PID');
  if (pidIdx < 0) throw new InvalidArgumentError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(Number(fields[pidIdx]))) continue;
    // the last column (the command) keeps its spaces
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}

function labelMatch(labels: Record<string, string>, f: string): boolean {
  const i = f.indexOf('=');
  return i < 0 ? f in labels : labels[f.slice(0, i)] === f.slice(i + 1);
}

/** `until` as docker accepts it: unix seconds (with fraction), RFC3339, or a Go duration ago ("10m", "1h30m"). */
export function parseUntil(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const dur = /^((\d+(\.\d+)?)(h|m|s|ms))+$/.test(s);
  if (dur) {
    let ms = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(m[1]) * { h: 3600e3, m: 60e3, s: 1e3, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    return Date.now() - ms;
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${s}"`);
  return t;
}
