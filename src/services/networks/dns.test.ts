import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { DNS_TABLE } from './dns/dnat.ts';
import { disposeWorlds, type FakeWorld, fakeWorld, sandboxSpec } from './testing.ts';

after(disposeWorlds);

const WEB = '1'.repeat(64);
const DB = '2'.repeat(64);
const OTHER = '3'.repeat(64);
const OLD = '4'.repeat(64);

type Decoded = dnsPacket.DecodedPacket & { rcode: string };

function query(name: string, type: 'A' | 'AAAA' | 'PTR' | 'MX' = 'A', id = 4242): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

async function udpAsk(port: number, q: Buffer): Promise<Decoded> {
  const s = dgram.createSocket('udp4');
  try {
    return await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer')), 2000);
      s.on('message', (m) => {
        clearTimeout(t);
        resolve(dnsPacket.decode(m) as Decoded);
      });
      s.send(q, port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

async function tcpAsk(port: number, qs: Buffer[]): Promise<Decoded[]> {
  const sock = net.connect({ host: '127.0.0.1', port });
  const frames = qs.map((q) => {
    const l = Buffer.alloc(2);
    l.writeUInt16BE(q.length);
    return Buffer.concat([l, q]);
  });
  sock.write(Buffer.concat(frames));
  let buf = Buffer.alloc(0);
  const out: Decoded[] = [];
  await new Promise<void>((resolve, reject) => {
    sock.on('error', reject);
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Decoded);
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === qs.length) resolve();
    });
  });
  sock.destroy();
  return out;
}

const ips = (p: dnsPacket.DecodedPacket) => (p.answers ?? []).map((a) => (a as { data: string }).data);

async function world(): Promise<{ w: FakeWorld; svc: Awaited<ReturnType<FakeWorld['start']>> }> {
  const w = await fakeWorld({ resolv: 'nameserver 127.0.0.53\nnameserver 198.51.100.53\nsearch corp.example\n' });
  const svc = await w.start();
  await svc.create(ctx, { Name: 'front', IPAM: { Config: [{ Subnet: '10.10.0.0/24' }] } });
  await svc.create(ctx, { Name: 'back', IPAM: { Config: [{ Subnet: '10.20.0.0/24' }] } });
  await svc.create(ctx, { Name: 'sealed', Internal: true, IPAM: { Config: [{ Subnet: '10.30.0.0/24' }] } });
  return { w, svc };
}

