import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../common/log.ts';

/**
 * What a handler sees. `version` is the API version the client asked for (the daemon's maximum when the path has
 * no /vX.Y prefix). `hijack` exists only when the client asked to upgrade the connection.
 */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  version: number;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
  log: Logger;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface ApiResponse {
  /** True once headers have been sent (a stream or hijack has started). */
  readonly started: boolean;
  json(status: number, body: unknown): void;
  noContent(status?: number): void;
  text(status: number, body: string, contentType?: string, headers?: Record<string, string>): void;
  /** Sends 200 headers (and `headers`) at once (flushed) and returns the response to write the stream to. */
  stream(contentType: string | undefined, status?: number, headers?: Record<string, string>): ServerResponse | Duplex;
  /**
   * Takes over the connection for attach/exec: 101 UPGRADED when the client asked for an upgrade, else
   * `200 OK` with a raw stream and Connection: close. Returns the raw socket.
   */
  hijack(contentType: string): Duplex;
}

export type Handler = (req: ApiRequest, res: ApiResponse) => Promise<void> | void;

interface Route {
  method: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

/**
 * Route table. Patterns use `{name}` for one path segment and `{name*}` for a greedy match that may contain
 * slashes and colons (image references), as moby registers `{name:.*}`.
 */
export class Router {
  readonly #routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    const names: string[] = [];
    const src = pattern
      .split(/(\{[a-zA-Z]+\*?\})/)
      .map((part) => {
        const m = /^\{([a-zA-Z]+)(\*?)\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('');
    this.#routes.push({ method, re: new RegExp(`^${src}/?$`), names, handler });
  }

  get(p: string, h: Handler): void {
    this.add('GET', p, h);
  }
  post(p: string, h: Handler): void {
    this.add('POST', p, h);
  }
  put(p: string, h: Handler): void {
    this.add('PUT', p, h);
  }
  delete(p: string, h: Handler): void {
    this.add('DELETE', p, h);
  }
  head(p: string, h: Handler): void {
    this.add('HEAD', p, h);
  }

  /** Finds the handler; `methodMismatch` tells a 405 from a 404. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | { methodMismatch: boolean } {
    let mismatch = false;
    for (const r of this.#routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      if (r.method !== method) {
        mismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]!);
      });
      return { handler: r.handler, params };
    }
    return { methodMismatch: mismatch };
  }
}
