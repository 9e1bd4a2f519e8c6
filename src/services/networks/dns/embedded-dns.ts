import dgram from 'node:dgram';
import { closeSync } from 'node:fs';
import type net from 'node:net';
import type { Ctx } from '../../../common/ctx.ts';
import type { Logger } from '../../../common/log.ts';
import type { DnsQueryHandler, DnsUdpServer } from '../../../system/native/dns-udp.ts';
import type { NetnsListener, NetnsSockets } from '../../../system/netns/port.ts';
import type { Nftables } from '../../../system/nftables/port.ts';
import { DNS_ADDRESS, DNS_TABLE, dnsDnatOps } from './dnat.ts';
import { addressBytes } from './fast-path.ts';
import type { DnsResponder, LearnAnswer } from './responder.ts';

export interface EmbeddedDnsDeps {
  sockets: NetnsSockets;
  nft: Nftables;
  responder: DnsResponder;
  log: Logger;
  /** Idle TCP connections are closed after this long. */
  tcpIdleMs?: number;
  /**
   * Serves the UDP sockets off the event loop and answers the names it learned (native/berth-net.c); without it
   * the daemon's event loop reads every query.
   */
  udpServer?: DnsUdpServer;
}

interface Served {
  pid: number;
  listener: NetnsListener;
  /** Stops the UDP side (closes the socket). */
  closeUdp: () => void;
  conns: Set<net.Socket>;
}

/**
 * The embedded DNS server: ONE resolver in the daemon, reachable in every container that uses it at
 * 127.0.0.11:53. Per container it holds a UDP socket and a TCP server bound inside the container's namespace; the
 * asker is known by the socket the query came in on. With the native UDP server, a container's repeated questions
 * for names on its networks are answered on that server's thread from what the resolver answered before (cleared
 * by `invalidate` whenever the records change); everything else comes to the event loop.
 */
export class EmbeddedDns {
  readonly #d: EmbeddedDnsDeps;
  readonly #served = new Map<string, Served>();

  constructor(deps: EmbeddedDnsDeps) {
    this.#d = deps;
  }

  /** Serves `containerId` inside the namespace of `pid` (replacing an earlier listener of that container). */
  async start(ctx: Ctx, containerId: string, pid: number): Promise<void> {
    this.stop(containerId);
    const listener = await this.#d.sockets.listen(ctx, pid, DNS_ADDRESS);
    try {
      await this.#d.nft.apply(ctx, DNS_TABLE, dnsDnatOps(listener.udpPort, listener.tcpPort), { pid });
    } catch (err) {
      if (typeof listener.udp === 'number') closeSync(listener.udp);
      else listener.udp.close();
      listener.tcp.close();
      throw err;
    }
    const s: Served = { pid, listener, closeUdp: () => {}, conns: new Set() };
    this.#served.set(containerId, s);
    this.#serveUdp(containerId, s);
    this.#serveTcp(containerId, s);
  }

  /** Stops serving a container (its sockets are closed, so its namespace can go). Idempotent. */
  stop(containerId: string): void {
    const s = this.#served.get(containerId);
    if (!s) return;
    this.#served.delete(containerId);
    s.closeUdp();
    s.listener.tcp.close();
    for (const c of s.conns) c.destroy();
  }

  serving(containerId: string): boolean {
    return this.#served.has(containerId);
  }

  /** The ports a container's queries are redirected to (for tests and diagnostics). */
  ports(containerId: string): { udp: number; tcp: number } | undefined {
    const s = this.#served.get(containerId);
    return s ? { udp: s.listener.udpPort, tcp: s.listener.tcpPort } : undefined;
  }

  close(): void {
    for (const id of [...this.#served.keys()]) this.stop(id);
  }

  /** The records changed: answers learned by the native UDP server are forgotten. */
  invalidate(): void {
    this.#d.udpServer?.clear();
  }

  #serveUdp(containerId: string, s: Served): void {
    const { udp } = s.listener;
    const server = typeof udp === 'number' ? this.#d.udpServer : undefined;
    let learn: LearnAnswer | undefined;
    const onQuery: DnsQueryHandler = (msg, reply) => {
      // most queries are for the names of other containers: answered at once, no promise
      const fast = this.#d.responder.answerLocal(containerId, msg, learn);
      if (fast) {
        reply(fast);
        return;
      }
      this.#d.responder.answer(containerId, msg, 'udp').then(
        (res) => {
          if (res && this.#served.get(containerId) === s) reply(res);
        },
        (err: Error) => this.#d.log.warn('embedded DNS: query failed', { container: containerId, error: err.message }),
      );
    };
    if (server && typeof udp === 'number') {
      const slot = server.add(udp, onQuery);
      learn = (name, type, ips) => {
        const family = type === 'A' ? 4 : 6;
        const bytes = ips.map((ip) => addressBytes(ip, family));
        if (bytes.every((b) => b !== undefined)) slot.learn(name, type === 'A' ? 1 : 28, Buffer.concat(bytes));
      };
      s.closeUdp = () => slot.close();
      return;
    }
    const sock = typeof udp === 'number' ? dgram.createSocket('udp4').bind({ fd: udp }) : udp;
    s.closeUdp = () => sock.close();
    sock.on('error', (err) => this.#d.log.warn('embedded DNS: udp socket error', { container: containerId, error: err.message }));
    sock.on('message', (msg, rinfo) => onQuery(msg, (answer) => sock.send(answer, rinfo.port, rinfo.address)));
  }

  #serveTcp(containerId: string, s: Served): void {
    const idle = this.#d.tcpIdleMs ?? 10_000;
    s.listener.tcp.on('error', (err) => this.#d.log.warn('embedded DNS: tcp server error', { container: containerId, error: err.message }));
    s.listener.tcp.on('connection', (conn: net.Socket) => {
      // a client may send its query and half-close at once (printf … | nc): answers still go out, then our end
      conn.allowHalfOpen = true;
      s.conns.add(conn);
      conn.setTimeout(idle, () => conn.destroy());
      conn.on('close', () => s.conns.delete(conn));
      conn.on('error', () => conn.destroy());
      let buf = Buffer.alloc(0);
      let chain = Promise.resolve();
      conn.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          // answers go out in the order of the queries
          chain = chain.then(async () => {
            const res = await this.#d.responder.answer(containerId, Buffer.from(msg), 'tcp').catch(() => undefined);
            if (!res || conn.destroyed || !conn.writable) return;
            const len = Buffer.alloc(2);
            len.writeUInt16BE(res.length);
            conn.write(Buffer.concat([len, res]));
          });
        }
      });
      conn.on('end', () => {
        chain = chain.then(() => {
          if (!conn.destroyed) conn.end();
        });
      });
    });
  }
}
