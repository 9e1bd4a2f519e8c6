import dgram from 'node:dgram';
import net from 'node:net';
import { ConflictError } from '../../common/errors.ts';
import type { Logger } from '../../common/log.ts';

/** One published port served by the userland proxy. */
export interface ProxyTarget {
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  /**
   * Only hold the port (the kernel DNATs its traffic): a host process cannot take a published port, as with
   * dockerd, whose proxy or port reservation binds every one. A connection that still arrives is closed.
   */
  hold?: boolean;
}

/** docker-proxy's UDP flow timeout. */
export const UDP_FLOW_TIMEOUT_MS = 90_000;

interface Running {
  close(): void;
}

function listenError(t: ProxyTarget, err: NodeJS.ErrnoException): ConflictError {
  const fam = net.isIPv6(t.hostIp) ? '6' : '4';
  const why = err.code === 'EADDRINUSE' ? 'bind: address already in use' : err.code === 'EADDRNOTAVAIL' ? 'bind: cannot assign requested address' : err.message;
  const host = fam === '6' ? `[${t.hostIp}]` : t.hostIp;
  return new ConflictError(`Error starting userland proxy: listen ${t.proto}${fam} ${host}:${t.hostPort}: ${why}`, { cause: err });
}

function startTcp(t: ProxyTarget, log: Logger): Promise<Running> {
  const conns = new Set<net.Socket>();
  // no Nagle on either side (docker-proxy is Go, whose TCP sockets have TCP_NODELAY): a relay must not hold back
  // the small writes of request/response protocols
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    if (t.hold) {
      client.destroy();
      return;
    }
    const up = net.connect({ host: t.containerIp, port: t.containerPort, allowHalfOpen: true, noDelay: true });
    conns.add(client);
    conns.add(up);
    const drop = () => {
      client.destroy();
      up.destroy();
    };
    client.on('error', drop);
    up.on('error', drop);
    client.on('close', () => conns.delete(client));
    up.on('close', () => {
      conns.delete(up);
      // a half-closed client gets its remaining data, then the connection goes
      if (!client.destroyed) client.end();
    });
    // half-close travels both ways (pipe ends the other side on 'end')
    client.pipe(up);
    up.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(listenError(t, err)));
    // an IPv6 wildcard is IPv6 only (as Go's "tcp6" listeners): IPv4 on the same port is another binding
    server.listen({ host: t.hostIp, port: t.hostPort, exclusive: true, ipv6Only: net.isIPv6(t.hostIp) }, () => {
      server.on('error', (err) => log.warn('userland proxy error', { port: t.hostPort, error: err.message }));
      resolve({
        close: () => {
          server.close();
          for (const c of conns) c.destroy();
        },
      });
    });
  });
}

function startUdp(t: ProxyTarget, log: Logger): Promise<Running> {
  const sock = net.isIPv6(t.hostIp) ? dgram.createSocket({ type: 'udp6', ipv6Only: true }) : dgram.createSocket('udp4');
  const flows = new Map<string, { s: dgram.Socket; timer: NodeJS.Timeout }>();
  const endFlow = (key: string) => {
    const f = flows.get(key);
    if (!f) return;
    flows.delete(key);
    clearTimeout(f.timer);
    f.s.close();
  };
  sock.on('message', (msg, rinfo) => {
    if (t.hold) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let f = flows.get(key);
    if (!f) {
      const s = dgram.createSocket(net.isIPv6(t.containerIp) ? 'udp6' : 'udp4');
      s.on('message', (reply) => sock.send(reply, rinfo.port, rinfo.address));
      s.on('error', () => endFlow(key));
      f = { s, timer: setTimeout(() => endFlow(key), UDP_FLOW_TIMEOUT_MS) };
      flows.set(key, f);
    }
    f.timer.refresh();
    f.s.send(msg, t.containerPort, t.containerIp);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', (err) => reject(listenError(t, err)));
    sock.bind({ address: t.hostIp, port: t.hostPort, exclusive: true }, () => {
      sock.on('error', (err) => log.warn('userland proxy error', { port: t.hostPort, error: err.message }));
      resolve({
        close: () => {
          for (const k of [...flows.keys()]) endFlow(k);
          sock.close();
        },
      });
    });
  });
}

/**
 * berth's userland proxy (docker-proxy, inside the daemon): published ports served by sockets of the daemon's
 * namespace and relayed to the container. Used where no kernel DNAT applies: `iptables: false`, and for traffic
 * from outside when the operator wants published ports to obey the host's own input firewall. SCTP is not proxied.
 */
export class UserlandProxy {
  readonly #log: Logger;
  readonly #byOwner = new Map<string, Running[]>();

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Serves every target for `owner` (all or nothing; an owner's earlier proxies are replaced). */
  async start(owner: string, targets: readonly ProxyTarget[]): Promise<void> {
    this.stop(owner);
    const running: Running[] = [];
    try {
      for (const t of targets) running.push(await (t.proto === 'tcp' ? startTcp(t, this.#log) : startUdp(t, this.#log)));
    } catch (err) {
      for (const r of running) r.close();
      throw err;
    }
    if (running.length > 0) this.#byOwner.set(owner, running);
  }

  /** Stops an owner's proxies. Idempotent. */
  stop(owner: string): void {
    for (const r of this.#byOwner.get(owner) ?? []) r.close();
    this.#byOwner.delete(owner);
  }

  owners(): string[] {
    return [...this.#byOwner.keys()];
  }

  close(): void {
    for (const o of [...this.#byOwner.keys()]) this.stop(o);
  }
}
