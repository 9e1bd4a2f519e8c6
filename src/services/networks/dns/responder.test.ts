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

describe('DnsResponder.answerLocal (the synchronous hot path)', () => {
  it('answers local names as answer() does, leaves unknown names to it, and follows a new view', async () => {
    let v: DnsView = {
      networks: [{ id: 'N', name: 'net' }],
      endpoints: [
        { containerId: 'a', containerName: 'a', networkId: 'N', names: ['a'], ipv4: '10.0.0.1', ipv6: '' },
        { containerId: 'b', containerName: 'b', networkId: 'N', names: ['b', 'db'], ipv4: '10.0.0.2', ipv6: '' },
      ],
    };
    const r = new DnsResponder({ view: () => v, policy: () => ({ enabled: true, servers: [] }), forward: async () => undefined });
    const q = (name: string, type: 'A' | 'AAAA' = 'A') => dnsPacket.encode({ type: 'query', id: 5, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
    const fast = r.answerLocal('a', q('DB'));
    assert.ok(fast);
    assert.deepEqual(fast, await r.answer('a', q('DB'), 'udp'));
    assert.deepEqual((dnsPacket.decode(fast) as Decoded).answers!.map((x) => (x as { data: unknown }).data), ['10.0.0.2']);
    // a known name without an IPv6 address: no-data at once
    const aaaa = dnsPacket.decode(r.answerLocal('a', q('db', 'AAAA'))!) as Decoded;
    assert.equal(aaaa.rcode, 'NOERROR');
    assert.equal(aaaa.answers!.length, 0);
    assert.equal(r.answerLocal('a', q('example.com')), undefined, 'unknown: the full path forwards it');
    // the container moved: a new view, a new answer (the memo follows the view)
    v = { ...v, endpoints: v.endpoints.map((e) => (e.containerId === 'b' ? { ...e, ipv4: '10.0.0.9' } : e)) };
    assert.deepEqual((dnsPacket.decode(r.answerLocal('a', q('db'))!) as Decoded).answers!.map((x) => (x as { data: unknown }).data), ['10.0.0.9']);
  });
});

describe('DnsResponder.answerLocal: learn', () => {
  it('tells the answer of plain local questions (addresses in record order, none for no-data), nothing else', () => {
    const v: DnsView = {
      networks: [{ id: 'N', name: 'net' }],
      endpoints: [
        { containerId: 'a', containerName: 'a', networkId: 'N', names: ['a'], ipv4: '10.0.0.1', ipv6: '' },
        { containerId: 'b', containerName: 'b', networkId: 'N', names: ['b', 'svc'], ipv4: '10.0.0.2', ipv6: '' },
        { containerId: 'c', containerName: 'c', networkId: 'N', names: ['c', 'svc'], ipv4: '10.0.0.3', ipv6: 'fd00::3' },
      ],
    };
    const r = new DnsResponder({ view: () => v, policy: () => ({ enabled: true, servers: [] }), forward: async () => undefined });
    const learned: [string, string, readonly string[]][] = [];
    const learn = (name: string, type: 'A' | 'AAAA', ips: readonly string[]) => learned.push([name, type, [...ips]]);
    const q = (name: string, type: dnsPacket.RecordType = 'A') => dnsPacket.encode({ type: 'query', id: 5, questions: [{ type, name }] });
    assert.ok(r.answerLocal('a', q('SVC'), learn));
    assert.ok(r.answerLocal('a', q('svc'), learn));
    assert.ok(r.answerLocal('a', q('b', 'AAAA'), learn));
    assert.ok(r.answerLocal('a', q('c', 'AAAA'), learn));
    assert.equal(r.answerLocal('a', q('example.com'), learn), undefined);
    assert.equal(r.answerLocal('a', q('b', 'TXT'), learn), undefined);
    assert.deepEqual(learned, [
      ['svc', 'A', ['10.0.0.2', '10.0.0.3']],
      ['svc', 'A', ['10.0.0.2', '10.0.0.3']],
      ['b', 'AAAA', []],
      ['c', 'AAAA', ['fd00::3']],
    ]);
  });
});
