import type { BerthNetModule } from './berth-net.ts';

/** Answers a query the server could not answer itself (`reply` sends the answer back to the asker). */
export type DnsQueryHandler = (query: Buffer, reply: (answer: Buffer) => void) => void;

/** One socket served by a DnsUdpServer. */
export interface DnsUdpSlot {
  /**
   * Answer (`name`, `qtype`) from now on without asking the handler: `rdata` holds the records' addresses back to
   * back (4 bytes each for A = 1, 16 for AAAA = 28; empty for no-data). Forgotten at the server's next clear().
   */
  learn(name: string, qtype: 1 | 28, rdata: Buffer): void;
  /** Stops serving and closes the socket. Idempotent. */
  close(): void;
}

/**
 * The embedded DNS's UDP fast path: serves the UDP sockets of every container on one thread outside the event
 * loop, answering the names it learned and handing every other query to its socket's handler.
 */
export interface DnsUdpServer {
  /** Serves the (non-blocking) UDP socket `fd`, which it owns from now on. */
  add(fd: number, onQuery: DnsQueryHandler): DnsUdpSlot;
  /** Forgets every learned answer (the records changed). */
  clear(): void;
  stats(): { hits: number; misses: number; dropped: number; sockets: number };
}

/** The DnsUdpServer of native/berth-net.c. */
export class NativeDnsUdpServer implements DnsUdpServer {
  readonly #m: BerthNetModule;
  readonly #h: unknown;
  readonly #handlers = new Map<number, DnsQueryHandler>();

  constructor(mod: BerthNetModule) {
    this.#m = mod;
    this.#h = mod.serverCreate((batch) => this.#dispatch(batch));
  }

  add(fd: number, onQuery: DnsQueryHandler): DnsUdpSlot {
    const id = this.#m.serverAdd(this.#h, fd);
    this.#handlers.set(id, onQuery);
    let open = true;
    return {
      learn: (name, qtype, rdata) => {
        if (open) this.#m.serverLearn(this.#h, id, name, qtype, rdata);
      },
      close: () => {
        if (!open) return;
        open = false;
        this.#handlers.delete(id);
        this.#m.serverRemove(this.#h, id);
      },
    };
  }

  clear(): void {
    this.#m.serverClear(this.#h);
  }

  stats(): { hits: number; misses: number; dropped: number; sockets: number } {
    const [hits, misses, dropped, sockets] = this.#m.serverStats(this.#h);
    return { hits, misses, dropped, sockets };
  }

  /** A batch of misses: records of [u32 socket id][u32 IPv4, network order][u16 port][u16 length][query] (host order, little-endian here). */
  #dispatch(batch: Buffer): void {
    for (let off = 0; off + 12 <= batch.length; ) {
      const id = batch.readUInt32LE(off);
      const address = batch.readUInt32LE(off + 4);
      const port = batch.readUInt16LE(off + 8);
      const len = batch.readUInt16LE(off + 10);
      const query = batch.subarray(off + 12, off + 12 + len);
      off += 12 + len;
      const handler = this.#handlers.get(id);
      if (!handler) continue;
      try {
        handler(query, (answer) => {
          this.#m.serverReply(this.#h, id, answer, address, port);
        });
      } catch {
        // a handler's failure must not lose the rest of the batch
      }
    }
  }
}
