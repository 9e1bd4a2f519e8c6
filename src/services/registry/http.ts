import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { getCACertificates } from 'node:tls';
import { SystemError } from '../../common/errors.ts';
import { goNetError, goTlsAlert, urlError } from '../../domain/registry/api-errors.ts';

/** TLS settings of one registry endpoint (moby's newTLSConfig: certs.d CAs and client certificate, or no verification). */
export interface TlsSettings {
  skipVerify: boolean;
  /** Extra CA certificates (PEM), added to the system ones. */
  ca?: Buffer[];
  /** Client certificates and their keys (certs.d `*.cert` + `*.key`), pairwise. */
  certs?: { cert: Buffer; key: Buffer }[];
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A Buffer (replayable, sent with Content-Length) or a stream (sent chunked unless `contentLength` is set). */
  body?: Buffer | Readable | AsyncIterable<Uint8Array>;
  contentLength?: number;
  tls?: TlsSettings;
  signal?: AbortSignal | undefined;
  /** Follow 3xx answers (GET/HEAD): blobs are often served from elsewhere. Authorization is dropped on a host change. */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** Every value of a header (WWW-Authenticate may come several times). */
  headerAll(name: string): string[];
  /** The URL that answered (after redirects). */
  url: string;
  body: IncomingMessage;
  /** Reads the whole body (up to `limit` bytes, 32 MiB by default). */
  buffer(limit?: number): Promise<Buffer>;
  text(): Promise<string>;
  /** Discards the body (keeps the connection reusable). */
  drain(): void;
}

