import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError, SystemError } from '../../common/errors.ts';
import { BERTH_TABLE } from '../../drivers/network/bridge/ruleset.ts';
import { disposeWorlds, fakeWorld, sandboxSpec } from './testing.ts';

after(disposeWorlds);

const C1 = 'a'.repeat(64);
const C2 = 'b'.repeat(64);
const C3 = 'c'.repeat(64);

describe('NetworksService: daemon start', () => {
  it('creates bridge, host and none with Docker shapes, the berth0 bridge and the nft table', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const nets = await svc.list(ctx, new Map());
    assert.deepEqual(
      nets.map((n) => [n.Name, n.Driver]),
      [
        ['bridge', 'bridge'],
        ['host', 'host'],
        ['none', 'null'],
      ],
    );
    const br = await svc.inspect(ctx, 'bridge');
    assert.deepEqual(br.IPAM, { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] });
    assert.equal(br.Options['com.docker.network.bridge.name'], 'berth0');
    assert.match(br.Id, /^[0-9a-f]{64}$/);
    const links = await w.ip.links(ctx);
    const berth0 = links.find((l) => l.name === 'berth0');
    assert.ok(berth0?.up && berth0.kind === 'bridge');
    assert.deepEqual(
      (await w.ip.addrs(ctx)).filter((a) => a.dev === 'berth0'),
      [{ dev: 'berth0', cidr: '172.17.0.1/16' }],
    );
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'bridges'), ['"berth0"']);
    assert.deepEqual(await w.nft.rules(ctx, BERTH_TABLE, 'nets-post'), ['ip saddr 172.17.0.0/16 oifname "berth0" ct status dnat masquerade', 'ip saddr 172.17.0.0/16 oifname != "berth0" masquerade']);
    assert.equal(w.sysctl.values.get('net.ipv4.ip_forward'), '1');
    assert.equal(w.sysctl.values.get('net.ipv4.conf.berth0.route_localnet'), '1');
  });

  it('keeps ids and the bridge across restarts (idempotent)', async () => {
    const w = await fakeWorld();
    const a = await (await w.start()).list(ctx, new Map());
    const b = await (await w.start()).list(ctx, new Map());
    assert.deepEqual(
      b.map((n) => n.Id),
      a.map((n) => n.Id),
    );
    assert.equal((await w.ip.links(ctx)).filter((l) => l.name === 'berth0').length, 1);
  });

  it('takes the next free pool when 172.17.0.0/16 is already routed', async () => {
    const w = await fakeWorld();
    w.ip.addRoute({ dst: '172.17.0.0/16', dev: 'docker0' });
    const svc = await w.start();
    assert.equal((await svc.inspect(ctx, 'bridge')).IPAM.Config[0]!.Subnet, '172.18.0.0/16');
  });

  it('honours bip and fixed-cidr', async () => {
    const { defaultBridgeOptions } = await import('../../drivers/network/bridge/options.ts');
    const w = await fakeWorld({ defaultBridge: { options: defaultBridgeOptions(), bip: '10.99.0.1/24', fixedCidr: '10.99.0.128/25' } });
    const svc = await w.start();
    assert.deepEqual((await svc.inspect(ctx, 'bridge')).IPAM.Config, [{ Subnet: '10.99.0.0/24', Gateway: '10.99.0.1', IPRange: '10.99.0.128/25' }]);
    const out = await svc.allocate(ctx, sandboxSpec(C1));
    assert.equal(out.Networks['bridge']!.IPAddress, '10.99.0.128');
  });
});

