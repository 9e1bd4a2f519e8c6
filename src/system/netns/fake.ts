import dgram from 'node:dgram';
import net from 'node:net';
import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import type { NetnsListener, NetnsSockets } from './port.ts';

/**
 * For unit tests: real sockets, but bound on 127.0.0.1 of the calling namespace (ephemeral ports), whatever the
 * pid; tests send their queries to the returned ports.
 */
export class LoopbackSockets implements NetnsSockets {
  /** pid → the listener handed out last (for tests to query). */
  readonly byPid = new Map<number, NetnsListener>();
  failNext: string | undefined;

  async listen(_ctx: Ctx, pid: number, _address: string): Promise<NetnsListener> {
    if (this.failNext !== undefined) {
      const msg = this.failNext;
      this.failNext = undefined;
      throw new SystemError(msg);
    }
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind({ address: '127.0.0.1', port: 0 }, () => r()));
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const l: NetnsListener = { udp, tcp, address: '127.0.0.1', udpPort: udp.address().port, tcpPort: (tcp.address() as net.AddressInfo).port };
    this.byPid.set(pid, l);
    return l;
  }
}
