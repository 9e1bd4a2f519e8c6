import { request } from 'node:http';
import { connect } from 'node:net';

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP request to the daemon's unix socket through node:http (well-formed requests). */
export function unixRequest(
  socketPath: string,
  method: string,
  path: string,
  opts: { body?: string | Uint8Array; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: 'api.moby.localhost', ...opts.headers };
    if (opts.body !== undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
      headers['Content-Type'] ??= 'application/json';
    }
    const req = request({ socketPath, method, path, headers, agent: false, timeout: opts.timeoutMs ?? 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** True when `GET /_ping` answers 200 "OK". */
export async function ping(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await unixRequest(socketPath, 'GET', '/_ping', { timeoutMs });
    return r.status === 200 && r.body === 'OK';
  } catch {
    return false;
  }
}

export interface RawExchange {
  /** Everything the server sent before it closed or the timeout hit. */
  response: Buffer;
  /** The server closed (or reset) the connection. */
  closed: boolean;
  timedOut: boolean;
  error?: string;
}

/**
 * Writes raw bytes to the socket (optionally in pieces, optionally half-closing afterwards) and collects what
 * comes back until the server closes the connection, a complete response has arrived, or the timeout hits.
 */
export function rawExchange(
  socketPath: string,
  pieces: (string | Uint8Array)[],
  opts: { halfClose?: boolean; timeoutMs?: number } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const sock = connect({ path: socketPath, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (r: Omit<RawExchange, 'response'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ response: Buffer.concat(chunks), ...r });
    };
    const timer = setTimeout(() => finish({ closed: false, timedOut: true }), opts.timeoutMs ?? 5000);
    sock.on('connect', () => {
      for (const p of pieces) sock.write(p);
      if (opts.halfClose) sock.end();
    });
    sock.on('data', (b: Buffer) => {
      chunks.push(b);
      const parsed = parseRawResponse(Buffer.concat(chunks));
      if (parsed?.complete) finish({ closed: false, timedOut: false });
    });
    sock.on('end', () => finish({ closed: true, timedOut: false }));
    sock.on('close', () => finish({ closed: true, timedOut: false }));
    sock.on('error', (e) => finish({ closed: true, timedOut: false, error: e.message }));
  });
}

export interface ParsedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body is fully there (by Content-Length or the final chunk). */
  complete: boolean;
}

/** Parses the first HTTP/1.x response in `buf`; undefined while the header block is incomplete. */
export function parseRawResponse(buf: Buffer): ParsedResponse | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
  if (!m) return { status: 0, headers: {}, body: buf.toString('latin1'), complete: true };
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const status = Number(m[1]);
  const rest = buf.subarray(end + 4);
  if (status === 204 || status === 304 || status === 101) return { status, headers, body: '', complete: true };
  if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length']);
    return { status, headers, body: rest.subarray(0, len).toString('utf8'), complete: rest.length >= len };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const { body, complete } = dechunk(rest);
    return { status, headers, body, complete };
  }
  return { status, headers, body: rest.toString('utf8'), complete: false };
}

function dechunk(buf: Buffer): { body: string; complete: boolean } {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf('\r\n', pos);
    if (nl < 0) return { body: Buffer.concat(parts).toString('utf8'), complete: false };
    const size = Number.parseInt(buf.subarray(pos, nl).toString('latin1'), 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts).toString('utf8'), complete: true };
    if (size === 0) return { body: Buffer.concat(parts).toString('utf8'), complete: true };
    if (buf.length < nl + 2 + size) return { body: Buffer.concat(parts).toString('utf8'), complete: false };
    parts.push(buf.subarray(nl + 2, nl + 2 + size));
    pos = nl + 2 + size + 2;
  }
}
