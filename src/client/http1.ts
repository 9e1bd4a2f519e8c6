/**
 * A small HTTP/1.1 client over node:net / node:tls sockets (or any Duplex, such as an ssh child's stdio). Node 26's node:http pulls in undici, http2, tls and
 * zlib on import (≈100 ms), which would dominate the CLI's start-up; the Engine API needs only plain HTTP/1.1:
 * Content-Length and chunked bodies (both ways), keep-alive reuse, and 101 upgrades for hijacked streams.
 */
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';

export type Headers = Record<string, string | string[] | undefined>;

/** The parts of http.IncomingMessage the client uses. */
export class Response extends Readable {
  statusCode = 0;
  statusMessage = '';
  headers: Record<string, string> = {};
  /** Headers with their original case, in order (for debugging). */
  rawHeaders: string[] = [];
  override _read(): void {
    this.emit('wantData');
  }
}

export interface Exchange {
  response: Response;
  /** On 101: the socket, now carrying raw stream bytes, and bytes already read past the headers. */
  upgraded?: { socket: Duplex; head: Buffer };
}

export class HttpParseError extends Error {
  override name = 'HttpParseError';
}

function serializeHead(method: string, path: string, headers: Headers): string {
  let s = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) s += `${k}: ${one}\r\n`;
  }
  return `${s}\r\n`;
}

/** Writes a request (head + body) on a connected socket. A stream body is sent chunked. */
export function writeRequest(socket: Duplex, method: string, path: string, headers: Headers, body: Buffer | Readable | undefined): void {
  const head = serializeHead(method, path, headers);
  if (body === undefined || Buffer.isBuffer(body)) {
    socket.write(body?.length ? Buffer.concat([Buffer.from(head), body]) : head);
    return;
  }
  socket.write(head);
  void (async () => {
    try {
      for await (const chunk of body) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        if (b.length === 0) continue;
        if (!socket.write(Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]))) {
          await new Promise((r) => socket.once('drain', r));
        }
      }
      socket.write('0\r\n\r\n');
    } catch (err) {
      socket.destroy(err as Error);
    }
  })();
}

type BodyMode = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/**
 * Reads one response from the socket. Resolves when the headers are parsed; the body then streams into
 * `response`. `onDone(reusable)` runs once the body has ended (reusable: the connection may be kept alive).
 */
export function readResponse(socket: Duplex, method: string, onDone: (reusable: boolean) => void): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    let response: Response | undefined;
    let mode: BodyMode = { kind: 'none' };
    let chunkLeft = -1;
    let finished = false;
    let keepAlive = true;

    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      cleanup();
      response!.push(null);
      onDone(keepAlive && mode.kind !== 'close' && buf.length === 0);
    };
    const fail = (err: Error) => {
      cleanup();
      if (!response) reject(err);
      else if (!finished) response.destroy(err);
      onDone(false);
    };

    const parseHead = (): boolean => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 64 * 1024) fail(new HttpParseError('malformed HTTP response: header too long'));
        return false;
      }
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      buf = buf.subarray(end + 4);
      const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]!);
      if (!m) {
        fail(new HttpParseError(`malformed HTTP response ${JSON.stringify(lines[0])}`));
        return false;
      }
      const res = new Response();
      res.statusCode = Number(m[1]);
      res.statusMessage = m[2] ?? '';
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        res.rawHeaders.push(k, v);
        const lk = k.toLowerCase();
        res.headers[lk] = lk in res.headers ? `${res.headers[lk]}, ${v}` : v;
      }
      response = res;
      if (res.statusCode === 101) {
        cleanup();
        finished = true;
        res.push(null);
        socket.pause();
        resolve({ response: res, upgraded: { socket, head: buf } });
        return false;
      }
      keepAlive = !/\bclose\b/i.test(res.headers.connection ?? '');
      const te = res.headers['transfer-encoding'];
      const cl = res.headers['content-length'];
      if (method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304 || (res.statusCode >= 100 && res.statusCode < 200)) mode = { kind: 'none' };
      else if (te && /chunked/i.test(te)) mode = { kind: 'chunked' };
      else if (cl !== undefined) mode = { kind: 'length', left: Number(cl) };
      else mode = { kind: 'close' };
      res.on('wantData', () => socket.resume());
      resolve({ response: res });
      return true;
    };

    const pushBody = (b: Buffer) => {
      if (b.length && !response!.push(b)) socket.pause();
    };

    const consume = () => {
      if (!response) {
        if (!parseHead()) return;
      }
      if (finished) return;
      switch (mode.kind) {
        case 'none':
          finish();
          return;
        case 'length': {
          const take = Math.min(mode.left, buf.length);
          pushBody(buf.subarray(0, take));
          buf = buf.subarray(take);
          mode.left -= take;
          if (mode.left === 0) finish();
          return;
        }
        case 'close':
          pushBody(buf);
          buf = Buffer.alloc(0);
          return;
        case 'chunked':
          for (;;) {
            if (chunkLeft < 0) {
              const nl = buf.indexOf('\r\n');
              if (nl < 0) return;
              const size = Number.parseInt(buf.subarray(0, nl).toString('latin1').split(';')[0]!, 16);
              if (Number.isNaN(size)) {
                fail(new HttpParseError('malformed chunked encoding'));
                return;
              }
              buf = buf.subarray(nl + 2);
              if (size === 0) {
                // trailers end with an empty line
                const t = buf.indexOf('\r\n');
                if (t < 0) {
                  chunkLeft = -2;
                  return;
                }
                buf = buf.subarray(t + 2);
                finish();
                return;
              }
              chunkLeft = size;
            }
            if (chunkLeft === -2) {
              const t = buf.indexOf('\r\n');
              if (t < 0) return;
              buf = buf.subarray(t + 2);
              finish();
              return;
            }
            if (chunkLeft > 0) {
              const take = Math.min(chunkLeft, buf.length);
              pushBody(buf.subarray(0, take));
              buf = buf.subarray(take);
              chunkLeft -= take;
              if (chunkLeft > 0) return;
            }
            if (buf.length < 2) return;
            buf = buf.subarray(2);
            chunkLeft = -1;
          }
      }
    };

    function onData(d: Buffer) {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      consume();
    }
    function onEnd() {
      if (response && mode.kind === 'close') {
        keepAlive = false;
        finish();
        return;
      }
      if (!finished) fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    }
    function onError(err: Error) {
      fail(err);
    }
    function onClose() {
      if (!finished) onEnd();
    }
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.resume();
  });
}
