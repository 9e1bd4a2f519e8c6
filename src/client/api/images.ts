/** Image endpoints. */
import type { Response } from '../http.ts';
import type { Readable } from 'node:stream';
import type { EngineClient } from '../client.ts';
import { apiTag, parseAnyReference, parseNormalizedNamed, tagNameOnly } from '../reference.ts';
import { readAll } from '../streams.ts';
import type { DeleteItem, HistoryItem, ImageSummary } from '../types.ts';
import { filtersJson } from './containers.ts';

/** X-Registry-Auth for "no credentials": base64url("{}"). */
export const EMPTY_AUTH = 'e30=';

export function imageList(c: EngineClient, o: { all?: boolean; filters?: [string, string][] }): Promise<ImageSummary[]> {
  return c.json('GET', '/images/json', { query: { all: o.all, filters: filtersJson(o.filters ?? []) } });
}

export async function imageInspectRaw(c: EngineClient, ref: string): Promise<{ value: Record<string, unknown>; raw: string }> {
  const res = await c.request('GET', `/images/${ref}/json`);
  const raw = (await readAll(res)).toString('utf8');
  return { value: JSON.parse(raw) as Record<string, unknown>, raw };
}

/** POST /images/create?fromImage=<full name>&tag=<tag or digest> (pull); resolves on the progress stream. */
export function imageCreate(c: EngineClient, ref: string, o: { platform?: string; auth?: string } = {}): Promise<Response> {
  const r = parseNormalizedNamed(ref);
  return c.request('POST', '/images/create', {
    query: { fromImage: r.name, tag: apiTag(r), platform: o.platform ? o.platform.toLowerCase() : undefined },
    headers: { 'X-Registry-Auth': o.auth ?? EMPTY_AUTH },
  });
}

export function imagePull(c: EngineClient, ref: string, o: { all?: boolean; platform?: string } = {}): Promise<Response> {
  const r = parseNormalizedNamed(ref);
  return c.request('POST', '/images/create', {
    query: { fromImage: r.name, tag: o.all ? undefined : apiTag(r), platform: o.platform ? o.platform.toLowerCase() : undefined },
    headers: { 'X-Registry-Auth': EMPTY_AUTH },
  });
}

export function imagePush(c: EngineClient, ref: string, o: { all?: boolean } = {}): Promise<Response> {
  let r = parseNormalizedNamed(ref);
  if (r.digest) throw new Error('cannot push a digest reference');
  if (!o.all) r = tagNameOnly(r);
  return c.request('POST', `/images/${r.name}/push`, { query: { tag: o.all ? undefined : r.tag }, headers: { 'X-Registry-Auth': EMPTY_AUTH } });
}

/** docker's client.ImageTag: both references are checked before the request, with its wording. */
export function imageTag(c: EngineClient, source: string, target: string): Promise<number> {
  const parse = <T>(ref: string, fn: (s: string) => T): T => {
    try {
      return fn(ref);
    } catch (err) {
      throw new Error(`Error parsing reference: ${JSON.stringify(ref)} is not a valid repository/tag: ${(err as Error).message}`);
    }
  };
  parse(source, parseAnyReference);
  const named = parse(target, parseNormalizedNamed);
  if (named.digest) throw new Error('refusing to create a tag with a digest reference');
  const r = tagNameOnly(named);
  return c.call('POST', `/images/${source}/tag`, { query: { repo: r.name, tag: r.tag } });
}

export function imageRemove(c: EngineClient, ref: string, o: { force?: boolean; noPrune?: boolean }): Promise<DeleteItem[]> {
  return c.json('DELETE', `/images/${ref}`, { query: { force: o.force, noprune: o.noPrune } });
}

export function imageHistory(c: EngineClient, ref: string): Promise<HistoryItem[]> {
  return c.json('GET', `/images/${ref}/history`);
}

export function imageSave(c: EngineClient, refs: string[]): Promise<Response> {
  return c.request('GET', '/images/get', { query: { names: refs } });
}

export function imageLoad(c: EngineClient, body: Readable, quiet: boolean): Promise<Response> {
  return c.request('POST', '/images/load', { query: { quiet: quiet ? '1' : '0' }, rawBody: body, contentType: 'application/x-tar' });
}

export function imageImport(
  c: EngineClient,
  source: { src: string; body?: Readable },
  o: { repo?: string; message?: string; changes?: string[]; platform?: string },
): Promise<Response> {
  return c.request('POST', '/images/create', {
    query: {
      fromSrc: source.src,
      repo: o.repo || undefined,
      message: o.message || undefined,
      changes: o.changes?.length ? o.changes : undefined,
      platform: o.platform || undefined,
    },
    rawBody: source.body,
    contentType: 'text/plain',
  });
}

export function imagePrune(c: EngineClient, filters: [string, string][]): Promise<{ ImagesDeleted: DeleteItem[] | null; SpaceReclaimed: number }> {
  return c.json('POST', '/images/prune', { query: { filters: filtersJson(filters) } });
}
