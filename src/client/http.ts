/**
 * Transport to the Engine API over a unix socket, TCP, TLS or an ssh:// host (the system ssh running dial-stdio
 * on the remote host, one ssh process per connection as in docker): HTTP/1.1 with keep-alive connection reuse
 * (like Go's transport: sequential calls share one connection, hijacks and long waits get their own).
 * Built on node:net/node:tls with the small parser in http1.ts — node:http costs ~100 ms to import on Node 26.
 */
import type { Socket } from 'node:net';
import { connect as netConnect } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { CommandConn } from './command-conn.ts';
import { transportError } from './errors.ts';
import type { Endpoint } from './host.ts';
import type { Headers, Response } from './http1.ts';
import { readResponse, writeRequest } from './http1.ts';

export type { Response };

export interface RawRequest {
  method: string;
  /** Full path including the version prefix and query string. */
  path: string;
  headers?: Headers;
  body?: Buffer | string | Readable;
  signal?: AbortSignal;
  /** Use a fresh connection (hijacks, long waits) instead of the shared keep-alive pool. */
  fresh?: boolean;
}

/** A connection to the daemon: a net/tls socket, or the stdio of an ssh process. */
export type Conn = Duplex;

/** The Host header and URL host of ssh:// connections (docker's connhelper uses the same dummy name). */
export const SSH_DUMMY_HOST = 'docker.example.com';

export interface Hijacked {
  socket: Conn;
  head: Buffer;
  response: Response;
}

export class Transport {
  readonly endpoint: Endpoint;
  readonly userAgent: string;
  readonly #idle: Conn[] = [];
  readonly #all = new Set<Conn>();

  constructor(endpoint: Endpoint, userAgent: string) {
    this.endpoint = endpoint;
    this.userAgent = userAgent;
  }

  /** Opens a new connection to the daemon (no HTTP on it yet): what `system dial-stdio` proxies. */
  async dial(): Promise<Conn> {
    const ep = this.endpoint;
    if (ep.kind === 'ssh') {
      const { CommandConn } = await import('./command-conn.ts');
      const { sshArgs } = await import('./ssh.ts');
      return new CommandConn('ssh', sshArgs(ep.ssh));
    }
    let socket: Socket;
    if (ep.kind === 'unix') {
      socket = netConnect({ path: ep.socketPath });
    } else if (ep.tls) {
      // getBuiltinModule, not import(): the CLI bundle runs as a vm.Script, where import() is not available
      const tls = process.getBuiltinModule('node:tls');
      socket = tls.connect({
        host: ep.host,
        port: ep.port,
        servername: /^[\d.]+$|:/.test(ep.host) ? undefined : ep.host,
        ca: ep.tls.ca,
        cert: ep.tls.cert,
        key: ep.tls.key,
        rejectUnauthorized: ep.tls.verify,
        ...(ep.tls.verify ? {} : { checkServerIdentity: () => undefined }),
      });
    } else {
      socket = netConnect({ host: ep.host, port: ep.port });
    }
    const readyEvent = ep.kind === 'tcp' && ep.tls ? 'secureConnect' : 'connect';
    await new Promise<void>((resolve, reject) => {
      const onErr = (err: Error) => {
        socket.off(readyEvent, onOk);
        reject(err);
      };
      const onOk = () => {
        socket.off('error', onErr);
        resolve();
      };
      socket.once(readyEvent, onOk);
      socket.once('error', onErr);
    });
    socket.setNoDelay(true);
    return socket;
  }

  async #connect(): Promise<Conn> {
    const conn = await this.dial();
    this.#all.add(conn);
    conn.once('close', () => {
      this.#all.delete(conn);
      const i = this.#idle.indexOf(conn);
      if (i >= 0) this.#idle.splice(i, 1);
    });
    return conn;
  }

  /** An idle connection that may carry the next request. */
  #reusable(c: Conn): boolean {
    if (c.destroyed) return false;
    if ('readyState' in c) return (c as Socket).readyState === 'open';
    return (c as CommandConn).alive;
  }

  async #socket(fresh: boolean): Promise<Conn> {
    if (!fresh) {
      while (this.#idle.length) {
        const s = this.#idle.pop()!;
        if (this.#reusable(s)) return s;
        s.destroy();
      }
    }
    return this.#connect();
  }

  #headers(r: RawRequest): Headers {
    const ep = this.endpoint;
    const host =
      ep.kind === 'unix' ? 'api.moby.localhost' : ep.kind === 'ssh' ? SSH_DUMMY_HOST : ep.host.includes(':') ? `[${ep.host}]:${ep.port}` : `${ep.host}:${ep.port}`;
    return { Host: host, 'User-Agent': this.userAgent, ...r.headers };
  }

  #path(r: RawRequest): string {
    return this.endpoint.kind === 'tcp' ? this.endpoint.basePath + r.path : r.path;
  }

  #wrap(err: NodeJS.ErrnoException, r: RawRequest): Error {
    if (err.name === 'AbortError') return err;
    const ep = this.endpoint;
    const scheme = ep.kind === 'tcp' && ep.tls ? 'https' : 'http';
    const host = ep.kind === 'unix' ? encodeURIComponent(ep.socketPath) : ep.kind === 'ssh' ? SSH_DUMMY_HOST : `${ep.host}:${ep.port}`;
    const method = r.method.charAt(0) + r.method.slice(1).toLowerCase();
    return transportError(err, ep.url, method, `${scheme}://${host}${r.path}`);
  }

  async #exchange(r: RawRequest, fresh: boolean) {
    if (r.signal?.aborted) throw r.signal.reason ?? new DOMException('aborted', 'AbortError');
    let socket: Conn;
    try {
      socket = await this.#socket(fresh);
    } catch (err) {
      throw this.#wrap(err as NodeJS.ErrnoException, r);
    }
    const onAbort = () => socket.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    r.signal?.addEventListener('abort', onAbort, { once: true });
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
    const pending = readResponse(socket, r.method, (reusable) => {
      r.signal?.removeEventListener('abort', onAbort);
      if (socket.destroyed) return;
      if (reusable && !fresh) {
        socket.pause();
        this.#idle.push(socket);
      } else {
        socket.destroy();
      }
    });
    writeRequest(socket, r.method, this.#path(r), this.#headers(r), body);
    try {
      return await pending;
    } catch (err) {
      r.signal?.removeEventListener('abort', onAbort);
      throw this.#wrap(err as NodeJS.ErrnoException, r);
    }
  }

  /** Sends a request; resolves when the response headers arrive. */
  async request(r: RawRequest): Promise<Response> {
    const ex = await this.#exchange(r, !!r.fresh);
    if (ex.upgraded) {
      ex.upgraded.socket.destroy();
      throw new Error('unexpected 101 response');
    }
    return ex.response;
  }

  /** Sends an Upgrade request (attach, exec start); resolves with the raw socket on 101, or the plain response. */
  async upgrade(r: RawRequest): Promise<{ hijacked: Hijacked } | { response: Response }> {
    const ex = await this.#exchange(r, true);
    if (ex.upgraded) return { hijacked: { socket: ex.upgraded.socket, head: ex.upgraded.head, response: ex.response } };
    return { response: ex.response };
  }

  close(): void {
    for (const s of this.#all) s.destroy();
    this.#idle.length = 0;
  }
}
