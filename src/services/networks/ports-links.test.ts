import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { defaultBridgeOptions } from '../../drivers/network/bridge/options.ts';
import { BERTH_TABLE, ICC_TABLE } from '../../drivers/network/bridge/ruleset.ts';
import { disposeWorlds, fakeWorld, sandboxSpec } from './testing.ts';

/* Published ports on 0.0.0.0 and ::, IPv6 DNAT, legacy links under icc=false, --link-local-ip (controller level). */

after(disposeWorlds);

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

describe('published ports: both address families', () => {
  it('a binding without address: 0.0.0.0 and ::, the same port; IPv6 DNAT only for a dual-stack container', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'v6', Driver: 'bridge', EnableIPv6: true, IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.66.0.0/24' }, { Subnet: 'fd00:66::/64' }] } });
    w.ip.spawn(11);
    const out = await svc.attach(ctx, sandboxSpec(A, { networkMode: 'v6', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }], '53/udp': [{ HostIp: '::1', HostPort: '5353' }] } }), 11);
    const p80 = out.Ports['80/tcp']!;
    assert.deepEqual(
      p80.map((b) => b.HostIp),
      ['0.0.0.0', '::'],
    );
    assert.equal(p80[0]!.HostPort, p80[1]!.HostPort, 'one random port for both families');
    const port = p80[0]!.HostPort;
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_any'), [`tcp . ${port} : 10.66.0.2 . 80`]);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub6_any'), [`tcp . ${port} : fd00:66::2 . 80`]);
    // ::1 cannot be DNATed out of the host: no element (the userland proxy serves it)
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub6_ip'), []);
    await svc.detach(ctx, A);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub6_any'), []);
    assert.deepEqual(w.deps.portMapper.owners(), []);

    // an IPv4-only container: :: too (through the userland proxy), no IPv6 element
    w.ip.spawn(12);
    const v4 = await svc.attach(ctx, sandboxSpec(B, { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }), 12);
    assert.deepEqual(v4.Ports['80/tcp'], [
      { HostIp: '0.0.0.0', HostPort: '8080' },
      { HostIp: '::', HostPort: '8080' },
    ]);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub6_any'), []);
  });

  it('IPv4 only when the host cannot listen on IPv6, with host_binding_ipv4, or with an explicit 0.0.0.0', async () => {
    const w = await fakeWorld({ ipv6Listenable: false });
    const svc = await w.start();
    w.ip.spawn(21);
    const out = await svc.attach(ctx, sandboxSpec(A, { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }), 21);
    assert.deepEqual(out.Ports['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: '8080' }]);

    const w2 = await fakeWorld();
    const svc2 = await w2.start();
    await svc2.create(ctx, { Name: 'lo', Driver: 'bridge', Options: { 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1' } });
    w2.ip.spawn(22);
    const lo = await svc2.attach(ctx, sandboxSpec(B, { networkMode: 'lo', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8081' }, { HostIp: '0.0.0.0', HostPort: '8082' }] } }), 22);
    assert.deepEqual(lo.Ports['80/tcp'], [
      { HostIp: '127.0.0.1', HostPort: '8081' },
      { HostIp: '0.0.0.0', HostPort: '8082' },
    ]);
  });
});

describe('legacy links under icc=false', () => {
  it("opens the child's exposed ports to the parent while both run, and closes them when either stops", async () => {
    const w = await fakeWorld({ defaultBridge: { options: defaultBridgeOptions({ icc: false }) } });
    const svc = await w.start();
    const dbSpec = sandboxSpec(A, { containerName: 'db', exposedPorts: { '5432/tcp': {}, '53/udp': {} } });
    const webSpec = sandboxSpec(B, { containerName: 'web', links: ['db:data'] });
    const loneSpec = sandboxSpec(C, { containerName: 'lone', exposedPorts: { '80/tcp': {} } });
    const start = async (id: string, spec: typeof dbSpec, pid: number) => {
      w.ip.spawn(pid);
      w.containers.add({ id, name: spec.containerName, pid, spec });
      return svc.attach(ctx, spec, pid);
    };
    const stop = async (id: string) => {
      await svc.detach(ctx, id);
      w.containers.byId.get(id)!.pid = 0;
    };
    const links = async () => (await w.nft.elements(ctx, ICC_TABLE, 'links')) ?? [];
    const db = (await start(A, dbSpec, 31)).Networks.bridge!.IPAddress;
    await start(C, loneSpec, 33);
    assert.deepEqual(await links(), []);
    const web = (await start(B, webSpec, 32)).Networks.bridge!.IPAddress;
    assert.deepEqual((await links()).sort(), [`${web} . ${db} . tcp . 5432`, `${web} . ${db} . udp . 53`]);
    // the child stops: the rules go; it comes back on a new address (its old one taken meanwhile): they follow
    await stop(A);
    assert.deepEqual(await links(), []);
    const blocker = 'd'.repeat(64);
    await start(blocker, sandboxSpec(blocker, { containerName: 'blocker' }), 35);
    const db2 = (await start(A, dbSpec, 34)).Networks.bridge!.IPAddress;
    assert.notEqual(db2, db);
    await stop(blocker);
    assert.deepEqual((await links()).sort(), [`${web} . ${db2} . tcp . 5432`, `${web} . ${db2} . udp . 53`]);
    // the parent stops: they go
    await stop(B);
    assert.deepEqual(await links(), []);
    // the other container's port stays closed throughout, and it is in the icc-off set
    assert.equal((await w.nft.elements(ctx, ICC_TABLE, 'noicc'))?.length, 2);
  });

  it('no link rules on a network with icc on', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    w.ip.spawn(41);
    const dbSpec = sandboxSpec(A, { containerName: 'db', exposedPorts: { '80/tcp': {} } });
    w.containers.add({ id: A, name: 'db', pid: 41, spec: dbSpec });
    await svc.attach(ctx, dbSpec, 41);
    w.ip.spawn(42);
    await svc.attach(ctx, sandboxSpec(B, { containerName: 'web', links: ['db'] }), 42);
    assert.ok(!(await w.nft.tables(ctx)).includes('bridge berth'));
  });
});

describe('--link-local-ip', () => {
  it('adds the address to the interface, shows it in IPAMConfig, refuses bad ones as dockerd', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'usernet', Driver: 'bridge' });
    const spec = sandboxSpec(A, { networkMode: 'usernet', endpointsConfig: { usernet: { IPAMConfig: { LinkLocalIPs: ['169.254.1.1', 'fe80::5'] } } } });
    assert.deepEqual(await svc.validate(ctx, spec), []);
    w.ip.spawn(51);
    const out = await svc.attach(ctx, spec, 51);
    assert.deepEqual(out.Networks['usernet']!.IPAMConfig, { LinkLocalIPs: ['169.254.1.1', 'fe80::5'] });
    const addrs = (await w.ip.addrs(ctx, { pid: 51 })).map((a) => a.cidr);
    assert.ok(addrs.includes('169.254.1.1/16') && addrs.includes('fe80::5/64'), addrs.join(' '));
    for (const [ips, message] of [
      [['foo'], 'Invalid link-local IP address: [foo]'],
      [['10.1.2.3'], 'invalid link local IP address: 10.1.2.3'],
    ] as const) {
      const bad = sandboxSpec(B, { networkMode: 'usernet', endpointsConfig: { usernet: { IPAMConfig: { LinkLocalIPs: [...ips] } } } });
      await assert.rejects(svc.validate(ctx, bad), { message });
    }
    // network connect of a running container
    w.ip.spawn(52);
    const cSpec = sandboxSpec(C);
    w.containers.add({ id: C, name: cSpec.containerName, pid: 52, spec: cSpec });
    await svc.attach(ctx, cSpec, 52);
    await assert.rejects(svc.connect(ctx, 'usernet', C, { IPAMConfig: { LinkLocalIPs: ['bar'] } }), { message: 'Invalid link-local IP address: [bar]' });
    await svc.connect(ctx, 'usernet', C, { IPAMConfig: { LinkLocalIPs: ['169.254.9.9'] } });
    assert.ok((await w.ip.addrs(ctx, { pid: 52 })).some((a) => a.dev === 'eth1' && a.cidr === '169.254.9.9/16'));
    assert.deepEqual(svc.settings(C)!.Networks['usernet']!.IPAMConfig, { LinkLocalIPs: ['169.254.9.9'] });
  });
});