describe('embedded DNS', () => {
  it('answers names on shared networks only, over UDP and TCP; forwards the rest; default bridge has none', async () => {
    const { w, svc } = await world();
    w.ip.spawn(11);
    w.ip.spawn(12);
    w.ip.spawn(13);
    w.ip.spawn(14);
    const web = await svc.attach(ctx, sandboxSpec(WEB, { containerName: 'web', hostname: 'webhost', networkMode: 'front', endpointsConfig: { front: { Aliases: ['www', 'svc'] } } }), 11);
    await svc.attach(ctx, sandboxSpec(DB, { containerName: 'db', networkMode: 'front', endpointsConfig: { front: { Aliases: ['svc'] }, back: { Aliases: ['store'] } } }), 12);
    await svc.attach(ctx, sandboxSpec(OTHER, { containerName: 'other', networkMode: 'back' }), 13);
    const old = await svc.attach(ctx, sandboxSpec(OLD, { containerName: 'old' }), 14);

    assert.equal(web.resolvConf, 'search corp.example\nnameserver 127.0.0.11\noptions ndots:0\n');
    assert.doesNotMatch(old.resolvConf, /127\.0\.0\.11/, 'the default bridge has no embedded DNS');
    assert.equal(w.dnsSockets.byPid.has(14), false);
    // the redirection inside the container's namespace
    const udpPort = w.dnsSockets.byPid.get(11)!.udpPort;
    assert.ok(w.nft.rulesIn(11, DNS_TABLE)!.includes(`raw_output: ip daddr 127.0.0.11 udp dport 53 notrack udp dport set ${udpPort}`));

    const dbA = await udpAsk(udpPort, query('db'));
    assert.equal(dbA.id, 4242);
    assert.equal(dbA.rcode, 'NOERROR');
    assert.equal(dbA.flag_qr, true);
    assert.equal(dbA.flag_ra, true);
    assert.deepEqual(ips(dbA), ['10.10.0.3']);
    assert.equal((dbA.answers![0] as { ttl: number }).ttl, 600);
    assert.deepEqual(ips(await udpAsk(udpPort, query('WWW.'))), ['10.10.0.2']);
    assert.deepEqual(ips(await udpAsk(udpPort, query(DB.slice(0, 12)))), ['10.10.0.3']);
    assert.deepEqual(ips(await udpAsk(udpPort, query('webhost'))), ['10.10.0.2']);
    // round robin over a shared alias
    const first = ips(await udpAsk(udpPort, query('svc')));
    const second = ips(await udpAsk(udpPort, query('svc')));
    assert.deepEqual([...first].sort(), ['10.10.0.2', '10.10.0.3']);
    assert.deepEqual(second, [first[1], first[0]]);
    // no data for AAAA of a known IPv4-only name (not forwarded)
    const aaaa = await udpAsk(udpPort, query('db', 'AAAA'));
    assert.equal(aaaa.rcode, 'NOERROR');
    assert.deepEqual(aaaa.answers, []);
    assert.equal(w.forwarded.length, 0);
    // reverse lookup
    assert.deepEqual(ips(await udpAsk(udpPort, query('3.0.10.10.in-addr.arpa', 'PTR'))), ['db.front']);

    // "other" is on "back" only: unknown to web, forwarded to the host's non-loopback server; SERVFAIL without answer
    const miss = await udpAsk(udpPort, query('other'));
    assert.equal(miss.rcode, 'SERVFAIL');
    assert.deepEqual(w.forwarded.at(-1), { servers: ['198.51.100.53'], proto: 'udp' });
    w.upstream = (q) => {
      const d = dnsPacket.decode(q);
      return dnsPacket.encode({ type: 'response', id: d.id, flags: dnsPacket.RECURSION_AVAILABLE | 3, questions: d.questions });
    };
    assert.equal((await udpAsk(udpPort, query('nowhere.example'))).rcode, 'NXDOMAIN', 'the upstream answer is passed on');
    const tcp = await tcpAsk(w.dnsSockets.byPid.get(11)!.tcpPort, [query('db', 'A', 1), query('nowhere.example', 'A', 2)]);
    assert.deepEqual(
      tcp.map((p) => [p.id, p.rcode, ips(p)]),
      [
        [1, 'NOERROR', ['10.10.0.3']],
        [2, 'NXDOMAIN', []],
      ],
    );
    assert.equal(w.forwarded.at(-1)!.proto, 'tcp');

    // db sees both networks; "db.back" picks one
    const dbPort = w.dnsSockets.byPid.get(12)!.udpPort;
    assert.deepEqual(ips(await udpAsk(dbPort, query('other'))), ['10.20.0.3']);
    assert.deepEqual(ips(await udpAsk(dbPort, query('db.back'))), ['10.20.0.2']);
    assert.deepEqual(ips(await udpAsk(w.dnsSockets.byPid.get(13)!.udpPort, query('store'))), ['10.20.0.2']);

    // a stopped container disappears from the records
    await svc.detach(ctx, DB);
    assert.equal((await udpAsk(udpPort, query('db'))).rcode, 'NXDOMAIN');
    assert.deepEqual(ips(await udpAsk(udpPort, query('svc'))), ['10.10.0.2']);
    for (const id of [WEB, OTHER, OLD]) await svc.detach(ctx, id);
  });

  it('uses --dns as external servers, refuses forwarding on internal-only containers, follows connect', async () => {
    const { w, svc } = await world();
    w.ip.spawn(21);
    w.ip.spawn(22);
    const a = await svc.attach(ctx, sandboxSpec(WEB, { containerName: 'a', networkMode: 'front', dns: ['192.0.2.53'], dnsOptions: ['ndots:2'] }), 21);
    assert.equal(a.resolvConf, 'search corp.example\nnameserver 127.0.0.11\noptions ndots:2\n');
    await udpAsk(w.dnsSockets.byPid.get(21)!.udpPort, query('example.org'));
    assert.deepEqual(w.forwarded.at(-1)!.servers, ['192.0.2.53']);

    await svc.attach(ctx, sandboxSpec(DB, { containerName: 'b', networkMode: 'sealed' }), 22);
    const sealedPort = w.dnsSockets.byPid.get(22)!.udpPort;
    const before = w.forwarded.length;
    assert.equal((await udpAsk(sealedPort, query('example.org'))).rcode, 'REFUSED');
    assert.equal(w.forwarded.length, before);
    assert.equal((await udpAsk(sealedPort, query('a'))).rcode, 'REFUSED', 'not on a shared network');

    // connect "a" to the internal network: both now resolve each other
    w.containers.add({ id: WEB, name: 'a', pid: 21, spec: sandboxSpec(WEB, { containerName: 'a', networkMode: 'front' }) });
    await svc.connect(ctx, 'sealed', 'a', { Aliases: ['alpha'] });
    assert.deepEqual(ips(await udpAsk(sealedPort, query('alpha'))), ['10.30.0.3']);
    await svc.disconnect(ctx, 'sealed', 'a', false);
    assert.equal((await udpAsk(sealedPort, query('alpha'))).rcode, 'REFUSED');
    await svc.detach(ctx, WEB);
    await svc.detach(ctx, DB);
  });

  it('a container of the default bridge gets the embedded server when connected to a user-defined network', async () => {
    const { w, svc } = await world();
    w.ip.spawn(31);
    const spec = sandboxSpec(WEB, { containerName: 'late' });
    const out = await svc.attach(ctx, spec, 31);
    assert.doesNotMatch(out.resolvConf, /127\.0\.0\.11/);
    w.containers.add({ id: WEB, name: 'late', pid: 31, spec });
    await svc.connect(ctx, 'front', 'late', {});
    const change = w.containers.changes.at(-1)!;
    assert.equal(change.settings!.resolvConf, 'search corp.example\nnameserver 127.0.0.11\noptions ndots:0\n');
    assert.deepEqual(ips(await udpAsk(w.dnsSockets.byPid.get(31)!.udpPort, query('late'))), ['10.10.0.2']);
    await svc.detach(ctx, WEB);
  });

  it('a failing DNS start undoes the wiring', async () => {
    const { w, svc } = await world();
    w.ip.spawn(41);
    w.dnsSockets.failNext = 'nsenter: no such process';
    await assert.rejects(svc.attach(ctx, sandboxSpec(WEB, { networkMode: 'front' }), 41), /failed to start the embedded DNS server for c-1111: nsenter: no such process/);
    assert.deepEqual(
      (await w.ip.links(ctx)).filter((l) => l.kind === 'veth'),
      [],
    );
    await svc.detach(ctx, WEB);
    assert.deepEqual(w.deps.ipam.leases('10.10.0.0/24'), []);
  });

  it('AAAA and PTR of dual-stack containers', async () => {
    const { w, svc } = await world();
    await svc.create(ctx, { Name: 'dual', EnableIPv6: true, IPAM: { Config: [{ Subnet: '10.70.0.0/24' }, { Subnet: 'fd00:70::/64' }] } });
    w.ip.spawn(51);
    w.ip.spawn(52);
    await svc.attach(ctx, sandboxSpec(WEB, { containerName: 'six', networkMode: 'dual' }), 51);
    await svc.attach(ctx, sandboxSpec(DB, { containerName: 'peer', networkMode: 'dual' }), 52);
    const port = w.dnsSockets.byPid.get(52)!.udpPort;
    assert.deepEqual(ips(await udpAsk(port, query('six', 'AAAA'))), ['fd00:70::2']);
    assert.deepEqual(ips(await udpAsk(port, query('six', 'A'))), ['10.70.0.2']);
    const ptr = '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.0.0.0.0.d.f.ip6.arpa';
    assert.deepEqual(ips(await udpAsk(port, query(ptr, 'PTR'))), ['six.dual']);
    await svc.detach(ctx, WEB);
    await svc.detach(ctx, DB);
  });
});