/** A request that failed below HTTP (connect, TLS, reset), worded like Go's url.Error. */
export class RegistryNetworkError extends SystemError {
  override name = 'RegistryNetworkError';
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

function describeFailure(err: NodeJS.ErrnoException & { address?: string; port?: number; reason?: string }, host: string): string {
  const code = err.code;
  const addr = err.address !== undefined ? (err.address.includes(':') ? `[${err.address}]:${err.port}` : `${err.address}:${err.port}`) : undefined;
  if (code && TLS_VERIFY_CODES.has(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (code === 'CERT_HAS_EXPIRED') return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: x509: ${err.reason ?? err.message}`;
  if (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(err.message)) return 'http: server gave HTTP response to HTTPS client';
  if (code === 'ECONNRESET' && /socket hang up/.test(err.message)) return 'EOF';
  // an alert from the server (a client certificate it wants, a protocol it refuses): Go's remote error text
  const alert = goTlsAlert(err.message);
  if (alert !== undefined) return alert;
  return goNetError(code, host, addr, err.message);
}

function keyOf(protocol: string, tls: TlsSettings | undefined): string {
  if (protocol !== 'https:') return 'http';
  if (!tls) return 'https';
  const certs = (tls.certs ?? []).map((c) => c.cert.toString('base64')).join(',');
  return `https|${tls.skipVerify}|${(tls.ca ?? []).map((b) => b.toString('base64')).join(',')}|${certs}`;
}

export interface TransportOptions {
  /** DNS lookup used for every connection (tests point hosts at loopback). */
  lookup?: LookupFunction;
  /** A response that stays silent this long fails (ms). */
  idleTimeoutMs?: number;
}

/**
 * HTTP(S) for registry clients on node:http: one keep-alive agent per TLS setting, streaming bodies both ways,
 * redirects for blob downloads, and errors worded as the Go client words them (so the docker CLI prints what it
 * prints with dockerd).
 */
export class RegistryTransport {
  readonly #agents = new Map<string, http.Agent>();
  readonly #lookup: LookupFunction | undefined;
  readonly #idleTimeout: number;

  constructor(opts: TransportOptions = {}) {
    this.#lookup = opts.lookup;
    this.#idleTimeout = opts.idleTimeoutMs ?? 120_000;
  }

  #agent(protocol: string, tls: TlsSettings | undefined): http.Agent {
    const key = keyOf(protocol, tls);
    let a = this.#agents.get(key);
    if (!a) {
      if (protocol === 'https:') {
        const opts: https.AgentOptions = { keepAlive: true, rejectUnauthorized: !(tls?.skipVerify ?? false) };
        if (!tls?.skipVerify) opts.ca = [...systemRoots(), ...(tls?.ca ?? []).map((b) => b.toString())];
        if (tls?.certs?.length) {
          opts.cert = tls.certs.map((c) => c.cert);
          opts.key = tls.certs.map((c) => c.key);
        }
        a = new https.Agent(opts);
      } else {
        a = new http.Agent({ keepAlive: true });
      }
      this.#agents.set(key, a);
    }
    return a;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { ...req.headers };
    for (let hops = 0; ; hops++) {
      const res = await this.#once({ ...req, url, headers });
      const loc = res.headers.location;
      if (!req.followRedirects || res.status < 300 || res.status >= 400 || res.status === 304 || !loc) return res;
      res.drain();
      if (hops >= 10) throw new RegistryNetworkError(urlError(req.method, url, 'stopped after 10 redirects'), undefined, undefined);
      const next = new URL(loc, url);
      if (next.host !== new URL(url).host) {
        const { authorization: _drop, Authorization: _drop2, ...rest } = headers;
        headers = rest;
      }
      url = next.toString();
    }
  }

  #once(req: HttpRequest): Promise<HttpResponse> {
    const u = new URL(req.url);
    const mod = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string | number> = { ...req.headers };
    if (Buffer.isBuffer(req.body)) headers['Content-Length'] = req.body.length;
    else if (req.contentLength !== undefined) headers['Content-Length'] = req.contentLength;
    else if (req.body === undefined && ['POST', 'PUT', 'PATCH'].includes(req.method)) headers['Content-Length'] = 0;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        if (req.signal?.aborted) {
          reject(req.signal.reason ?? err);
          return;
        }
        const e = err as NodeJS.ErrnoException;
        reject(new RegistryNetworkError(urlError(req.method, req.url, describeFailure(e, u.host)), e.code, err));
      };
      const options: https.RequestOptions = {
        method: req.method,
        headers,
        agent: this.#agent(u.protocol, req.tls),
        signal: req.signal,
      };
      if (this.#lookup) options.lookup = this.#lookup;
      const r = mod.request(u, options, (res) => {
        settled = true;
        res.setTimeout(this.#idleTimeout, () => res.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
        resolve(wrapResponse(res, req.url));
      });
      r.setTimeout(this.#idleTimeout, () => r.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
      r.on('error', fail);
      const body = req.body;
      if (body === undefined) r.end();
      else if (Buffer.isBuffer(body)) r.end(body);
      else {
        const src = body instanceof Readable ? body : Readable.from(body, { objectMode: false });
        src.on('error', (e) => {
          r.destroy(e);
          fail(e);
        });
        src.pipe(r);
      }
    });
  }

  close(): void {
    for (const a of this.#agents.values()) a.destroy();
    this.#agents.clear();
  }
}

let rootCache: readonly string[] | undefined;
/** The roots a certs.d CA is added to: Node's default store plus the system's (as Go's SystemCertPool). */
function systemRoots(): readonly string[] {
  rootCache ??= [...new Set([...getCACertificates('default'), ...getCACertificates('system')])];
  return rootCache;
}

function wrapResponse(res: IncomingMessage, url: string): HttpResponse {
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    headers: res.headers,
    headerAll: (name) => {
      const v = res.headersDistinct[name.toLowerCase()];
      return v ?? [];
    },
    url,
    body: res,
    async buffer(limit = 32 * 1024 * 1024) {
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const c of res) {
        n += (c as Buffer).length;
        if (n > limit) {
          res.destroy();
          throw new SystemError(`response from ${url} is larger than ${limit} bytes`);
        }
        chunks.push(c as Buffer);
      }
      return Buffer.concat(chunks);
    },
    async text() {
      return (await this.buffer()).toString('utf8');
    },
    drain() {
      res.resume();
    },
  };
}
