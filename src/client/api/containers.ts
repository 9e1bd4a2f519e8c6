/** Container endpoints (the calls the docker CLI makes, with its query encodings). */
import type { Response } from '../http.ts';
import type { EngineClient, Query } from '../client.ts';
import type { Hijacked } from '../http.ts';
import { goMarshal } from '../json.ts';
import { parseNormalizedNamed, tagNameOnly } from '../reference.ts';
import { readAll } from '../streams.ts';
import type { ChangeItem, ContainerInspect, ContainerSummary, CreateResponse, TopResponse, WaitResponse } from '../types.ts';

/** The client's trimID check, then the path. */
export function containerPath(id: string, rest = ''): string {
  const trimmed = id.trim();
  if (trimmed === '') throw new Error('invalid container name or ID: value is empty');
  return `/containers/${trimmed}${rest}`;
}

/** Go filters.Args as the CLI sends them: {"key":{"value":true}}, keys sorted. */
export function filtersJson(filters: [string, string][]): string | undefined {
  if (filters.length === 0) return undefined;
  const m = new Map<string, Set<string>>();
  for (const [k, v] of filters) {
    if (!m.has(k)) m.set(k, new Set());
    m.get(k)!.add(v);
  }
  const out: Record<string, Record<string, boolean>> = {};
  for (const k of [...m.keys()].sort()) {
    const vals: Record<string, boolean> = {};
    for (const v of [...m.get(k)!].sort()) vals[v] = true;
    out[k] = vals;
  }
  return goMarshal(out);
}

export async function containerCreate(c: EngineClient, body: unknown, o: { name?: string; platform?: string } = {}): Promise<CreateResponse> {
  return c.json<CreateResponse>('POST', '/containers/create', { query: { name: o.name || undefined, platform: o.platform || undefined }, body });
}

export function containerList(c: EngineClient, q: { all?: boolean; limit?: number; size?: boolean; filters?: [string, string][] }): Promise<ContainerSummary[]> {
  const query: Query = {
    all: q.all,
    limit: q.limit !== undefined && q.limit !== -1 ? String(q.limit) : undefined,
    size: q.size,
    filters: filtersJson(q.filters ?? []),
  };
  return c.json<ContainerSummary[]>('GET', '/containers/json', { query });
}

export async function containerInspectRaw(c: EngineClient, id: string, size = false): Promise<{ value: ContainerInspect; raw: string }> {
  const res = await c.request('GET', containerPath(id, '/json'), { query: { size } });
  const raw = (await readAll(res)).toString('utf8');
  return { value: JSON.parse(raw) as ContainerInspect, raw };
}

export async function containerInspect(c: EngineClient, id: string): Promise<ContainerInspect> {
  return (await containerInspectRaw(c, id)).value;
}

export function containerStart(c: EngineClient, id: string): Promise<number> {
  return c.call('POST', containerPath(id, '/start'));
}

/** `--time`/`--timeout` and `--signal` of stop and restart (the signal needs API 1.42). */
export interface StopOptions {
  timeout?: number;
  signal?: string;
}

function stopQuery(c: EngineClient, o: StopOptions): Query {
  const query: Query = { t: o.timeout !== undefined ? String(o.timeout) : undefined };
  if (o.signal && c.atLeast('1.42')) query.signal = o.signal;
  return query;
}

export function containerStop(c: EngineClient, id: string, o: StopOptions): Promise<number> {
  return c.call('POST', containerPath(id, '/stop'), { query: stopQuery(c, o) });
}

export function containerRestart(c: EngineClient, id: string, o: StopOptions): Promise<number> {
  return c.call('POST', containerPath(id, '/restart'), { query: stopQuery(c, o) });
}

export function containerKill(c: EngineClient, id: string, signal?: string): Promise<number> {
  return c.call('POST', containerPath(id, '/kill'), { query: { signal: signal || undefined } });
}

