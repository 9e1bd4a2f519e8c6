import type net from 'node:net';
import type { Ctx } from '../../../common/ctx.ts';
import type { Logger } from '../../../common/log.ts';
import type { NetnsListener, NetnsSockets } from '../../../system/netns/port.ts';
import type { Nftables } from '../../../system/nftables/port.ts';
import { DNS_ADDRESS, DNS_TABLE, dnsDnatOps } from './dnat.ts';
import type { DnsResponder } from './responder.ts';

export interface EmbeddedDnsDeps {
  sockets: NetnsSockets;
  nft: Nftables;
  responder: DnsResponder;
  log: Logger;
  /** Idle TCP connections are closed after this long. */
  tcpIdleMs?: number;
}

interface Served {
  pid: number;
  listener: NetnsListener;
  conns: Set<net.Socket>;
}

/**
 * The embedded DNS server: ONE resolver in the daemon, reachable in every container that uses it at
 * 127.0.0.11:53. Per container it holds a UDP socket and a TCP server bound inside the container's namespace
 * (handed over by a short-lived child) and answers from its own event loop; the asker is known by the socket the
 * query came in on.
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
      listener.udp.close();
      listener.tcp.close();
      throw err;
    }
    const s: Served = { pid, listener, conns: new Set() };
    this.#served.set(containerId, s);
    this.#serveUdp(containerId, s);
    this.#serveTcp(containerId, s);
  }

  /** Stops serving a container (its sockets are closed, so its namespace can go). Idempotent. */
  stop(containerId: string): void {
    const s = this.#served.get(containerId);
    if (!s) return;
    this.#served.delete(containerId);
    s.listener.udp.close();
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

  #serveUdp(containerId: string, s: Served): void {
    const udp = s.listener.udp;
    udp.on('error', (err) => this.#d.log.warn('embedded DNS: udp socket error', { container: containerId, error: err.message }));
    udp.on('message', (msg, rinfo) => {
      // most queries are for the names of other containers: answered at once, no promise
      const fast = this.#d.responder.answerLocal(containerId, msg);
      if (fast) {
        udp.send(fast, rinfo.port, rinfo.address);
        return;
      }
      this.#d.responder.answer(containerId, msg, 'udp').then(
        (res) => {
          if (res && this.#served.get(containerId) === s) udp.send(res, rinfo.port, rinfo.address);
        },
        (err: Error) => this.#d.log.warn('embedded DNS: query failed', { container: containerId, error: err.message }),
      );
    });
  }

  #serveTcp(containerId: string, s: Served): void {
    const idle = this.#d.tcpIdleMs ?? 10_000;
    s.listener.tcp.on('error', (err) => this.#d.log.warn('embedded DNS: tcp server error', { container: containerId, error: err.message }));
    s.listener.tcp.on('connection', (conn: net.Socket) => {
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
            if (!res || conn.destroyed) return;
            const len = Buffer.alloc(2);
            len.writeUInt16BE(res.length);
            conn.write(Buffer.concat([len, res]));
          });
        }
      });
    });
  }
}
