/**
 * A tiny scriptable Engine API server on a unix socket in a temp dir, for CLI tests: it records every request
 * (method, path, query, headers, body) and answers from handlers registered per method + path pattern.
 * It answers `/_ping` like a 1.47 daemon and supports the attach/exec hijack (101 UPGRADED, half-open sockets).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Recorded {
  method: string;
  /** Path without the /vX.Y prefix. */
  path: string;
  version: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The raw request target. */
  url: string;
}

export interface HandlerCtx {
  req: Recorded;
  res: ServerResponse;
  params: string[];
}

export interface HijackCtx {
  req: Recorded;
  socket: Socket;
  params: string[];
  /** Writes the 101 response headers. */
  upgrade(contentType?: string): void;
}

type Handler = (c: HandlerCtx) => void | Promise<void>;
type HijackHandler = (c: HijackCtx) => void | Promise<void>;

interface Route {
  method: string;
  re: RegExp;
  handler?: Handler;
  hijack?: HijackHandler;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Api-Version': '1.47' });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { message });
}

export function frame(stream: number, payload: string | Buffer): Buffer {
  const p = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(p.length, 4);
  return Buffer.concat([h, p]);
}

function pattern(p: string): RegExp {
  const src = p
    .split('/')
    .map((seg) => (seg === '*' ? '(.+)' : seg.startsWith(':') ? '([^/]+)' : seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${src}$`);
}

export class FakeEngine {
  readonly dir: string;
  readonly socketPath: string;
  readonly requests: Recorded[] = [];
  apiVersion = '1.47';
  readonly #routes: Route[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'berth-fake-engine-'));
    this.socketPath = join(this.dir, 'engine.sock');
    this.#server = createServer({ allowHalfOpen: true } as never, (req, res) => void this.#onRequest(req, res));
    this.#server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.#server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void this.#onUpgrade(req, socket, head));
  }

  static async start(): Promise<FakeEngine> {
    const e = new FakeEngine();
    await new Promise<void>((resolve) => e.#server.listen(e.socketPath, resolve));
    return e;
  }

  get host(): string {
    return `unix://${this.socketPath}`;
  }

  /** Registers a handler; path patterns use `:x` for one segment and `*` for the rest (greedy). */
  on(method: string, path: string, handler: Handler): this {
    this.#routes.unshift({ method, re: pattern(path), handler });
    return this;
  }

  onHijack(method: string, path: string, handler: HijackHandler): this {
    this.#routes.unshift({ method, re: pattern(path), hijack: handler });
    return this;
  }

  /** Requests other than /_ping, as "METHOD /path?query" lines. */
  calls(): string[] {
    return this.requests.filter((r) => r.path !== '/_ping').map((r) => `${r.method} ${r.path}${r.query.size ? `?${r.query.toString()}` : ''}`);
  }

  #record(req: IncomingMessage, body: Buffer): Recorded {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
    const rec: Recorded = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(m ? m[2]! : url.pathname),
      version: m ? m[1]! : '',
      query: url.searchParams,
      headers: req.headers,
      body,
      url: req.url ?? '',
    };
    this.requests.push(rec);
    return rec;
  }

  /** As dockerd: a request for a newer API version than the engine's is refused with 400. */
  #tooNew(rec: Recorded): boolean {
    if (!rec.version || !this.apiVersion) return false;
    const [a, b] = rec.version.split('.').map(Number) as [number, number];
    const [x, y] = this.apiVersion.split('.').map(Number) as [number, number];
    return a > x || (a === x && b > y);
  }

  #match(method: string, path: string): { route: Route; params: string[] } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const m = route.re.exec(path);
      if (m) return { route, params: m.slice(1) };
    }
    return undefined;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rec = this.#record(req, Buffer.concat(chunks));
    if (rec.path === '/_ping') {
      res.writeHead(200, {
        'Api-Version': this.apiVersion,
        Ostype: 'linux',
        'Docker-Experimental': 'false',
        'Cache-Control': 'no-cache, no-store, must-revalidate',
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': req.method === 'HEAD' ? 0 : 2,
      });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    if (this.#tooNew(rec)) {
      sendError(res, 400, `client version ${rec.version} is too new. Maximum supported API version is ${this.apiVersion}`);
      return;
    }
    const m = this.#match(rec.method, rec.path);
    if (!m?.route.handler) {
      sendError(res, 404, 'page not found');
      return;
    }
    try {
      await m.route.handler({ req: rec, res, params: m.params });
    } catch (err) {
      if (!res.headersSent) sendError(res, 500, (err as Error).message);
      else res.destroy();
    }
  }

  async #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    // Node 26 delivers the body of an Upgrade request (the exec start JSON) on `req`, not in `head`.
    let body = head;
    const want = Number(req.headers['content-length'] ?? 0);
    if (want > 0 && body.length < want) {
      const chunks: Buffer[] = [body];
      for await (const c of req) chunks.push(c as Buffer);
      body = Buffer.concat(chunks);
    }
    const rec = this.#record(req, body);
    if (this.#tooNew(rec)) {
      const text = `${JSON.stringify({ message: `client version ${rec.version} is too new. Maximum supported API version is ${this.apiVersion}` })}\n`;
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
      return;
    }
    const m = this.#match(rec.method, rec.path);
    if (!m?.route.hijack) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{"message":"page not found"}\n');
      return;
    }
    await m.route.hijack({
      req: rec,
      socket,
      params: m.params,
      upgrade: (contentType = 'application/vnd.docker.raw-stream') =>
        socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`),
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
