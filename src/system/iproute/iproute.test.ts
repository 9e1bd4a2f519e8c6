import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { FakeIpRoute } from './fake.ts';
import type { IpCmd } from './port.ts';
import { renderBatch, renderIpCmd } from './render.ts';
import { decodeProcAddr, parseProcNet } from './sockets.ts';

describe('ip -batch rendering', () => {
  const cases: [IpCmd, string][] = [
    [{ op: 'bridge-add', name: 'berth0', mtu: 1500, mac: '02:42:ac:11:00:01' }, 'link add name berth0 address 02:42:ac:11:00:01 mtu 1500 type bridge'],
    [{ op: 'veth-add', name: 'veth1234567', peer: 'eth0', peerNetnsPid: 42, mtu: 1500 }, 'link add name veth1234567 mtu 1500 type veth peer name eth0 mtu 1500 netns 42'],
    [{ op: 'link-set', dev: 'veth1', master: 'berth0', up: true }, 'link set dev veth1 master berth0 up'],
    [{ op: 'link-set', dev: 'eth0', mac: '02:42:ac:11:00:02' }, 'link set dev eth0 address 02:42:ac:11:00:02'],
    [{ op: 'link-del', dev: 'veth1' }, 'link del dev veth1'],
    [{ op: 'addr-add', dev: 'eth0', cidr: '172.17.0.2/16', broadcast: '172.17.255.255' }, 'addr add 172.17.0.2/16 broadcast 172.17.255.255 dev eth0'],
    [{ op: 'route-add', dst: 'default', via: '172.17.0.1', dev: 'eth0' }, 'route add default via 172.17.0.1 dev eth0'],
  ];
  for (const [c, want] of cases) it(want, () => assert.equal(renderIpCmd(c), want));
  it('joins a batch with newlines', () => assert.equal(renderBatch([{ op: 'link-del', dev: 'a' }, { op: 'link-del', dev: 'b' }]), 'link del dev a\nlink del dev b\n'));
});

describe('/proc/net parsing', () => {
  it('decodes IPv4 and IPv6 addresses', () => {
    assert.deepEqual(decodeProcAddr('0100007F:1F90'), { ip: '127.0.0.1', port: 8080 });
    assert.deepEqual(decodeProcAddr('00000000:0050'), { ip: '0.0.0.0', port: 80 });
    assert.deepEqual(decodeProcAddr('00000000000000000000000000000000:0016'), { ip: '::', port: 22 });
    assert.deepEqual(decodeProcAddr('00000000000000000000000001000000:0277'), { ip: '0:0:0:0:0:0:0:1', port: 631 });
  });
  it('keeps listening TCP and unconnected UDP sockets', () => {
    const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:8E6A 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1`;
    assert.deepEqual(parseProcNet(tcp, 'tcp'), [{ proto: 'tcp', ip: '127.0.0.1', port: 8080 }]);
    const udp = `  sl  local_address rem_address   st
  10: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 0`;
    assert.deepEqual(parseProcNet(udp, 'udp'), [{ proto: 'udp', ip: '0.0.0.0', port: 53 }]);
  });
});

describe('FakeIpRoute', () => {
  it('creates veth peers in a process namespace; they vanish when the process exits', async () => {
    const ip = new FakeIpRoute();
    ip.spawn(9);
    await ip.batch(ctx, [
      { op: 'bridge-add', name: 'br0' },
      { op: 'veth-add', name: 'vh', peer: 'eth0', peerNetnsPid: 9 },
      { op: 'link-set', dev: 'vh', master: 'br0', up: true },
    ]);
    assert.deepEqual(
      (await ip.links(ctx, { pid: 9 })).map((l) => l.name).sort(),
      ['eth0', 'lo'],
    );
    ip.exit(9);
    assert.deepEqual(
      (await ip.links(ctx)).map((l) => l.name).sort(),
      ['br0', 'lo'],
    );
    await assert.rejects(ip.links(ctx, { pid: 9 }), /No such file/);
  });
  it('fails like the kernel and stops the batch at the first error unless forced', async () => {
    const ip = new FakeIpRoute();
    await assert.rejects(ip.batch(ctx, [{ op: 'link-set', dev: 'nope', up: true }]), /Cannot find device "nope"/);
    await assert.rejects(
      ip.batch(ctx, [
        { op: 'bridge-add', name: 'a' },
        { op: 'bridge-add', name: 'a' },
        { op: 'bridge-add', name: 'b' },
      ]),
      /File exists/,
    );
    assert.ok(!(await ip.links(ctx)).some((l) => l.name === 'b'));
    await ip.batch(
      ctx,
      [
        { op: 'link-del', dev: 'zz' },
        { op: 'bridge-add', name: 'b' },
      ],
      { force: true },
    );
    assert.ok((await ip.links(ctx)).some((l) => l.name === 'b'));
  });
});