describe('NetworksService: container lifecycle on the default bridge', () => {
  it('allocates, wires with one batch per namespace and one nft transaction, and releases everything', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const events: string[] = [];
    w.events.subscribe((e) => events.push(`${e.Action} ${e.Actor.Attributes['name']}`));
    const spec = sandboxSpec(C1, {
      portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '81/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      exposedPorts: { '80/tcp': {}, '81/udp': {}, '443/tcp': {} },
      extraHosts: ['db:10.1.2.3', 'gw:host-gateway'],
    });
    assert.deepEqual(await svc.validate(ctx, spec), []);
    const alloc = await svc.allocate(ctx, spec);
    assert.deepEqual(alloc.Ports, {
      '443/tcp': null,
      // no host address: 0.0.0.0 and :: (dockerd 20.10+)
      '80/tcp': [
        { HostIp: '0.0.0.0', HostPort: '8080' },
        { HostIp: '::', HostPort: '8080' },
      ],
      '81/udp': [{ HostIp: '127.0.0.1', HostPort: '32768' }],
    });
    const ep = alloc.Networks['bridge']!;
    assert.equal(ep.IPAddress, '172.17.0.2');
    assert.equal(ep.MacAddress, '02:42:ac:11:00:02');
    assert.equal(ep.Gateway, '172.17.0.1');
    assert.equal(ep.IPPrefixLen, 16);
    assert.equal(ep.Aliases, null);
    assert.equal(
      alloc.hosts,
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n' +
        `10.1.2.3\tdb\n172.17.0.1\tgw\n172.17.0.2\t${C1.slice(0, 12)}\n`,
    );
    assert.equal(alloc.resolvConf, 'search example.com\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4');
    const hist = w.ip.history.length;
    w.ip.spawn(4242);
    const out = await svc.attach(ctx, spec, 4242);
    assert.equal(out.SandboxKey, '/proc/4242/ns/net');
    assert.equal(w.ip.history.length - hist, 2, 'one batch in the daemon namespace, one in the container');
    const inner = await w.ip.links(ctx, { pid: 4242 });
    assert.deepEqual(inner.map((l) => [l.name, l.up, l.mac]).sort(), [
      ['eth0', true, '02:42:ac:11:00:02'],
      ['lo', true, '00:00:00:00:00:00'],
    ]);
    assert.deepEqual(await w.ip.addrs(ctx, { pid: 4242 }), [{ dev: 'eth0', cidr: '172.17.0.2/16' }]);
    assert.ok((await w.ip.routes(ctx, { pid: 4242 })).some((r) => r.dst === 'default' && r.via === '172.17.0.1'));
    const veth = (await w.ip.links(ctx)).find((l) => l.kind === 'veth')!;
    assert.equal(veth.master, 'berth0');
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_any'), ['tcp . 8080 : 172.17.0.2 . 80']);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_ip'), ['127.0.0.1 . udp . 32768 : 172.17.0.2 . 81']);
    const inspect = await svc.inspect(ctx, 'bridge');
    assert.deepEqual(inspect.Containers[C1], { Name: 'c-aaaa', EndpointID: ep.EndpointID, MacAddress: '02:42:ac:11:00:02', IPv4Address: '172.17.0.2/16', IPv6Address: '' });
    // attach again with the same pid: no kernel work
    await svc.attach(ctx, spec, 4242);
    assert.equal(w.ip.history.length - hist, 2);

    w.ip.exit(4242);
    await svc.detach(ctx, C1);
    await svc.detach(ctx, C1); // idempotent
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_any'), []);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_ip'), []);
    assert.equal((await w.ip.links(ctx)).filter((l) => l.kind === 'veth').length, 0);
    assert.deepEqual(w.deps.ipam.leases(w.deps.ipam.pools()[0]!.id), []);
    assert.deepEqual(w.deps.portMapper.owners(), []);
    assert.deepEqual(Object.keys((await svc.inspect(ctx, 'bridge')).Containers), []);
    assert.deepEqual(events, ['connect bridge', 'disconnect bridge']);
  });

  it('never hands out an address twice, also across a restart; a released one is the lowest free again', async () => {
    const w = await fakeWorld();
    let svc = await w.start();
    assert.equal((await svc.allocate(ctx, sandboxSpec(C1))).Networks['bridge']!.IPAddress, '172.17.0.2');
    svc = await w.start();
    assert.equal((await svc.allocate(ctx, sandboxSpec(C2))).Networks['bridge']!.IPAddress, '172.17.0.3');
    await svc.detach(ctx, C1);
    assert.equal((await svc.allocate(ctx, sandboxSpec(C3))).Networks['bridge']!.IPAddress, '172.17.0.2');
    const state = JSON.parse(await readFile(join(w.dir, 'ipam.json'), 'utf8'));
    assert.deepEqual(Object.keys(state.pools['172.17.0.0/16'].leases).sort(), ['172.17.0.2', '172.17.0.3']);
  });

  it('refuses a host port held by another container and leaves nothing behind', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const pb = { '80/tcp': [{ HostIp: '', HostPort: '8080' }] };
    await svc.allocate(ctx, sandboxSpec(C1, { portBindings: pb }));
    await assert.rejects(svc.allocate(ctx, sandboxSpec(C2, { portBindings: pb })), (err: Error) => {
      assert.ok(err instanceof SystemError);
      assert.match(err.message, /^driver failed programming external connectivity on endpoint c-bbbb \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated$/);
      return true;
    });
    assert.equal(w.deps.ipam.leases('172.17.0.0/16').length, 1);
    assert.equal(svc.settings(C2), undefined);
  });

  it('refuses a host port a host socket listens on; random ports skip it', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    w.sockets.sockets = [
      { proto: 'tcp', ip: '0.0.0.0', port: 9000 },
      { proto: 'tcp', ip: '::', port: 32768 },
    ];
    await assert.rejects(svc.allocate(ctx, sandboxSpec(C1, { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '9000' }] } })), /listen tcp4 0\.0\.0\.0:9000: bind: address already in use/);
    const out = await svc.allocate(ctx, sandboxSpec(C2, { exposedPorts: { '80/tcp': {} }, publishAllPorts: true }));
    // the IPv6 twin gets the same port (32769 is free on :: too)
    assert.deepEqual(out.Ports['80/tcp'], [
      { HostIp: '0.0.0.0', HostPort: '32769' },
      { HostIp: '::', HostPort: '32769' },
    ]);
  });

  it('undoes the kernel work when wiring fails half-way', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const spec = sandboxSpec(C1, { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
    w.ip.spawn(7);
    w.ip.failOn = (c, where) => where === 'pid:7' && c.op === 'route-add';
    await assert.rejects(svc.attach(ctx, spec, 7), /Operation not permitted/);
    assert.equal((await w.ip.links(ctx)).filter((l) => l.kind === 'veth').length, 0);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_any'), []);
    w.ip.failOn = undefined;
    await svc.detach(ctx, C1);
    assert.deepEqual(w.deps.ipam.leases('172.17.0.0/16'), []);
    assert.deepEqual(w.deps.portMapper.owners(), []);
  });

  it('resynchronises the nft table when removing elements fails', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    w.ip.spawn(8);
    await svc.attach(ctx, sandboxSpec(C1, { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }), 8);
    w.nft.failNext = 'Could not process rule: No such file or directory';
    await svc.detach(ctx, C1);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_any'), []);
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'bridges'), ['"berth0"']);
  });
});

