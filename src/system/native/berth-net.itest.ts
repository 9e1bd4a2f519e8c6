/**
 * The native network helper (native/berth-net.c) on the real kernel: sockets bound inside a sandbox's network
 * namespace, the UDP fast path's cache, its hand-off to JavaScript, and its refusals. Queries come from a small
 * Node client run inside the sandbox. Needs root and the built module (scripts/setup.sh builds it).
 */
import assert from 'node:assert/strict';
import { closeSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { Sandbox } from '../../../test/support/sandbox.ts';
import { type BerthNetModule, loadBerthNet } from './berth-net.ts';
import { type DnsUdpSlot, NativeDnsUdpServer } from './dns-udp.ts';

/** Sends each hex query (argv[2] is the port) to 127.0.0.11 in turn; prints the answers (hex, or null after 1 s). */
const CLIENT = `
const s = require('node:dgram').createSocket('udp4');
const port = Number(process.argv[1]);
const out = [];
let pending;
s.on('message', (m) => pending && pending(m.toString('hex')));
(async () => {
  for (const q of process.argv.slice(2)) {
    out.push(await new Promise((ok) => {
      const t = setTimeout(() => ok(null), 1000);
      pending = (a) => { clearTimeout(t); pending = undefined; ok(a); };
      s.send(Buffer.from(q, 'hex'), port, '127.0.0.11');
    }));
  }
  console.log(JSON.stringify(out));
  s.close();
})();
`;

type Question = { name: string; type: dnsPacket.RecordType };

function query(id: number, questions: Question[], flags = dnsPacket.RECURSION_DESIRED): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags, questions: questions.map((q) => ({ ...q, class: 'IN' })) });
}

const A = (ip: string) => Buffer.from(ip.split('.').map(Number));

/** The records' data and TTLs of an answer. */
const records = (a: dnsPacket.DecodedPacket | null | undefined) => (a?.answers ?? []).map((r) => r as { data: unknown; ttl: number });

