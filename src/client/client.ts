/**
 * Typed Engine API client core: `/v<version>/` path prefixes, JSON bodies encoded as Go's encoding/json does,
 * daemon errors turned into ApiError, streaming responses and hijacked connections.
 *
 * API version: a pinned version (BERTH_API_VERSION/DOCKER_API_VERSION in the CLI) is used as is, with no ping,
 * as docker does. Otherwise the client speaks 1.47 at once instead of pinging first (a round trip saved at every
 * CLI start): a daemon that is older answers 400 "client version 1.47 is too new", and only then the client
 * negotiates through `HEAD /_ping` (falling back to `GET /_ping`; a server without Api-Version means 1.24) and
 * sends the request again with min(server, 1.47). Requests whose body is a stream (it cannot be sent twice)
 * negotiate first.
 */
import type { Readable } from 'node:stream';
import { ApiError } from './errors.ts';
import type { Endpoint } from './host.ts';
import type { Hijacked, Response } from './http.ts';
import type { Headers } from './http1.ts';
import { Transport } from './http.ts';
import { goJson } from './json.ts';
import { readAll } from './streams.ts';

export const CLIENT_MAX_API_VERSION = '1.47';
export const CLIENT_VERSION = '0.1.0';

export type QueryValue = string | number | boolean | undefined | null | string[];
export type Query = Record<string, QueryValue>;

/** The daemon's answer to a version it does not support (dockerd's and berthd's wording). */
const TOO_NEW = /^client version \S+ is too new/;

export interface RequestOptions {
  query?: Query;
  /** JSON body (encoded like Go's json.Encoder, with the trailing newline). */
  body?: unknown;
  /** Raw body; a stream is sent with Transfer-Encoding: chunked. */
  rawBody?: Buffer | Readable;
  contentType?: string;
  headers?: Headers;
  signal?: AbortSignal;
  /** false for /_ping and other unversioned paths. */
  versioned?: boolean;
  fresh?: boolean;
}

export interface PingInfo {
  apiVersion: string;
  osType: string;
  experimental: boolean;
  builderVersion: string;
  swarm: string;
}

/** Compares "1.41"-style versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted; true → "1"; false/undefined/null omitted. */
export function encodeQuery(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const k of Object.keys(q).sort()) {
    const v = q[k];
    if (v === undefined || v === null || v === false) continue;
    const vals = Array.isArray(v) ? v : [v === true ? '1' : String(v)];
    for (const one of vals) parts.push(`${queryEscape(k)}=${queryEscape(one)}`);
  }
  return parts.join('&');
}

/** Escapes a path the way Go's url.URL.EscapedPath does (keeps / : @ and friends). */
export function escapePath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) =>
    Array.from(Buffer.from(c, 'utf8'))
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

export class EngineClient {
  readonly transport: Transport;
  readonly endpoint: Endpoint;
  #version: string | undefined;
  #negotiation: Promise<PingInfo> | undefined;
  #ping: PingInfo | undefined;

  constructor(endpoint: Endpoint, opts: { version?: string; userAgent?: string } = {}) {
    this.endpoint = endpoint;
    this.transport = new Transport(endpoint, opts.userAgent ?? `Berth-Client/${CLIENT_VERSION} (${process.platform})`);
    if (opts.version) this.#version = opts.version;
  }

  /** The negotiated API version (after the first request). */
  get version(): string {
    return this.#version ?? CLIENT_MAX_API_VERSION;
  }

  get pingInfo(): PingInfo | undefined {
    return this.#ping;
  }

  /** True when the negotiated version is at least v. */
  atLeast(v: string): boolean {
    return compareVersions(this.version, v) >= 0;
  }

  async ping(): Promise<PingInfo> {
    let res = await this.transport.request({ method: 'HEAD', path: '/_ping' });
    res.resume();
    if (res.statusCode !== 200 && res.statusCode !== 500) {
      res = await this.transport.request({ method: 'GET', path: '/_ping' });
      const body = await readAll(res);
      if ((res.statusCode ?? 0) >= 400 && res.statusCode !== 500) throw errorFromResponse(res, body, '/_ping');
    }
    const h = res.headers;
    const info: PingInfo = {
      apiVersion: String(h['api-version'] ?? ''),
      osType: String(h.ostype ?? ''),
      experimental: h['docker-experimental'] === 'true',
      builderVersion: String(h['builder-version'] ?? ''),
      swarm: String(h.swarm ?? ''),
    };
    this.#ping = info;
    return info;
  }

