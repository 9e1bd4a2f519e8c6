import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { nullLogger } from '../../common/log.ts';
import { UserlandProxy } from '../../drivers/portmapper/proxy.ts';
import { ForbiddenError, InvalidArgumentError, NotFoundError, UnavailableError } from '../../common/errors.ts';
import { defaultBridgeOptions } from '../../drivers/network/bridge/options.ts';
import { BERTH_TABLE, ICC_TABLE } from '../../drivers/network/bridge/ruleset.ts';
import { disposeWorlds, fakeWorld, sandboxSpec } from './testing.ts';

after(disposeWorlds);

const C1 = 'a'.repeat(64);
const C2 = 'b'.repeat(64);

describe('network create: flags and errors', () => {
  it('the reference example: subnet, ip-range, gateway; containers get addresses in the range', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'br0', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.5.254', AuxiliaryAddresses: { router: '172.28.5.0', sw: '172.28.5.1' } }] } });
    const n = await svc.inspect(ctx, 'br0');
    assert.deepEqual(n.IPAM.Config, [{ Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.5.254', AuxiliaryAddresses: { router: '172.28.5.0', sw: '172.28.5.1' } }]);
    w.ip.spawn(5);
    const out = await svc.attach(ctx, sandboxSpec(C1, { networkMode: 'br0' }), 5);
    assert.equal(out.Networks['br0']!.IPAddress, '172.28.5.2', 'aux addresses and the gateway are never leased');
    assert.equal(out.Networks['br0']!.Gateway, '172.28.5.254');
    assert.equal(out.Networks['br0']!.MacAddress, '02:42:ac:1c:05:02');
    await svc.detach(ctx, C1);
  });

  const bad: [string, object, RegExp | string, new (...a: never[]) => Error][] = [
    ['host bits in the subnet', { Subnet: '172.28.0.1/16' }, 'invalid network config:\ninvalid subnet 172.28.0.1/16: it should be 172.28.0.0/16', InvalidArgumentError],
    ['bad CIDR', { Subnet: '172.28.0.0/33' }, 'invalid network config:\ninvalid subnet 172.28.0.0/33: invalid CIDR block notation', InvalidArgumentError],
    ['gateway outside', { Subnet: '10.1.0.0/24', Gateway: '10.2.0.1' }, "invalid network config:\ninvalid gateway 10.2.0.1: parent subnet 10.1.0.0/24 doesn't contain this address", InvalidArgumentError],
    ['range outside', { Subnet: '10.1.0.0/24', IPRange: '10.1.1.0/25' }, "invalid network config:\ninvalid ip-range 10.1.1.0/25: parent subnet 10.1.0.0/24 doesn't contain ip-range", InvalidArgumentError],
    [
      'range bigger, aux of the other family',
      { Subnet: '10.1.0.0/24', IPRange: '10.0.0.0/8', AuxiliaryAddresses: { a: 'fd00::1' } },
      'invalid network config:\ninvalid ip-range 10.0.0.0/8: CIDR block is bigger than its parent subnet 10.1.0.0/24\ninvalid auxiliary address a: parent subnet is an IPv4 block',
      InvalidArgumentError,
    ],
    ['gateway without subnet', { Gateway: '10.0.0.1' }, 'invalid network config:\nevery ip-range or gateway must have a corresponding subnet', InvalidArgumentError],
  ];
  for (const [what, cfg, msg, cls] of bad) {
    it(`refuses ${what}`, async () => {
      const svc = await (await fakeWorld()).start();
      await assert.rejects(svc.create(ctx, { Name: 'xx', IPAM: { Config: [cfg] } }), (e: Error) => e instanceof cls && (typeof msg === 'string' ? e.message === msg : msg.test(e.message)));
      assert.deepEqual(
        (await svc.list(ctx, new Map())).map((n) => n.Name),
        ['bridge', 'host', 'none'],
      );
    });
  }

  it('other refusals: two IPv4 subnets, IPv6 subnet without --ipv6, scope swarm, unknown drivers, null IPAM on bridge', async () => {
    const svc = await (await fakeWorld()).start();
    await assert.rejects(svc.create(ctx, { Name: 'xx', IPAM: { Config: [{ Subnet: '10.1.0.0/24' }, { Subnet: '10.2.0.0/24' }] } }), (e: Error) => e instanceof ForbiddenError && e.message === "bridge driver doesn't support multiple subnets");
    // an IPv6 subnet without --ipv6 is kept as given and not used (dockerd)
    await svc.create(ctx, { Name: 'v6off', IPAM: { Config: [{ Subnet: 'fd00:1::/64' }] } });
    const v6off = await svc.inspect(ctx, 'v6off');
    assert.equal(v6off.EnableIPv6, false);
    assert.ok(v6off.IPAM.Config.some((c) => c.Subnet === 'fd00:1::/64'));
    await svc.remove(ctx, 'v6off');
    await assert.rejects(svc.create(ctx, { Name: 'xx', Scope: 'swarm' }), (e: Error) => e instanceof UnavailableError && e.message === 'cannot create a swarm scoped network when swarm is not active');
    await assert.rejects(svc.create(ctx, { Name: 'xx', Driver: 'foo' }), NotFoundError);
    await assert.rejects(svc.create(ctx, { Name: 'xx', IPAM: { Driver: 'foo' } }), { message: 'plugin "foo" not found' });
    await assert.rejects(svc.create(ctx, { Name: 'xx', IPAM: { Driver: 'null', Config: [{ Subnet: '10.9.0.0/24' }] } }), { message: 'null ipam driver does not handle specific address pool requests' });
    await assert.rejects(svc.create(ctx, { Name: 'xx', IPAM: { Driver: 'null' } }), { message: 'ipv4 pool is empty' });
    await assert.rejects(svc.create(ctx, { Name: 'xx', Options: { 'com.docker.network.bridge.enable_icc': 'maybe' } }), /ParseBool/);
    await assert.rejects(svc.create(ctx, { Name: 'xx', Options: { 'com.docker.network.driver.mtu': '12' } }), { message: 'invalid MTU number: 12' });
    await svc.create(ctx, { Name: 'ok', Scope: 'local', Attachable: true, IPAM: { Options: { foo: 'bar' } }, Labels: { l: 'v' } });
    const ok = await svc.inspect(ctx, 'ok');
    assert.equal(ok.Attachable, true);
    assert.deepEqual(ok.IPAM.Options, { foo: 'bar' });
    assert.deepEqual(ok.Labels, { l: 'v' });
  });

  it('bridge options: name, mtu, masquerade off, icc off; --internal', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, {
      Name: 'quiet',
      IPAM: { Config: [{ Subnet: '10.44.0.0/24' }] },
      Options: {
        'com.docker.network.bridge.name': 'brquiet',
        'com.docker.network.driver.mtu': '1400',
        'com.docker.network.bridge.enable_ip_masquerade': 'false',
        'com.docker.network.bridge.enable_icc': 'false',
      },
    });
    await svc.create(ctx, { Name: 'sealed', Internal: true, IPAM: { Config: [{ Subnet: '10.45.0.0/24' }] } });
    const br = (await w.ip.links(ctx)).find((l) => l.name === 'brquiet');
    assert.equal(br?.mtu, 1400);
    const post = (await w.nft.rules(ctx, BERTH_TABLE, 'nets-post'))!;
    assert.ok(!post.some((r) => r.includes('10.44.0.0/24') && !r.includes('ct status dnat')), 'no masquerade');
    assert.ok(!post.some((r) => r.includes('10.45.0.0/24')), 'no NAT for an internal network');
    const fwd = (await w.nft.rules(ctx, BERTH_TABLE, 'nets-int'))!;
    const sealed = (await svc.inspect(ctx, 'sealed')).Id;
    assert.ok(fwd.includes(`iifname "br-${sealed.slice(0, 12)}" oifname != "br-${sealed.slice(0, 12)}" drop`));

    w.ip.spawn(7);
    w.ip.spawn(8);
    await svc.attach(ctx, sandboxSpec(C1, { networkMode: 'quiet' }), 7);
    const out = await svc.attach(ctx, sandboxSpec(C2, { networkMode: 'sealed', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }), 8);
    const ep1 = (await w.ip.links(ctx)).filter((l) => l.master === 'brquiet').map((l) => l.name);
    assert.deepEqual(await w.nft.elements(ctx, ICC_TABLE, 'noicc'), ep1.map((n) => `"${n}"`));
    assert.equal((await w.ip.links(ctx, { pid: 7 })).find((l) => l.name === 'eth0')?.mtu, 1400);
    // internal: no default route, no published ports
    assert.deepEqual((await w.ip.routes(ctx, { pid: 8 })).filter((r) => r.dst === 'default'), []);
    // the ports belong to a gateway endpoint, which an internal network never gives (dockerd: Ports {})
    assert.deepEqual(out.Ports, {});
    assert.equal(out.Networks.sealed?.Gateway, '', 'no gateway on an internal network (moby 27)');
    assert.deepEqual(await w.nft.elements(ctx, BERTH_TABLE, 'pub_any'), []);
    await svc.detach(ctx, C1);
    await svc.detach(ctx, C2);
    assert.deepEqual(await w.nft.elements(ctx, ICC_TABLE, 'noicc'), []);
    // a restart rebuilds the icc table whole
    await (await w.start()).list(ctx, new Map());
    assert.deepEqual(await w.nft.elements(ctx, ICC_TABLE, 'noicc'), []);
  });

  it('--config-only and --config-from', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'cfg', ConfigOnly: true, IPAM: { Config: [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.254' }] }, Options: { 'com.docker.network.driver.mtu': '1450' } });
    const cfg = await svc.inspect(ctx, 'cfg');
    assert.equal(cfg.ConfigOnly, true);
    assert.equal(cfg.Driver, 'null');
    assert.deepEqual(cfg.IPAM.Config, [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.254' }]);
    assert.equal(w.deps.ipam.pools().length, 1, 'no pool for a configuration network');
    await assert.rejects(svc.create(ctx, { Name: 'uu', ConfigFrom: { Network: 'cfg' }, Options: { a: 'b' } }), { message: 'network driver options are not supported if the network depends on a configuration network' });
    await assert.rejects(svc.create(ctx, { Name: 'uu', ConfigFrom: { Network: 'cfg' }, Labels: { a: 'b' } }), /user specified configurations are not supported/);
    await svc.create(ctx, { Name: 'real', ConfigFrom: { Network: 'cfg' } });
    const real = await svc.inspect(ctx, 'real');
    assert.deepEqual(real.ConfigFrom, { Network: 'cfg' });
    assert.equal(real.Driver, 'bridge');
    assert.deepEqual(real.IPAM.Config, [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.254' }]);
    assert.equal(real.Options['com.docker.network.driver.mtu'], '1450');
    await assert.rejects(svc.create(ctx, { Name: 'u2', ConfigFrom: { Network: 'real' } }), { message: 'configuration network "real" does not exist' });
    await assert.rejects(svc.validate(ctx, sandboxSpec(C1, { networkMode: 'cfg' })), /configuration only network/);
    await assert.rejects(svc.remove(ctx, 'cfg'), { message: 'error while removing network: configuration network "cfg" is in use' });
    await svc.remove(ctx, 'real');
    await svc.remove(ctx, 'cfg');
  });

  it('--ipv6: dual-stack bridge, containers get both families', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'v6', EnableIPv6: true, IPAM: { Config: [{ Subnet: '10.60.0.0/24' }, { Subnet: 'fd00:60::/64' }] } });
    const auto = await svc.create(ctx, { Name: 'v6auto', EnableIPv6: true });
    const n = await svc.inspect(ctx, 'v6');
    assert.equal(n.EnableIPv6, true);
    // as given: the gateways the daemon chose for the user's subnets are not shown (dockerd)
    assert.deepEqual(n.IPAM.Config, [{ Subnet: '10.60.0.0/24' }, { Subnet: 'fd00:60::/64' }]);
    const autoCfg = (await svc.inspect(ctx, auto.Id)).IPAM.Config;
    assert.match(autoCfg[1]!.Subnet, /^fd[0-9a-f]{2}:/);
    assert.ok(autoCfg[0]!.Gateway && autoCfg[1]!.Gateway, 'chosen subnets show their gateways');
    assert.ok((await w.ip.addrs(ctx)).some((a) => a.cidr === 'fd00:60::1/64'));
    w.ip.spawn(9);
    const out = await svc.attach(ctx, sandboxSpec(C1, { networkMode: 'v6', endpointsConfig: { v6: { IPAMConfig: { IPv6Address: 'fd00:60::99' } } } }), 9);
    const ep = out.Networks['v6']!;
    assert.equal(ep.GlobalIPv6Address, 'fd00:60::99');
    assert.equal(ep.GlobalIPv6PrefixLen, 64);
    assert.equal(ep.IPv6Gateway, 'fd00:60::1');
    assert.match(out.hosts, /fd00:60::99\taaaaaaaaaaaa\n$/);
    assert.deepEqual(
      (await w.ip.routes(ctx, { pid: 9 })).filter((r) => r.dst === 'default').map((r) => r.via),
      ['10.60.0.1', 'fd00:60::1'],
    );
    assert.equal((await svc.inspect(ctx, 'v6')).Containers[C1]!.IPv6Address, 'fd00:60::99/64');
    assert.deepEqual(w.deps.ipam.leases('fd00:60::/64'), [{ ip: 'fd00:60::99', owner: ep.EndpointID }]);
    await assert.rejects(svc.validate(ctx, sandboxSpec(C2, { networkMode: 'v6', endpointsConfig: { v6: { IPAMConfig: { IPv6Address: 'fd00:61::1' } } } })), {
      message: 'no configured subnet or ip-range contain the IP address fd00:61::1',
    });
    await svc.detach(ctx, C1);
    assert.deepEqual(w.deps.ipam.leases('fd00:60::/64'), []);
    await svc.remove(ctx, 'v6');
    assert.ok(!w.deps.ipam.pools().some((p) => p.subnet === 'fd00:60::/64'));
  });

  it('daemon options: iptables=false leaves the firewall alone, ip-forward=false the sysctl; icc/ip-masq shape the default bridge; default-address-pools; dns', async () => {
    const w = await fakeWorld({
      bridge: { iptables: false, ipForward: false },
      defaultBridge: { options: defaultBridgeOptions({ icc: false, ipMasquerade: false }) },
      pools: [{ base: '10.123.0.0/16', size: 24 }],
      daemonDns: { servers: ['192.0.2.1'], search: ['corp'], options: ['timeout:1'] },
    });
    const svc = await w.start();
    assert.deepEqual(await w.nft.tables(ctx), []);
    assert.equal(w.sysctl.values.get('net.ipv4.ip_forward'), undefined);
    const b = await svc.inspect(ctx, 'bridge');
    assert.equal(b.Options['com.docker.network.bridge.enable_icc'], 'false');
    assert.equal(b.Options['com.docker.network.bridge.enable_ip_masquerade'], 'false');
    assert.equal(b.IPAM.Config[0]!.Subnet, '10.123.0.0/24');
    await svc.create(ctx, { Name: 'n1' });
    assert.equal((await svc.inspect(ctx, 'n1')).IPAM.Config[0]!.Subnet, '10.123.1.0/24');
    w.ip.spawn(3);
    const out = await svc.attach(ctx, sandboxSpec(C1, { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }), 3);
    assert.deepEqual(await w.nft.tables(ctx), [], 'no rules, also for published ports');
    assert.equal(out.resolvConf, 'search corp\nnameserver 192.0.2.1\noptions timeout:1\n');
    await svc.detach(ctx, C1);
  });

  it('iptables=false: published ports are served by the userland proxy, started and stopped with the container', async () => {
    const proxy = new UserlandProxy(nullLogger);
    const w = await fakeWorld({ bridge: { iptables: false }, proxy });
    const svc = await w.start();
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    w.ip.spawn(4);
    const spec = sandboxSpec(C1, { portBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }], '90/sctp': [{ HostIp: '127.0.0.1', HostPort: '9090' }] } });
    const out = await svc.attach(ctx, spec, 4);
    assert.deepEqual(out.Ports['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(port) }]);
    assert.deepEqual(proxy.owners(), [C1]);
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => s.close(resolve));
      }),
      /EADDRINUSE/,
      'the proxy listens on the published port',
    );
    await svc.detach(ctx, C1);
    assert.deepEqual(proxy.owners(), []);
    proxy.close();
  });

  it('daemon ipv6/fixed-cidr-v6/default-gateway shape the default bridge (and changes apply on restart)', async () => {
    const opts = {
      defaultBridge: { options: defaultBridgeOptions(), bip: '10.140.0.1/24', ipv6: true, fixedCidrV6: 'fd00:140::/64', defaultGateway: '10.140.0.254', defaultGateway6: 'fd00:140::fe' },
    };
    const w = await fakeWorld(opts);
    const svc = await w.start();
    const b = await svc.inspect(ctx, 'bridge');
    assert.equal(b.EnableIPv6, true);
    assert.deepEqual(b.IPAM.Config, [
      { Subnet: '10.140.0.0/24', Gateway: '10.140.0.1', AuxiliaryAddresses: { DefaultGatewayIPv4: '10.140.0.254' } },
      { Subnet: 'fd00:140::/64', Gateway: 'fd00:140::1', AuxiliaryAddresses: { DefaultGatewayIPv6: 'fd00:140::fe' } },
    ]);
    w.ip.spawn(6);
    const out = await svc.attach(ctx, sandboxSpec(C1), 6);
    assert.equal(out.Networks['bridge']!.Gateway, '10.140.0.254');
    assert.equal(out.Networks['bridge']!.IPv6Gateway, 'fd00:140::fe');
    // a /64 fixed-cidr-v6: the address is the prefix and the MAC (02:42:0a:8c:00:02), as dockerd
    assert.equal(out.Networks['bridge']!.GlobalIPv6Address, 'fd00:140::242:a8c:2');
    assert.deepEqual(
      (await w.ip.routes(ctx, { pid: 6 })).filter((r) => r.dst === 'default').map((r) => r.via),
      ['10.140.0.254', 'fd00:140::fe'],
    );
    await svc.detach(ctx, C1);
    // IPv6 turned off in the daemon's configuration: the default bridge is IPv4 only after a restart
    opts.defaultBridge.ipv6 = false;
    const again = await w.start();
    const b2 = await again.inspect(ctx, 'bridge');
    assert.equal(b2.EnableIPv6, false);
    assert.equal(b2.IPAM.Config.length, 1);
    assert.ok(!w.deps.ipam.pools().some((p) => p.subnet === 'fd00:140::/64'));
  });
});

