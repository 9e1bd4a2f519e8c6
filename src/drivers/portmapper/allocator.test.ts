import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { FakeSocketProbe } from '../../system/iproute/fake.ts';
import { FakeSysctl } from '../../system/sysctl/fake.ts';
import { ephemeralRange, PortAllocator } from './allocator.ts';
import type { PortRequest } from './contract.ts';

const dirs: string[] = [];
async function tmpDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'berth-ports-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const req = (o: Partial<PortRequest>): PortRequest => ({ proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortStart: 0, hostPortEnd: 0, ...o });

async function open(range: [number, number] = [40000, 40003]) {
  const path = join(await tmpDir(), 'ports.json');
  const probe = new FakeSocketProbe();
  return { path, probe, pm: await PortAllocator.open(path, probe, range) };
}

describe('PortAllocator', () => {
  it('refuses an address the host does not have, in the proxy\'s words, and holds nothing for it', async () => {
    const { pm, probe } = await open();
    const local = new Set(['203.0.113.1', '::1']);
    Object.assign(probe, { isLocal: (ip: string) => local.has(ip) || ip.startsWith('127.') });
    await assert.rejects(pm.allocate(ctx, 'a', [req({ hostIp: '198.51.100.7', hostPortStart: 8500 })]), {
      message: 'Error starting userland proxy: listen tcp4 198.51.100.7:8500: bind: cannot assign requested address',
    });
    await assert.rejects(pm.allocate(ctx, 'a', [req({ hostIp: '2001:db8::9', hostPortStart: 53, proto: 'udp' })]), { message: /listen udp6 \[2001:db8::9\]:53: bind/ });
    assert.deepEqual(pm.allocations('a'), []);
    await pm.allocate(ctx, 'a', [req({ hostIp: '203.0.113.1', hostPortStart: 8500 }), req({ hostIp: '127.0.0.2', hostPortStart: 8500 }), req({ hostPortStart: 8501 })]);
    assert.equal(pm.allocations('a').length, 3);
  });

  it('allocates explicit ports once per address and protocol', async () => {
    const { pm } = await open();
    await pm.allocate(ctx, 'a', [req({ hostPortStart: 8080 })]);
    await assert.rejects(pm.allocate(ctx, 'b', [req({ hostPortStart: 8080 })]), { message: 'Bind for 0.0.0.0:8080 failed: port is already allocated' });
    await assert.rejects(pm.allocate(ctx, 'b', [req({ hostPortStart: 8080, hostIp: '127.0.0.1' })]), /port is already allocated/);
    await pm.allocate(ctx, 'b', [req({ hostPortStart: 8080, proto: 'udp' })]);
    await pm.allocate(ctx, 'c', [req({ hostPortStart: 9090, hostIp: '127.0.0.1' }), req({ hostPortStart: 9090, hostIp: '127.0.0.2' })]);
    await assert.rejects(pm.allocate(ctx, 'd', [req({ hostPortStart: 9091 }), req({ hostPortStart: 9090 })]), /9090 failed/);
    assert.deepEqual(pm.allocations('d'), [], 'all or nothing');
    assert.deepEqual(pm.owners().sort(), ['a', 'b', 'c']);
  });

  it('picks random ports serially from the range, skipping held and listening ones, and persists', async () => {
    const { path, probe, pm } = await open();
    probe.sockets = [{ proto: 'tcp', ip: '::', port: 40001 }];
    const a = await pm.allocate(ctx, 'a', [req({}), req({ containerPort: 81 })]);
    assert.deepEqual(
      a.map((x) => x.hostPort),
      [40000, 40002],
    );
    const again = await PortAllocator.open(path, probe, [40000, 40003]);
    assert.deepEqual(
      (await again.allocate(ctx, 'b', [req({})])).map((x) => x.hostPort),
      [40003],
    );
    await assert.rejects(again.allocate(ctx, 'c', [req({})]), { message: 'all ports are allocated' });
    await again.release(ctx, 'a');
    assert.deepEqual(
      (await again.allocate(ctx, 'c', [req({})])).map((x) => x.hostPort),
      [40000],
    );
  });

  it('allocates inside a host port range and refuses a listening explicit port', async () => {
    const { probe, pm } = await open();
    probe.sockets = [{ proto: 'tcp', ip: '127.0.0.1', port: 7000 }];
    const r = await pm.allocate(ctx, 'a', [req({ hostPortStart: 7000, hostPortEnd: 7002 })]);
    assert.equal(r[0]!.hostPort, 7001);
    await assert.rejects(pm.allocate(ctx, 'b', [req({ hostPortStart: 7000 })]), { message: 'Error starting userland proxy: listen tcp4 0.0.0.0:7000: bind: address already in use' });
    await pm.allocate(ctx, 'b', [req({ hostPortStart: 7000, hostIp: '127.0.0.2' })]);
  });

  it('IPv4 and IPv6 host addresses are separate bindings of the same port', async () => {
    const { pm } = await open();
    await pm.allocate(ctx, 'a', [req({ hostPortStart: 8080 }), req({ hostPortStart: 8080, hostIp: '::' })]);
    await assert.rejects(pm.allocate(ctx, 'b', [req({ hostPortStart: 8080, hostIp: '::1' })]), { message: 'Bind for [::1]:8080 failed: port is already allocated' });
    await pm.allocate(ctx, 'c', [req({ hostPortStart: 8081, hostIp: '::1' })]);
    await pm.allocate(ctx, 'd', [req({ hostPortStart: 8081, hostIp: '127.0.0.1' })]);
  });

  it('the IPv6 twin of a random or ranged binding gets the same port when it is free there', async () => {
    const { probe, pm } = await open([40000, 40009]);
    const a = await pm.allocate(ctx, 'a', [req({}), req({ hostIp: '::', twinOf: 0 })]);
    assert.deepEqual(
      a.map((x) => `${x.hostIp} ${x.hostPort}`),
      ['0.0.0.0 40000', ':: 40000'],
    );
    // 40001 is taken on :: by a host socket (IPv6 only binding of someone else): the twin takes the next free one
    probe.sockets = [{ proto: 'tcp', ip: '::1', port: 40001 }];
    const b = await pm.allocate(ctx, 'b', [req({}), req({ hostIp: '::1', twinOf: 0 })]);
    assert.deepEqual(
      b.map((x) => `${x.hostIp} ${x.hostPort}`),
      ['0.0.0.0 40001', '::1 40002'],
    );
    const c = await pm.allocate(ctx, 'c', [req({ hostPortStart: 7000, hostPortEnd: 7005 }), req({ hostIp: '::', hostPortStart: 7000, hostPortEnd: 7005, twinOf: 0 })]);
    assert.deepEqual(
      c.map((x) => x.hostPort),
      [7000, 7000],
    );
    await assert.rejects(pm.allocate(ctx, 'd', [req({ hostIp: '::', hostPortStart: 7000 })]), { message: 'Bind for [::]:7000 failed: port is already allocated' });
    // berth's own proxy on [::]:7000 (IPv6 only) does not block IPv4 on that port
    await pm.allocate(ctx, 'e', [req({ hostIp: '::', hostPortStart: 7100 })]);
    probe.sockets = [{ proto: 'tcp', ip: '::', port: 7100 }];
    await pm.allocate(ctx, 'f', [req({ hostIp: '127.0.0.1', hostPortStart: 7100 })]);
    // /proc/net/tcp6 spells addresses in full: a host socket on ::1 is seen as such
    probe.sockets = [{ proto: 'tcp', ip: '0:0:0:0:0:0:0:1', port: 7300 }];
    await assert.rejects(pm.allocate(ctx, 'h', [req({ hostIp: '::1', hostPortStart: 7300 })]), { message: 'Error starting userland proxy: listen tcp6 [::1]:7300: bind: address already in use' });
    // someone else's socket on :: (dual-stack) does
    probe.sockets = [{ proto: 'tcp', ip: '::', port: 7200 }];
    await assert.rejects(pm.allocate(ctx, 'g', [req({ hostIp: '127.0.0.1', hostPortStart: 7200 })]), /address already in use/);
  });

  it('reads the ephemeral range from the sysctl, falling back to the kernel default', async () => {
    const sysctl = new FakeSysctl();
    assert.deepEqual(await ephemeralRange(ctx, sysctl), [32768, 60999]);
    sysctl.values.set('net.ipv4.ip_local_port_range', '40000\t40100');
    assert.deepEqual(await ephemeralRange(ctx, sysctl), [40000, 40100]);
    sysctl.values.set('net.ipv4.ip_local_port_range', 'garbage');
    assert.deepEqual(await ephemeralRange(ctx, sysctl), [32768, 60999]);
  });
});