  /**
   * Negotiates, ignoring a failure as docker's getAPIPath does: a failed ping is not the error to show; the
   * request itself then fails with its own path (and the next one pings again).
   */
  async #negotiateQuietly(): Promise<void> {
    try {
      await this.negotiate();
    } catch {
      this.#negotiation = undefined;
    }
  }

  /** True when an error answer means "speak an older API version", and the request may be sent again. */
  #mustDowngrade(err: unknown, o: RequestOptions): boolean {
    if (this.#version || !(err instanceof ApiError) || err.status !== 400 || !TOO_NEW.test(err.detail)) return false;
    return o.rawBody === undefined || Buffer.isBuffer(o.rawBody);
  }

  /** Pings once and settles the API version: min(server, 1.47); 1.24 when the server sends none. */
  negotiate(): Promise<PingInfo> {
    if (!this.#negotiation) {
      this.#negotiation = this.ping().then((info) => {
        if (!this.#version) {
          const server = info.apiVersion || '1.24';
          this.#version = compareVersions(server, CLIENT_MAX_API_VERSION) < 0 ? server : CLIENT_MAX_API_VERSION;
        }
        return info;
      });
    }
    return this.#negotiation;
  }

  async #path(path: string, o: RequestOptions): Promise<string> {
    let full = escapePath(path);
    if (o.versioned !== false) {
      if (!this.#version && o.rawBody !== undefined && !Buffer.isBuffer(o.rawBody)) await this.#negotiateQuietly();
      full = `/v${this.version}${full}`;
    }
    const qs = encodeQuery(o.query);
    return qs ? `${full}?${qs}` : full;
  }

  #headers(o: RequestOptions): { headers: Headers; body: Buffer | Readable | undefined } {
    const headers: Headers = { ...o.headers };
    let body: Buffer | Readable | undefined;
    if (o.body !== undefined) {
      body = Buffer.from(goJson(o.body));
      headers['Content-Type'] = o.contentType ?? 'application/json';
    } else if (o.rawBody !== undefined) {
      body = o.rawBody;
      if (o.contentType) headers['Content-Type'] = o.contentType;
    }
    if (Buffer.isBuffer(body)) headers['Content-Length'] = String(body.length);
    else if (body === undefined) headers['Content-Length'] = '0';
    else headers['Transfer-Encoding'] = 'chunked';
    return { headers, body };
  }

  /** Performs a request; resolves on the response headers. Non-2xx/3xx statuses throw ApiError. */
  request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    return this.#withDowngrade(o, () => this.#request(method, path, o));
  }

  /**
   * Runs a request; when the daemon says the client's API version is too new (no /_ping was made first), negotiates
   * the version and runs it once more.
   */
  async #withDowngrade<T>(o: RequestOptions, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (!this.#mustDowngrade(err, o)) throw err;
      await this.#negotiateQuietly();
      return send();
    }
  }

  async #request(method: string, path: string, o: RequestOptions): Promise<Response> {
    const fullPath = await this.#path(path, o);
    const { headers, body } = this.#headers(o);
    const res = await this.transport.request({ method, path: fullPath, headers, body, signal: o.signal, fresh: o.fresh });
    if ((res.statusCode ?? 0) >= 400) throw errorFromResponse(res, await readAll(res), fullPath);
    return res;
  }

  /** Request whose response body is JSON (or empty: undefined). */
  async json<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, o);
    const body = await readAll(res);
    if (body.length === 0) return undefined as T;
    return JSON.parse(body.toString('utf8')) as T;
  }

  /** Request whose body is ignored; returns the status (204, 304, ...). */
  async call(method: string, path: string, o: RequestOptions = {}): Promise<number> {
    const res = await this.request(method, path, o);
    await readAll(res);
    return res.statusCode ?? 0;
  }

  /** Hijacks the connection (attach / exec start): expects 101 UPGRADED, as the docker CLI does. */
  hijack(method: string, path: string, o: RequestOptions = {}): Promise<Hijacked> {
    return this.#withDowngrade(o, () => this.#hijack(method, path, o));
  }

  async #hijack(method: string, path: string, o: RequestOptions): Promise<Hijacked> {
    const fullPath = await this.#path(path, o);
    const { headers, body } = this.#headers(o);
    if (!headers['Content-Type']) headers['Content-Type'] = 'text/plain';
    headers.Connection = 'Upgrade';
    headers.Upgrade = 'tcp';
    const r = await this.transport.upgrade({ method, path: fullPath, headers, body, signal: o.signal });
    if ('hijacked' in r) return r.hijacked;
    const resBody = await readAll(r.response);
    if ((r.response.statusCode ?? 0) >= 400) throw errorFromResponse(r.response, resBody, fullPath);
    throw new Error(`unable to upgrade to tcp, received ${r.response.statusCode}`);
  }

  close(): void {
    this.transport.close();
  }
}

/** docker client checkResponseErr: JSON message only when Content-Type is exactly application/json. */
export function errorFromResponse(res: Response, body: Buffer, path: string): Error {
  const status = res.statusCode ?? 0;
  const statusText = `${status} ${res.statusMessage ?? ''}`.trim();
  if (body.length === 0) {
    return new ApiErrorNoBody(status, `request returned ${statusText} for API route and version ${path}, check if the server supports the requested API version`);
  }
  if (res.headers['content-type'] === 'application/json') {
    let msg: unknown;
    try {
      msg = (JSON.parse(body.toString('utf8')) as { message?: unknown }).message;
    } catch (err) {
      return new Error(`Error reading JSON: ${(err as Error).message}`);
    }
    if (typeof msg !== 'string' || msg === '') {
      return new ApiError(status, `API returned a ${status} (${res.statusMessage ?? ''}) but provided no error-message`);
    }
    return new ApiError(status, msg.trim());
  }
  return new ApiError(status, body.toString('utf8').trim());
}

/** An error status without a body: docker prints the bare message, not "Error response from daemon". */
class ApiErrorNoBody extends ApiError {
  constructor(status: number, text: string) {
    super(status, text);
    this.message = text;
  }
}
