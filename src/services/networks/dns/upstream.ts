import dgram from 'node:dgram';
import net from 'node:net';

/** libnetwork's extIOTimeout: how long one external server gets to answer. */
export const UPSTREAM_TIMEOUT_MS = 4000;
/** libnetwork's maxConcurrent: forwarded queries in flight at once (more are answered SERVFAIL). */
export const MAX_CONCURRENT = 1024;

/** "1.2.3.4", "1.2.3.4:5353", "2001:db8::1" or "[2001:db8::1]:5353" → host and port. */
export function parseServer(s: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : 53 };
  const v4 = /^([\d.]+):(\d+)$/.exec(s);
  if (v4) return { host: v4[1]!, port: Number(v4[2]) };
  return { host: s, port: 53 };
}

function udpExchange(server: { host: string; port: number }, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    let settled = false;
    const done = (b: Buffer | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('error', () => done(undefined));
    sock.on('message', (msg, rinfo) => {
      // only the server's answer to this query (a stray datagram is ignored)
      if (msg.length >= 12 && msg.readUInt16BE(0) === id && rinfo.port === server.port) done(msg);
    });
    sock.send(query, server.port, server.host, (err) => {
      if (err) done(undefined);
    });
  });
}

function tcpExchange(server: { host: string; port: number }, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const done = (b: Buffer | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('error', () => done(undefined));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('end', () => done(undefined));
  });
}

/**
 * Forwards queries to external servers from the daemon's network namespace: the servers are tried in order, each
 * with its own timeout, over the transport the container used (a truncated UDP answer is passed on as it is; the
 * client then retries over TCP).
 */
export class UpstreamForwarder {
  readonly #timeoutMs: number;
  #inFlight = 0;

  constructor(opts: { timeoutMs?: number } = {}) {
    this.#timeoutMs = opts.timeoutMs ?? UPSTREAM_TIMEOUT_MS;
  }

  async forward(servers: readonly string[], query: Buffer, proto: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    if (this.#inFlight >= MAX_CONCURRENT || query.length < 12) return undefined;
    this.#inFlight++;
    try {
      for (const s of servers) {
        const server = parseServer(s);
        const res = proto === 'tcp' ? await tcpExchange(server, query, this.#timeoutMs) : await udpExchange(server, query, this.#timeoutMs);
        if (res) return res;
      }
      return undefined;
    } finally {
      this.#inFlight--;
    }
  }
}
