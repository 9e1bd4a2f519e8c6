import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { backgroundCtx } from '../../../common/ctx.ts';
import type { DnsView } from '../../../domain/net/dns-names.ts';
import type { DnsQueryHandler, DnsUdpServer, DnsUdpSlot } from '../../../system/native/dns-udp.ts';
import type { NetnsListener, NetnsSockets } from '../../../system/netns/port.ts';
import { FakeNftables } from '../../../system/nftables/fake.ts';
import { EmbeddedDns } from './embedded-dns.ts';
import { DnsResponder } from './responder.ts';

/** Hands out raw "fds" (numbers only the fake server sees) and real TCP servers on loopback. */
class FdSockets implements NetnsSockets {
  next = 100;
  async listen(_ctx: unknown, _pid: number, address: string): Promise<NetnsListener> {
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    return { udp: this.next++, tcp, address, udpPort: 5000, tcpPort: (tcp.address() as net.AddressInfo).port };
  }
}

/** Records what the embedded server does with the native server: sockets, learned answers, clears. */
class FakeUdpServer implements DnsUdpServer {
  readonly handlers = new Map<number, DnsQueryHandler>();
  readonly learned: string[] = [];
  readonly closed: number[] = [];
  clears = 0;
  add(fd: number, onQuery: DnsQueryHandler): DnsUdpSlot {
    this.handlers.set(fd, onQuery);
    return {
      learn: (name, qtype, rdata) => this.learned.push(`${fd} ${name} ${qtype} ${rdata.toString('hex')}`),
      close: () => this.closed.push(fd),
    };
  }
  clear(): void {
    this.clears++;
  }
  stats() {
    return { hits: 0, misses: 0, dropped: 0, sockets: this.handlers.size };
  }
}

describe('EmbeddedDns with a native UDP server', () => {
  it('hands the socket over, answers what comes to JavaScript, teaches the server, forgets on invalidate', async () => {
    const view: DnsView = {
      networks: [{ id: 'N', name: 'net' }],
      endpoints: [
        { containerId: 'a', containerName: 'a', networkId: 'N', names: ['a'], ipv4: '10.0.0.1', ipv6: '' },
        { containerId: 'b', containerName: 'b', networkId: 'N', names: ['b'], ipv4: '10.0.0.2', ipv6: 'fd00::2' },
      ],
    };
    const responder = new DnsResponder({ view: () => view, policy: () => ({ enabled: true, servers: ['192.0.2.53'] }), forward: async (_s, q) => q });
    const udpServer = new FakeUdpServer();
    const ctx = backgroundCtx;
    const dns = new EmbeddedDns({ sockets: new FdSockets(), nft: new FakeNftables(), responder, log: ctx.log, udpServer });
    await dns.start(ctx, 'a', 4242);
    try {
      const handler = udpServer.handlers.get(100);
      assert.ok(handler, 'the UDP socket went to the native server');
      const ask = (name: string, type: dnsPacket.RecordType) =>
        new Promise<dnsPacket.DecodedPacket>((resolve) => handler(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type, name }] }), (b) => resolve(dnsPacket.decode(b))));
      assert.deepEqual((await ask('B', 'A')).answers?.map((r) => (r as { data: unknown }).data), ['10.0.0.2']);
      await ask('b', 'AAAA');
      await ask('a', 'MX');
      const forwarded = await ask('example.com', 'A');
      assert.equal(forwarded.type, 'query', 'unknown names are forwarded (the fake upstream echoes the query)');
      assert.deepEqual(udpServer.learned, ['100 b 1 0a000002', '100 b 28 fd000000000000000000000000000002'], 'only local plain answers are learned');
      dns.invalidate();
      assert.equal(udpServer.clears, 1);
      dns.stop('a');
      assert.deepEqual(udpServer.closed, [100]);
    } finally {
      dns.close();
    }
  });
});
