import { InvalidArgumentError } from '../../common/errors.ts';
import type { ApiRequest } from './router.ts';

/** moby's httputils.BoolValue: false for "", 0, no, false, none (case-insensitive), true otherwise. */
export function boolValue(v: string | null | undefined): boolean {
  if (v === null || v === undefined) return false;
  const s = v.trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

export function boolParam(req: ApiRequest, name: string, dflt = false): boolean {
  const v = req.query.get(name);
  if (v === null) return dflt;
  return boolValue(v);
}

export function intParam(req: ApiRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid value for ${name}: ${v}`);
  return n;
}

/** Filters as a map of key → values. Accepts both {"k":{"v":true}} (CLI) and {"k":["v"]} (docker-py). */
export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | null): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch (err) {
    throw new InvalidArgumentError(`invalid filter: ${(err as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new InvalidArgumentError('invalid filter: expected a JSON object');
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (v && typeof v === 'object') out.set(k, Object.entries(v as Record<string, unknown>).filter(([, b]) => b === true || b === 'true').map(([s]) => s));
    else throw new InvalidArgumentError(`invalid filter: values of "${k}" must be a list or a map`);
  }
  return out;
}

export function filtersParam(req: ApiRequest): Filters {
  return parseFilters(req.query.get('filters'));
}

/** Refuse filter keys the endpoint does not know, as moby's filters.Validate does. */
export function validateFilters(f: Filters, allowed: readonly string[]): void {
  for (const k of f.keys()) {
    if (!allowed.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  }
}

const MAX_BODY = 16 * 1024 * 1024;

/** Reads and parses a JSON body. An empty body yields `undefined`. Malformed JSON → 400. */
export async function jsonBody<T = unknown>(req: ApiRequest): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of req.raw) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) throw new InvalidArgumentError('request body too large');
      chunks.push(c as Buffer);
    }
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new InvalidArgumentError(`could not read the request body: ${(err as Error).message}`);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InvalidArgumentError(`invalid JSON: ${(err as Error).message}`);
  }
}

/** moby's CheckForJSON: a body must be sent as application/json. */
export function checkForJson(req: ApiRequest): void {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const len = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
  if (ct === '' && !hasBody) return;
  if (ct === 'application/json' || (ct === '' && hasBody)) return;
  throw new InvalidArgumentError(`unsupported Content-Type header (${ct}): must be 'application/json'`);
}

/** An object body is required: refuse arrays, strings and numbers with 400. */
export async function objectBody(req: ApiRequest): Promise<Record<string, unknown>> {
  checkForJson(req);
  const b = await jsonBody(req);
  if (b === undefined) return {};
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new InvalidArgumentError('invalid JSON: expected an object');
  return b as Record<string, unknown>;
}
