import { closeSync } from 'node:fs';
import net from 'node:net';
import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import type { BerthNetModule } from '../native/berth-net.ts';
import type { NetnsListener, NetnsSockets, NetnsSysctl } from './port.ts';

/**
 * Binds with the native helper (native/berth-net.c): a thread of the daemon enters the namespace, binds and ends,
 * in well under a millisecond. The UDP socket comes back as a raw fd (the embedded DNS serves it natively), the TCP
 * server as a Node server on the bound fd.
 */
export class NativeNetnsSockets implements NetnsSockets {
  readonly #m: BerthNetModule;

  constructor(mod: BerthNetModule) {
    this.#m = mod;
  }

  async listen(ctx: Ctx, pid: number, address: string): Promise<NetnsListener> {
    ctx.signal?.throwIfAborted();
    let fds: [number, number, number, number];
    try {
      fds = this.#m.bindInNetns(`/proc/${pid}/ns/net`, address);
    } catch (err) {
      throw new SystemError(`binding ${address} in the namespace of pid ${pid}: ${(err as Error).message}`, { cause: err });
    }
    const [udpFd, udpPort, tcpFd, tcpPort] = fds;
    const tcp = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ fd: tcpFd }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      closeSync(udpFd);
      // the server adopted the fd (closing it again could hit a reused number)
      tcp.close();
      throw new SystemError(`listening on ${address}:${tcpPort} in the namespace of pid ${pid}: ${(err as Error).message}`, { cause: err });
    }
    return { udp: udpFd, tcp, address, udpPort, tcpPort };
  }
}

/** Sysctls written by a thread of the daemon that enters the namespace (no process). */
export class NativeNetnsSysctl implements NetnsSysctl {
  readonly #m: BerthNetModule;

  constructor(mod: BerthNetModule) {
    this.#m = mod;
  }

  async set(_ctx: Ctx, pid: number, key: string, value: string): Promise<void> {
    try {
      this.#m.sysctlInNetns(`/proc/${pid}/ns/net`, key, value);
    } catch (err) {
      throw new SystemError(`sysctl ${key}=${value} in the namespace of pid ${pid}: ${(err as Error).message}`, { cause: err });
    }
  }
}