describe('NetworksService: network modes', () => {
  it('none: own namespace with only lo up', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const spec = sandboxSpec(C1, { networkMode: 'none' });
    assert.deepEqual(await svc.netnsFor(ctx, spec), { kind: 'new' });
    w.ip.spawn(11);
    const out = await svc.attach(ctx, spec, 11);
    assert.deepEqual(Object.keys(out.Networks), ['none']);
    assert.equal(out.Networks['none']!.IPAddress, '');
    assert.deepEqual(out.Ports, {});
    assert.deepEqual(
      (await w.ip.links(ctx, { pid: 11 })).map((l) => [l.name, l.up]),
      [['lo', true]],
    );
    assert.ok(!out.hosts.includes(C1.slice(0, 12)));
  });

  it('host: no namespace, the host files, a warning for published ports', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const spec = sandboxSpec(C1, { networkMode: 'host', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '80' }] } });
    assert.deepEqual(await svc.validate(ctx, spec), ['Published ports are discarded when using host network mode']);
    assert.deepEqual(await svc.netnsFor(ctx, spec), { kind: 'host' });
    const out = await svc.attach(ctx, spec, 12);
    assert.equal(out.hosts, '127.0.0.1\tlocalhost\n10.0.0.5\thosty\n');
    assert.equal(out.resolvConf, 'nameserver 127.0.0.53\nsearch example.com\n');
    assert.deepEqual(out.Ports, {});
    assert.equal(out.SandboxKey, '');
    assert.equal(w.deps.portMapper.owners().length, 0);
  });

  it('host: live from allocate on (attach optional), listed in the network, restorable', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const actions: string[] = [];
    w.events.subscribe((e) => actions.push(e.Action));
    const spec = sandboxSpec(C1, { networkMode: 'host' });
    await svc.allocate(ctx, spec);
    assert.deepEqual(Object.keys((await svc.inspect(ctx, 'host')).Containers), [C1]);
    assert.ok(await svc.restore(ctx, spec, 99));
    await svc.detach(ctx, C1);
    await svc.detach(ctx, C1);
    assert.deepEqual(actions, ['connect', 'disconnect']);
  });

  it('container:X joins the namespace of a running X and shares its files', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    w.ip.spawn(21);
    const x = sandboxSpec(C1, { dns: ['9.9.9.9'] });
    await svc.attach(ctx, x, 21);
    w.containers.add({ id: C1, name: 'x', pid: 21, spec: x });
    const spec = sandboxSpec(C2, { networkMode: 'container:x' });
    assert.deepEqual(await svc.validate(ctx, spec), []);
    assert.deepEqual(await svc.netnsFor(ctx, spec), { kind: 'path', path: '/proc/21/ns/net' });
    const out = await svc.attach(ctx, spec, 22);
    assert.deepEqual(out.Networks, {});
    assert.equal(out.resolvConf, 'search example.com\nnameserver 9.9.9.9\n');
    assert.match(out.hosts, /172\.17\.0\.2\taaaaaaaaaaaa\n$/);
    await assert.rejects(svc.validate(ctx, sandboxSpec(C3, { networkMode: 'container:x', dns: ['1.1.1.1'] })), /conflicting options: dns and the network mode/);
    await assert.rejects(
      svc.validate(ctx, sandboxSpec(C3, { networkMode: 'container:x', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } })),
      /conflicting options: port publishing and the container type network mode/,
    );
    // a missing donor fails the start, not the create (a 404 at create reads as a missing image to the CLI)
    assert.deepEqual(await svc.validate(ctx, sandboxSpec(C3, { networkMode: 'container:nope' })), []);
    await assert.rejects(svc.netnsFor(ctx, sandboxSpec(C3, { networkMode: 'container:nope' })), (e: Error) => e instanceof NotFoundError && e.message === 'No such container: nope');
    w.containers.byId.get(C1)!.pid = 0;
    await assert.rejects(svc.netnsFor(ctx, spec), ConflictError);
  });

  it('validates specs with Docker messages', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await assert.rejects(svc.validate(ctx, sandboxSpec(C1, { portBindings: { 'abc/tcp': [] } })), { message: 'invalid port specification: "abc"' });
    await assert.rejects(svc.validate(ctx, sandboxSpec(C1, { portBindings: { '80/tcp': [{ HostIp: '', HostPort: 'x' }] } })), { message: 'invalid port specification: "x"' });
    // an unknown network fails the start, as on dockerd
    assert.deepEqual(await svc.validate(ctx, sandboxSpec(C1, { networkMode: 'nope' })), []);
    await assert.rejects(svc.allocate(ctx, sandboxSpec(C1, { networkMode: 'nope' })), (e: Error) => e instanceof NotFoundError && e.message === 'network nope not found');
    await assert.rejects(svc.validate(ctx, sandboxSpec(C1, { networkMode: 'host', endpointsConfig: { bridge: {} } })), {
      message: 'container sharing network namespace with another container or host cannot be connected to any other network',
    });
    await assert.rejects(svc.validate(ctx, sandboxSpec(C1, { endpointsConfig: { bridge: { IPAMConfig: { IPv4Address: '172.17.0.9' } } } })), {
      message: 'user specified IP address is supported on user defined networks only',
    });
    await assert.rejects(svc.validate(ctx, sandboxSpec(C1, { endpointsConfig: { bridge: { Aliases: ['x'] } } })), InvalidArgumentError);
    await assert.rejects(svc.validate(ctx, sandboxSpec(C1, { extraHosts: ['bad'] })), InvalidArgumentError);
  });
});

