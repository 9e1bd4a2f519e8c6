import { chmod, mkdir, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../common/log.ts';
import { messageOf, statusOf } from './errors.ts';
import type { ApiRequest, ApiResponse, Router } from './router.ts';
import { API_VERSION, ENGINE_VERSION, MAX_VERSION_NUM, MIN_API_VERSION, MIN_VERSION_NUM, parseApiVersion } from './version.ts';

export interface TlsOptions {
  cert: Buffer;
  key: Buffer;
  /** With a CA, client certificates signed by it are required (--tlsverify). */
  ca?: Buffer;
  verify: boolean;
}

export interface Listener {
  /** unix:///path or tcp://host:port */
  address: string;
  tls?: TlsOptions;
}

const STD_HEADERS = {
  'Api-Version': API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: `Berth/${ENGINE_VERSION} (linux)`,
};

/**
 * The Engine API server: one request handler for unix sockets and TCP (optionally mutual TLS), version prefixes,
 * hijacked connections (attach, exec) and streaming responses flushed at once.
 */
export class ApiServer {
  readonly #router: Router;
  readonly #log: Logger;
  readonly #servers: { server: http.Server; path?: string }[] = [];
  readonly #sockets = new Set<Duplex>();

  constructor(router: Router, log: Logger) {
    this.#router = router;
    this.#log = log;
  }

  async listen(l: Listener): Promise<string> {
    const server = l.tls
      ? https.createServer({ cert: l.tls.cert, key: l.tls.key, ca: l.tls.ca, requestCert: l.tls.verify, rejectUnauthorized: l.tls.verify })
      : http.createServer();
    server.keepAliveTimeout = 0;
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.on('request', (req, res) => void this.#onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#onUpgrade(req, socket, head));
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('secureConnection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n400 Bad Request');
      else socket.destroy();
    });
    const u = new URL(l.address);
    if (u.protocol === 'unix:') {
      const path = u.pathname;
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { force: true });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
      await chmod(path, 0o660);
      this.#servers.push({ server, path });
      return `unix://${path}`;
    }
    if (u.protocol === 'tcp:') {
      const host = u.hostname.replace(/^\[|\]$/g, '') || '0.0.0.0';
      const port = Number(u.port || (l.tls ? 2376 : 2375));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      this.#servers.push({ server });
      const a = server.address();
      return typeof a === 'object' && a ? `tcp://${host}:${a.port}` : l.address;
    }
    throw new Error(`unsupported protocol in host address: ${l.address}`);
  }

  async close(): Promise<void> {
    for (const { server, path } of this.#servers) {
      server.close();
      if (path) await rm(path, { force: true });
    }
    for (const s of this.#sockets) s.destroy();
  }

  /** Splits /v1.41/containers/json into version and path; undefined version means "latest". */
  #resolve(rawUrl: string): { path: string; query: URLSearchParams; version?: string } {
    const u = new URL(rawUrl, 'http://x');
    let path = u.pathname;
    let version: string | undefined;
    const m = /^\/v([0-9.]+)(\/.*)$/.exec(path);
    if (m) {
      version = m[1];
      path = m[2]!;
    }
    return { path, query: u.searchParams, version };
  }

  async #dispatch(req: IncomingMessage, res: ApiResponse, signal: AbortSignal): Promise<void> {
    const { path, query, version } = this.#resolve(req.url ?? '/');
    let vnum = MAX_VERSION_NUM;
    if (version !== undefined) {
      vnum = parseApiVersion(version);
      if (Number.isNaN(vnum)) {
        res.json(404, { message: 'page not found' });
        return;
      }
      if (vnum > MAX_VERSION_NUM) {
        res.json(400, { message: `client version ${version} is too new. Maximum supported API version is ${API_VERSION}` });
        return;
      }
      if (vnum < MIN_VERSION_NUM) {
        res.json(400, { message: `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version` });
        return;
      }
    }
    const method = req.method ?? 'GET';
    const found = this.#router.match(method, path);
    if (!('handler' in found)) {
      res.json(found.methodMismatch ? 405 : 404, { message: found.methodMismatch ? 'method not allowed' : 'page not found' });
      return;
    }
    const log = this.#log;
    const apiReq: ApiRequest = { method, path, params: found.params, query, version: vnum, headers: req.headers, raw: req, log, signal };
    const t0 = performance.now();
    try {
      await found.handler(apiReq, res);
      if (log.level === 'debug') log.debug('request', { method, path, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) log.error('handler failed', { method, path, error: messageOf(err) });
      else log.debug('request refused', { method, path, status, error: messageOf(err) });
      if (!res.started) {
        if (status === 304) res.noContent(304);
        else res.json(status, { message: messageOf(err) });
      } else {
        log.debug('error after response started', { path, error: messageOf(err) });
      }
    }
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    await this.#dispatch(req, new HttpResponse(req, res), ac.signal);
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const ac = new AbortController();
    socket.on('close', () => ac.abort());
    socket.on('error', () => ac.abort());
    if (head.length > 0) socket.unshift(head);
    const r = new UpgradeResponse(socket);
    await this.#dispatch(req, r, ac.signal);
    if (!r.started) socket.end();
  }
}

function stdHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(STD_HEADERS)) res.setHeader(k, v);
}

/** A normal request/response exchange. */
class HttpResponse implements ApiResponse {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  constructor(req: IncomingMessage, res: ServerResponse) {
    this.#req = req;
    this.#res = res;
  }
  get started(): boolean {
    return this.#res.headersSent;
  }
  json(status: number, body: unknown): void {
    const data = JSON.stringify(body) + '\n';
    stdHeaders(this.#res);
    this.#res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
    this.#res.end(this.#req.method === 'HEAD' ? undefined : data);
  }
  noContent(status = 204): void {
    stdHeaders(this.#res);
    this.#res.writeHead(status);
    this.#res.end();
  }
  text(status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
    stdHeaders(this.#res);
    const len = this.#req.method === 'HEAD' ? 0 : Buffer.byteLength(body);
    this.#res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': len });
    this.#res.end(this.#req.method === 'HEAD' ? undefined : body);
  }
  stream(contentType: string | undefined, status = 200, headers: Record<string, string> = {}): ServerResponse {
    stdHeaders(this.#res);
    for (const [k, v] of Object.entries(headers)) this.#res.setHeader(k, v);
    if (contentType) this.#res.setHeader('Content-Type', contentType);
    this.#res.writeHead(status);
    this.#res.flushHeaders();
    return this.#res;
  }
  hijack(contentType: string): Duplex {
    // No Upgrade header: 200 + raw stream on a connection that closes at the end (moby's non-upgrade path).
    const res = this.#res;
    res.useChunkedEncodingByDefault = false;
    res.shouldKeepAlive = false;
    res.writeHead(200, { 'Content-Type': contentType, Connection: 'close' });
    res.flushHeaders();
    return new ResponseDuplex(this.#req, res);
  }
}

import { Duplex as DuplexStream } from 'node:stream';

/** Adapts a 200 raw-stream response to a Duplex: output only (stdin bytes cannot arrive on this path). */
class ResponseDuplex extends DuplexStream {
  readonly #res: ServerResponse;
  constructor(req: IncomingMessage, res: ServerResponse) {
    super({ allowHalfOpen: true });
    this.#res = res;
    res.on('close', () => this.destroy());
    req.resume();
    this.push(null);
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.#res.write(chunk, (e) => cb(e ?? null));
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.#res.end(() => cb());
  }
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };

/** A request that arrived with Connection: Upgrade; answers are written as raw HTTP on the socket. */
class UpgradeResponse implements ApiResponse {
  readonly #socket: Duplex;
  #started = false;
  constructor(socket: Duplex) {
    this.#socket = socket;
  }
  get started(): boolean {
    return this.#started;
  }
  #head(status: number, headers: Record<string, string | number>): string {
    let s = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? ''}\r\n`;
    for (const [k, v] of Object.entries({ ...STD_HEADERS, ...headers })) s += `${k}: ${v}\r\n`;
    return s + '\r\n';
  }
  json(status: number, body: unknown): void {
    const data = JSON.stringify(body) + '\n';
    this.#started = true;
    this.#socket.end(this.#head(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), Connection: 'close' }) + data);
  }
  noContent(status = 204): void {
    this.#started = true;
    this.#socket.end(this.#head(status, { 'Content-Length': 0, Connection: 'close' }));
  }
  text(status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
    this.#started = true;
    this.#socket.end(this.#head(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), Connection: 'close' }) + body);
  }
  stream(contentType: string | undefined, status = 200, headers: Record<string, string> = {}): Duplex {
    this.#started = true;
    const h: Record<string, string> = { ...headers, Connection: 'close' };
    if (contentType) h['Content-Type'] = contentType;
    this.#socket.write(this.#head(status, h));
    return this.#socket;
  }
  hijack(contentType: string): Duplex {
    this.#started = true;
    this.#socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    return this.#socket;
  }
}