describe('network rm: kernel objects go after the answer', () => {
  it('a daemon that stops before they are gone removes them at its next start', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const { Id } = await svc.create(ctx, { Name: 'gone' });
    const br = `br-${Id.slice(0, 12)}`;
    assert.ok((await w.ip.linkNames(ctx)).includes(br));
    // the bridge's deletion never finishes (the daemon dies while it runs)
    const batch = w.ip.batch.bind(w.ip);
    w.ip.batch = (c, cmds, o) => (cmds.some((x) => x.op === 'link-del') ? new Promise(() => {}) : batch(c, cmds, o));
    await svc.remove(ctx, 'gone');
    await assert.rejects(svc.inspect(ctx, 'gone'), NotFoundError);
    assert.ok((await w.ip.linkNames(ctx)).includes(br), 'still there: its deletion hangs');
    const file = () => readFile(join(w.dir, 'networks.json'), 'utf8').then((t) => JSON.parse(t) as { removing?: { Id: string }[] });
    assert.deepEqual((await file()).removing?.map((n) => n.Id), [Id]);
    w.ip.batch = batch;
    const again = await w.start();
    assert.ok(!(await w.ip.linkNames(ctx)).includes(br), 'removed at start');
    assert.equal((await file()).removing, undefined);
    // a network made next gets the subnet back
    const next = await again.create(ctx, { Name: 'next' });
    assert.equal((await again.inspect(ctx, next.Id)).IPAM.Config[0]?.Subnet, '172.18.0.0/16');
  });

  it("the removal outlives the request: its kernel work does not use the request's signal", async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const { Id } = await svc.create(ctx, { Name: 'short' });
    // as the real exec does: a command whose context was aborted fails (checked a little later, as a process runs)
    const batch = w.ip.batch.bind(w.ip);
    w.ip.batch = async (c, cmds, o) => {
      await new Promise((r) => setTimeout(r, 20));
      if (c.signal?.aborted) throw new Error('The operation was aborted');
      return batch(c, cmds, o);
    };
    const request = new AbortController();
    await svc.remove({ ...ctx, signal: request.signal }, 'short');
    request.abort(); // the client got its answer and went away
    await svc.settle();
    assert.ok(!(await w.ip.linkNames(ctx)).includes(`br-${Id.slice(0, 12)}`), 'the bridge is gone');
  });

  it('a network made right after a removal waits for it (same subnet, no clash)', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'first' });
    await svc.remove(ctx, 'first');
    const b = await svc.create(ctx, { Name: 'second' });
    assert.equal((await svc.inspect(ctx, b.Id)).IPAM.Config[0]?.Subnet, '172.18.0.0/16');
    await svc.settle();
    assert.deepEqual((await w.ip.linkNames(ctx)).filter((n) => n.startsWith('br-')), [`br-${b.Id.slice(0, 12)}`]);
  });
});
