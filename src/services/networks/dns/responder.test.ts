import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import type { DnsView } from '../../../domain/net/dns-names.ts';
import { DnsResponder } from './responder.ts';

// 60 containers behind the alias "web" on one network, asked by "client"
const view: DnsView = {
  networks: [{ id: 'N', name: 'net' }],
  endpoints: [
    { containerId: 'client', containerName: 'client', networkId: 'N', names: ['client'], ipv4: '10.0.0.1', ipv6: '' },
    ...Array.from({ length: 60 }, (_, i) => ({ containerId: `w${i}`, containerName: `w${i}`, networkId: 'N', names: [`w${i}`, 'web'], ipv4: `10.0.1.${i + 1}`, ipv6: '' })),
  ],
};

const responder = new DnsResponder({ view: () => view, policy: () => ({ enabled: true, servers: [] }), forward: async () => undefined });
type Decoded = dnsPacket.DecodedPacket & { rcode: string };

describe('DnsResponder', () => {
  it('truncates a UDP answer that does not fit (TC bit), gives everything over TCP', async () => {
    const q = dnsPacket.encode({ type: 'query', id: 9, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web' }] });
    const udp = await responder.answer('client', q, 'udp');
    assert.ok(udp!.length <= 512);
    const u = dnsPacket.decode(udp!) as Decoded;
    assert.equal(u.flag_tc, true);
    assert.ok(u.answers!.length > 0 && u.answers!.length < 60);
    const tcp = dnsPacket.decode((await responder.answer('client', q, 'tcp'))!) as Decoded;
    assert.equal(tcp.flag_tc, false);
    assert.equal(tcp.answers!.length, 60);
  });

  it('drops malformed packets and answers FORMERR to other opcodes; SERVFAIL without external servers', async () => {
    assert.equal(await responder.answer('client', Buffer.from([1, 2, 3]), 'udp'), undefined);
    const notify = dnsPacket.encode({ type: 'query', id: 3, flags: 4 << 11, questions: [{ type: 'A', name: 'x' }] });
    assert.equal((dnsPacket.decode((await responder.answer('client', notify, 'udp'))!) as Decoded).rcode, 'FORMERR');
    const q = dnsPacket.encode({ type: 'query', id: 4, questions: [{ type: 'A', name: 'example.com' }] });
    assert.equal((dnsPacket.decode((await responder.answer('client', q, 'udp'))!) as Decoded).rcode, 'SERVFAIL');
  });
});
