import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, SystemError } from '../../common/errors.ts';
import { disposeWorlds, fakeWorld, sandboxSpec } from './testing.ts';

after(disposeWorlds);

const C1 = 'a'.repeat(64);
const C2 = 'b'.repeat(64);

async function worldWithParent() {
  const w = await fakeWorld();
  await w.ip.batch(ctx, [
    { op: 'veth-add', name: 'lan0', peer: 'lan1' },
    { op: 'link-set', dev: 'lan0', up: true },
  ]);
  return { w, svc: await w.start() };
}

describe('macvlan networks', () => {
  it('endpoints are macvlan links on the parent, made inside the container; no host address, no NAT, no ports', async () => {
    const { w, svc } = await worldWithParent();
    await svc.create(ctx, { Name: 'lan', Driver: 'macvlan', IPAM: { Config: [{ Subnet: '192.0.2.0/24', Gateway: '192.0.2.254' }] }, Options: { parent: 'lan0' } });
    const n = await svc.inspect(ctx, 'lan');
    assert.deepEqual(n.Options, { parent: 'lan0' });
    assert.ok(!(await w.ip.addrs(ctx)).some((a) => a.cidr.startsWith('192.0.2.')), 'the gateway is the LAN router, not the host');
    w.ip.spawn(61);
    w.ip.spawn(62);
    const a = await svc.attach(ctx, sandboxSpec(C1, { networkMode: 'lan', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }), 61);
    await svc.attach(ctx, sandboxSpec(C2, { networkMode: 'lan', endpointsConfig: { lan: { IPAMConfig: { IPv4Address: '192.0.2.77' }, MacAddress: '02:00:00:00:00:77' } } }), 62);
    assert.equal(a.Networks['lan']!.IPAddress, '192.0.2.1');
    assert.deepEqual(a.Ports, { '80/tcp': null }, 'no port publishing on macvlan');
    const inside = await w.ip.links(ctx, { pid: 62 });
    assert.deepEqual(
      inside.map((l) => [l.name, l.kind, l.mac, l.up]),
      [
        ['lo', '', '00:00:00:00:00:00', true],
        ['eth0', 'macvlan', '02:00:00:00:00:77', true],
      ],
    );
    assert.deepEqual(
      (await w.ip.routes(ctx, { pid: 61 })).filter((r) => r.dst === 'default'),
      [{ dst: 'default', dev: 'eth0', via: '192.0.2.254' }],
    );
    assert.ok(!(await w.ip.links(ctx)).some((l) => l.kind === 'macvlan'), 'nothing left in the host namespace');
    // names resolve on macvlan networks too
    assert.match(a.resolvConf, /nameserver 127\.0\.0\.11/);
    // disconnect of a running container removes its link inside
    w.containers.add({ id: C2, name: 'c2', pid: 62, spec: sandboxSpec(C2, { networkMode: 'lan' }) });
    await svc.connect(ctx, 'bridge', 'c2', {});
    await svc.disconnect(ctx, 'lan', 'c2', false);
    assert.deepEqual(
      (await w.ip.links(ctx, { pid: 62 })).map((l) => l.name),
      ['lo', 'eth1'],
    );
    await svc.detach(ctx, C1);
    await svc.detach(ctx, C2);
    await svc.remove(ctx, 'lan');
    assert.ok((await w.ip.links(ctx)).some((l) => l.name === 'lan0'), 'a given parent is left alone');
  });

  it('refuses a missing parent, a parent in use, a bad mode', async () => {
    const { svc } = await worldWithParent();
    await assert.rejects(svc.create(ctx, { Name: 'm1', Driver: 'macvlan', Options: { parent: 'eth9' } }), (e: Error) => e instanceof InvalidArgumentError && e.message === 'invalid subinterface vlan name eth9, example formatting is eth0.10');
    await assert.rejects(svc.create(ctx, { Name: 'm1', Driver: 'macvlan', Options: { parent: 'lo' } }), { message: 'loopback interface is not a valid macvlan parent link' });
    await assert.rejects(svc.create(ctx, { Name: 'm1', Driver: 'macvlan', Options: { parent: 'lan0', macvlan_mode: 'nope' } }), /macvlan mode 'nope' is not valid/);
    await svc.create(ctx, { Name: 'm1', Driver: 'macvlan', Options: { parent: 'lan0' } });
    await assert.rejects(svc.create(ctx, { Name: 'm2', Driver: 'macvlan', Options: { parent: 'lan0' } }), (e: Error) => e instanceof ForbiddenError && e.message === 'network m1 is already using parent interface lan0');
    for (const mode of ['private', 'vepa', 'passthru']) await svc.create(ctx, { Name: `m-${mode}`, Driver: 'macvlan', Options: { parent: `lan0.${mode.length}`, macvlan_mode: mode } });
  });

  it('802.1q parents and dummy parents are created, and removed with the network; a kernel without VLANs gets a clear error', async () => {
    const { w, svc } = await worldWithParent();
    await svc.create(ctx, { Name: 'v10', Driver: 'macvlan', Options: { parent: 'lan0.10' } });
    assert.equal((await w.ip.links(ctx)).find((l) => l.name === 'lan0.10')?.kind, 'vlan');
    const { Id } = await svc.create(ctx, { Name: 'nop', Driver: 'macvlan' });
    assert.equal((await w.ip.links(ctx)).find((l) => l.name === `dm-${Id.slice(0, 12)}`)?.kind, 'dummy');
    await svc.remove(ctx, 'v10');
    await svc.remove(ctx, 'nop');
    assert.deepEqual(
      (await w.ip.links(ctx)).map((l) => l.name).filter((n) => n.startsWith('lan0.') || n.startsWith('dm-')),
      [],
    );
    w.ip.unsupportedKinds = ['vlan', 'dummy'];
    await assert.rejects(
      svc.create(ctx, { Name: 'v20', Driver: 'macvlan', Options: { parent: 'lan0.20' } }),
      (e: Error) => e instanceof SystemError && /^macvlan: cannot create the 802\.1q sub-interface lan0\.20 of lan0: .*Unknown device type/.test(e.message),
    );
    await assert.rejects(svc.inspect(ctx, 'v20'), /not found/);
    assert.ok(!(await w.ip.links(ctx)).some((l) => l.name === 'lan0.20'));
  });
});