export function containerRemove(c: EngineClient, id: string, o: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<number> {
  return c.call('DELETE', containerPath(id), { query: { force: o.force, v: o.volumes, link: o.link } });
}

export function containerPause(c: EngineClient, id: string): Promise<number> {
  return c.call('POST', containerPath(id, '/pause'));
}

export function containerUnpause(c: EngineClient, id: string): Promise<number> {
  return c.call('POST', containerPath(id, '/unpause'));
}

export function containerRename(c: EngineClient, id: string, name: string): Promise<number> {
  return c.call('POST', containerPath(id, '/rename'), { query: { name } });
}

export function containerResize(c: EngineClient, id: string, h: number, w: number): Promise<number> {
  return c.call('POST', containerPath(id, '/resize'), { query: { h: String(h), w: String(w) } });
}

export function containerTop(c: EngineClient, id: string, args: string[]): Promise<TopResponse> {
  return c.json<TopResponse>('GET', containerPath(id, '/top'), { query: { ps_args: args.length ? args.join(' ') : undefined } });
}

export function containerDiff(c: EngineClient, id: string): Promise<ChangeItem[] | null> {
  return c.json<ChangeItem[] | null>('GET', containerPath(id, '/changes'));
}

export function containerExport(c: EngineClient, id: string): Promise<Response> {
  return c.request('GET', containerPath(id, '/export'));
}

export function containerCommit(
  c: EngineClient,
  id: string,
  o: { reference?: string; comment?: string; author?: string; changes?: string[]; pause?: boolean },
): Promise<{ Id: string }> {
  let repo = '';
  let tag = '';
  if (o.reference) {
    const r = parseNormalizedNamed(o.reference);
    if (r.digest) throw new Error('refusing to create a tag with a digest reference');
    const t = tagNameOnly(r);
    tag = t.tag ?? '';
    repo = t.name;
  }
  const query: Query = {
    container: id,
    repo,
    tag,
    comment: o.comment ?? '',
    author: o.author ?? '',
    changes: o.changes?.length ? o.changes : undefined,
    pause: o.pause === false ? '0' : undefined,
  };
  return c.json<{ Id: string }>('POST', '/commit', { query });
}

export function containerPrune(c: EngineClient, filters: [string, string][]): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
  return c.json('POST', '/containers/prune', { query: { filters: filtersJson(filters) } });
}

/**
 * Opens the wait; resolves when the response headers arrive (docker run must not start before that) with the
 * still-pending result (wrapped: a bare nested promise would be flattened by await).
 */
export async function containerWaitStart(c: EngineClient, id: string, condition?: string, signal?: AbortSignal): Promise<{ result: Promise<WaitResponse> }> {
  const res = await c.request('POST', containerPath(id, '/wait'), { query: { condition: condition || undefined }, fresh: true, signal });
  const result = (async () => {
    const body = await readAll(res);
    const text = body.toString('utf8').trim();
    if (!text) throw new Error('unexpected EOF');
    return JSON.parse(text) as WaitResponse;
  })();
  result.catch(() => {});
  return { result };
}

export function containerAttach(
  c: EngineClient,
  id: string,
  o: { stream?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean; logs?: boolean; detachKeys?: string },
): Promise<Hijacked> {
  return c.hijack('POST', containerPath(id, '/attach'), {
    query: { stream: o.stream, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, logs: o.logs, detachKeys: o.detachKeys || undefined },
  });
}

export function containerLogs(
  c: EngineClient,
  id: string,
  o: { stdout: boolean; stderr: boolean; follow?: boolean; since?: string; until?: string; timestamps?: boolean; details?: boolean; tail?: string },
): Promise<Response> {
  return c.request('GET', containerPath(id, '/logs'), {
    query: {
      stdout: o.stdout,
      stderr: o.stderr,
      follow: o.follow,
      since: o.since || undefined,
      until: o.until || undefined,
      timestamps: o.timestamps,
      details: o.details,
      tail: o.tail ?? undefined,
    },
  });
}