describe('NetworksService: user-defined networks', () => {
  it('creates br-<id12> with the next free subnet, isolates it, refuses duplicates and predefined names', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const events: string[] = [];
    w.events.subscribe((e) => events.push(`${e.Type} ${e.Action} ${e.Actor.Attributes['name']} ${e.Actor.Attributes['type']}`));
    const { Id, Warning } = await svc.create(ctx, { Name: 'n1', Labels: { a: 'b' } });
    assert.equal(Warning, '');
    const n1 = await svc.inspect(ctx, Id.slice(0, 5));
    assert.equal(n1.Name, 'n1');
    assert.deepEqual(n1.IPAM.Config, [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    const br = `br-${Id.slice(0, 12)}`;
    assert.ok((await w.ip.links(ctx)).some((l) => l.name === br && l.up));
    assert.deepEqual((await w.nft.elements(ctx, BERTH_TABLE, 'bridges'))?.sort(), ['"berth0"', `"${br}"`].sort());
    assert.ok((await w.nft.rules(ctx, BERTH_TABLE, 'nets-fwd'))!.includes(`iifname "${br}" oifname != "${br}" oifname @bridges drop`));
    await assert.rejects(svc.create(ctx, { Name: 'n1' }), (e: Error) => e instanceof ConflictError && e.message === 'network with name n1 already exists');
    await assert.rejects(svc.create(ctx, { Name: 'bridge' }), (e: Error) => e instanceof ForbiddenError && e.message === 'operation is not permitted on predefined bridge network ');
    await assert.rejects(svc.create(ctx, { Name: 'n2', Driver: 'host' }), { message: 'only one instance of "host" network is allowed' });
    await assert.rejects(svc.create(ctx, { Name: 'n3', Driver: 'overlay' }), /not a swarm manager/);
    await assert.rejects(svc.create(ctx, { Name: 'n4', IPAM: { Config: [{ Subnet: '172.18.5.0/24' }] } }), { message: 'invalid pool request: Pool overlaps with other one on this address space' });
    await assert.rejects(svc.create(ctx, { Name: 'n5', IPAM: { Config: [{ Gateway: '10.0.0.1' }] } }), InvalidArgumentError);
    const names = await svc.list(ctx, new Map([['label', ['a=b']]]));
    assert.deepEqual(
      names.map((n) => n.Name),
      ['n1'],
    );
    assert.deepEqual(
      (await svc.list(ctx, new Map([['type', ['builtin']]]))).map((n) => n.Name),
      ['bridge', 'host', 'none'],
    );
    await assert.rejects(svc.remove(ctx, 'bridge'), { message: 'bridge is a pre-defined network and cannot be removed' });
    await svc.remove(ctx, 'n1');
    assert.ok(!(await w.ip.links(ctx)).some((l) => l.name === br));
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'bridges'), ['"berth0"']);
    await assert.rejects(svc.inspect(ctx, 'n1'), { message: 'network n1 not found' });
    assert.deepEqual(events, ['network create n1 bridge', 'network destroy n1 bridge']);
  });

  it('fixed IPs, aliases, active endpoints, connect and disconnect of a running container', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const { Id } = await svc.create(ctx, { Name: 'web', IPAM: { Config: [{ Subnet: '10.77.0.0/24', Gateway: '10.77.0.254' }] } });
    const spec = sandboxSpec(C1, { networkMode: 'web', endpointsConfig: { web: { IPAMConfig: { IPv4Address: '10.77.0.10' }, Aliases: ['api'] } } });
    w.ip.spawn(31);
    const out = await svc.attach(ctx, spec, 31);
    const ep = out.Networks['web']!;
    assert.equal(ep.IPAddress, '10.77.0.10');
    assert.equal(ep.Gateway, '10.77.0.254');
    assert.deepEqual(ep.Aliases, ['api', C1.slice(0, 12)]);
    assert.deepEqual(ep.DNSNames, ['c-aaaa', 'api', C1.slice(0, 12)]);
    assert.deepEqual(ep.IPAMConfig, { IPv4Address: '10.77.0.10' });
    await assert.rejects(svc.remove(ctx, 'web'), (e: Error) => e instanceof ForbiddenError && e.message === `error while removing network: network web id ${Id} has active endpoints`);
    await assert.rejects(svc.attach(ctx, sandboxSpec(C2, { networkMode: 'web', endpointsConfig: { web: { IPAMConfig: { IPv4Address: '10.77.0.10' } } } }), 32), {
      message: 'Address already in use',
    });

    w.containers.add({ id: C1, name: 'c1', pid: 31, spec });
    await svc.connect(ctx, 'bridge', 'c1', {});
    const inner = await w.ip.addrs(ctx, { pid: 31 });
    assert.deepEqual(inner.map((a) => `${a.dev} ${a.cidr}`).sort(), ['eth0 10.77.0.10/24', 'eth1 172.17.0.2/16']);
    assert.equal((await w.ip.routes(ctx, { pid: 31 })).filter((r) => r.dst === 'default').length, 1);
    const change = w.containers.changes.at(-1)!;
    assert.deepEqual(Object.keys(change.endpointsConfig).sort(), ['bridge', 'web']);
    assert.deepEqual(Object.keys(change.settings!.Networks).sort(), ['bridge', 'web']);
    assert.match(change.settings!.hosts, /10\.77\.0\.10\taaaaaaaaaaaa\n172\.17\.0\.2\taaaaaaaaaaaa\n$/);
    await assert.rejects(svc.connect(ctx, 'bridge', 'c1', {}), { message: 'endpoint with name c1 already exists in network bridge' });
    await assert.rejects(svc.connect(ctx, 'host', 'c1', {}), { message: 'container cannot be disconnected from host network or connected to host network' });
    await assert.rejects(svc.connect(ctx, 'bridge', 'nobody', {}), { message: 'No such container: nobody' });

    await svc.disconnect(ctx, 'bridge', 'c1', false);
    assert.deepEqual(
      (await w.ip.addrs(ctx, { pid: 31 })).map((a) => a.dev),
      ['eth0'],
    );
    assert.deepEqual(w.deps.ipam.leases('172.17.0.0/16'), []);
    assert.deepEqual(Object.keys(w.containers.changes.at(-1)!.endpointsConfig), ['web']);
    await assert.rejects(svc.disconnect(ctx, 'bridge', 'c1', false), { message: `container ${C1} is not connected to network bridge` });

    w.ip.exit(31);
    await svc.detach(ctx, C1);
    const pruned = await svc.prune(ctx, new Map());
    assert.deepEqual(pruned, { NetworksDeleted: ['web'] });
    assert.deepEqual(await svc.prune(ctx, new Map()), { NetworksDeleted: null });
  });

  it('connect of a stopped container only updates its configuration', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'n1' });
    w.containers.add({ id: C1, name: 'c1', pid: 0, spec: sandboxSpec(C1) });
    const hist = w.ip.history.length;
    await svc.connect(ctx, 'n1', 'c1', { Aliases: ['x'] });
    assert.equal(w.ip.history.length, hist);
    assert.deepEqual(Object.keys(w.containers.changes[0]!.endpointsConfig), ['n1']);
    assert.equal(w.containers.changes[0]!.settings, undefined);
    // at the next start it is wired to both networks in one batch per namespace
    w.ip.spawn(41);
    const out = await svc.attach(ctx, w.containers.byId.get(C1)!.spec, 41);
    assert.deepEqual(Object.keys(out.Networks).sort(), ['bridge', 'n1']);
    assert.equal(w.ip.history.length - hist, 2);
  });
});