describe('native network helper', () => {
  let mod: BerthNetModule;
  let sb: Sandbox;
  const nsPath = () => `/proc/${sb.nsPid}/ns/net`;

  before(async () => {
    const { mod: m, why } = loadBerthNet();
    assert.ok(m, `dist/native/berth-net.node must be built (scripts/build-native.ts): ${why}`);
    mod = m;
    sb = await Sandbox.create({ label: 'native', startDaemon: false });
  });
  after(async () => {
    await sb?.close();
  });

  /** Runs the client in the sandbox: one answer (decoded, or null) per query. */
  async function ask(port: number, queries: Buffer[]): Promise<(dnsPacket.DecodedPacket | null)[]> {
    const r = await sb.exec([process.execPath, '-e', CLIENT, String(port), ...queries.map((q) => q.toString('hex'))], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as (string | null)[]).map((h) => (h === null ? null : dnsPacket.decode(Buffer.from(h, 'hex'))));
  }

  /** A served socket whose handler answers every query it gets with `ip` for A (and counts what it got). */
  function serve(server: NativeDnsUdpServer): { slot: DnsUdpSlot; port: number; seen: Buffer[] } {
    const [udpFd, udpPort, tcpFd] = mod.bindInNetns(nsPath(), '127.0.0.11');
    closeSync(tcpFd);
    const seen: Buffer[] = [];
    const slot = server.add(udpFd, (q, reply) => {
      seen.push(q);
      const d = dnsPacket.decode(q);
      if (d.type !== 'query') return;
      reply(
        dnsPacket.encode({
          type: 'response',
          id: d.id ?? 0,
          flags: dnsPacket.RECURSION_AVAILABLE,
          questions: d.questions ?? [],
          answers: (d.questions ?? []).filter((x) => x.type === 'A').map((x) => ({ type: 'A', name: x.name, class: 'IN', ttl: 5, data: '192.0.2.99' })),
        }),
      );
    });
    return { slot, port: udpPort, seen };
  }

  test('bindInNetns binds UDP and a listening TCP socket on 127.0.0.11 inside the namespace, not in ours', async () => {
    const [udpFd, udpPort, tcpFd, tcpPort] = mod.bindInNetns(nsPath(), '127.0.0.11');
    try {
      assert.ok(udpPort > 0 && tcpPort > 0);
      const hex = (p: number) => `0B00007F:${p.toString(16).toUpperCase().padStart(4, '0')}`;
      const inside = await sb.exec(['cat', '/proc/net/udp', '/proc/net/tcp']);
      assert.match(inside.stdout, new RegExp(`${hex(udpPort)} 00000000:0000 07`), 'the UDP socket is in the sandbox');
      assert.match(inside.stdout, new RegExp(`${hex(tcpPort)} 00000000:0000 0A`), 'the TCP socket listens in the sandbox');
      const ours = readFileSync('/proc/self/net/udp', 'utf8') + readFileSync('/proc/self/net/tcp', 'utf8');
      assert.doesNotMatch(ours, new RegExp(hex(udpPort)), 'nothing is bound in the daemon\'s namespace');
    } finally {
      closeSync(udpFd);
      closeSync(tcpFd);
    }
    const gone = await sb.exec(['cat', '/proc/net/udp']);
    assert.doesNotMatch(gone.stdout, new RegExp(`:${udpPort.toString(16).toUpperCase().padStart(4, '0')} `), 'closed');
  });

  test('sysctlInNetns writes a net.* sysctl inside the namespace only; refuses other keys', async () => {
    const read = async () => (await sb.exec(['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim();
    const ours = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const before = await read();
    const flipped = before === '1' ? '0' : '1';
    mod.sysctlInNetns(nsPath(), 'net.ipv4.ip_forward', flipped);
    assert.equal(await read(), flipped);
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), ours, 'the daemon\'s namespace is untouched');
    mod.sysctlInNetns(nsPath(), 'net.ipv4.ip_forward', before);
    assert.throws(() => mod.sysctlInNetns(nsPath(), 'kernel.hostname', 'x'), /not a net\.\* sysctl/);
    assert.throws(() => mod.sysctlInNetns(nsPath(), 'net.ipv6.conf.nosuch0.disable_ipv6', '1'), /No such file or directory/);
  });

  test('bindInNetns: clear errors for a missing namespace and a bad address', () => {
    assert.throws(() => mod.bindInNetns('/proc/999999999/ns/net', '127.0.0.11'), /open 127\.0\.0\.11 in \/proc\/999999999\/ns\/net: No such file or directory/);
    assert.throws(() => mod.bindInNetns(nsPath(), 'not-an-ip'), /not-an-ip is not an IPv4 address/);
    assert.throws(() => mod.bindInNetns(nsPath(), '10.99.99.99'), /bind 10\.99\.99\.99 .*Cannot assign requested address/);
  });

  test('a miss goes to JavaScript; a learned question is answered natively, in rotation, until clear()', async () => {
    const server = new NativeDnsUdpServer(mod);
    const { slot, port, seen } = serve(server);
    try {
      const [miss] = await ask(port, [query(1, [{ name: 'web', type: 'A' }])]);
      assert.equal(seen.length, 1, 'the unknown question reached the handler');
      assert.equal(miss?.id, 1);
      assert.deepEqual(records(miss).map((r) => r.data), ['192.0.2.99']);

      slot.learn('web', 1, Buffer.concat([A('10.1.0.2'), A('10.1.0.3')]));
      slot.learn('web', 28, Buffer.alloc(0));
      const before = server.stats().hits;
      const answers = await ask(port, [
        query(2, [{ name: 'web', type: 'A' }]),
        query(3, [{ name: 'WEB', type: 'A' }]),
        query(4, [{ name: 'Web.', type: 'A' }]),
        query(5, [{ name: 'web', type: 'AAAA' }]),
        query(6, [{ name: 'web', type: 'A' }], 0),
      ]);
      assert.equal(seen.length, 1, 'no learned question reached the handler');
      assert.equal(server.stats().hits - before, 5);
      const firsts = answers.slice(0, 3).map((a) => records(a).map((r) => r.data));
      assert.deepEqual(firsts, [
        ['10.1.0.2', '10.1.0.3'],
        ['10.1.0.3', '10.1.0.2'],
        ['10.1.0.2', '10.1.0.3'],
      ], 'round robin, any case');
      for (const [i, a] of answers.entries()) {
        assert.equal(a?.id, i + 2, 'the query\'s id');
        assert.equal((a as { rcode?: string } | null)?.rcode, 'NOERROR');
        assert.equal(a?.flag_ra, true);
        assert.equal(a?.questions?.length, 1, 'the question is repeated');
      }
      assert.equal(records(answers[0])[0]?.ttl, 600);
      assert.equal(answers[1]?.questions?.[0]?.name, 'WEB', 'the question as asked');
      assert.deepEqual(answers[3]?.answers, [], 'learned no-data for AAAA');
      assert.equal(answers[0]?.flag_rd, true);
      assert.equal(answers[4]?.flag_rd, false, 'RD copied from the query');

      server.clear();
      await ask(port, [query(7, [{ name: 'web', type: 'A' }])]);
      assert.equal(seen.length, 2, 'after clear() the handler is asked again');
    } finally {
      slot.close();
    }
  });

  test('questions outside the fast path reach JavaScript even for a learned name', async () => {
    const server = new NativeDnsUdpServer(mod);
    const { slot, port, seen } = serve(server);
    try {
      slot.learn('web', 1, A('10.1.0.2'));
      slot.learn('many', 1, Buffer.concat(Array.from({ length: 40 }, (_, i) => A(`10.2.0.${i + 1}`))));
      const two = dnsPacket.encode({ type: 'query', id: 12, questions: [{ name: 'web', type: 'A', class: 'IN' }, { name: 'web', type: 'A', class: 'IN' }] });
      const response = dnsPacket.encode({ type: 'response', id: 13, questions: [{ name: 'web', type: 'A', class: 'IN' }] });
      const odd = query(14, [{ name: 'we b', type: 'A' }]);
      await ask(port, [query(10, [{ name: 'web', type: 'TXT' }]), query(11, [{ name: 'many', type: 'A' }]), two, response, odd]);
      assert.deepEqual(
        seen.map((q) => q.readUInt16BE(0)),
        [10, 11, 12, 13, 14],
        'TXT, an answer over 512 bytes, two questions, a response, an odd name: all handed over',
      );
    } finally {
      slot.close();
    }
  });

  test('closing a slot closes its socket; late replies and learns are ignored; bad records are refused', async () => {
    const server = new NativeDnsUdpServer(mod);
    const { slot, port, seen } = serve(server);
    assert.throws(() => slot.learn('web', 1, Buffer.alloc(5)), /bad record/);
    const sockets = server.stats().sockets;
    slot.close();
    slot.close();
    assert.equal(server.stats().sockets, sockets - 1);
    slot.learn('web', 1, A('10.1.0.2'));
    const [a] = await ask(port, [query(20, [{ name: 'web', type: 'A' }])]);
    assert.equal(a, null, 'nothing answers on a closed slot');
    assert.equal(seen.length, 0);
    const udp = await sb.exec(['cat', '/proc/net/udp']);
    assert.doesNotMatch(udp.stdout, new RegExp(`:${port.toString(16).toUpperCase().padStart(4, '0')} `), 'the socket is closed');
  });
});
