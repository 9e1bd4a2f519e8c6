import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../../common/ctx.ts';
import { FakeIpRoute } from '../../../system/iproute/fake.ts';
import { FakeNftables } from '../../../system/nftables/fake.ts';
import { FakeSysctl } from '../../../system/sysctl/fake.ts';
import type { PortAllocation } from '../../portmapper/contract.ts';
import type { EndpointInfo, NetworkInfo } from '../contract.ts';
import { type BridgeDaemonOptions, BridgeDriver } from './driver.ts';
import { ICC_TABLE } from './ruleset.ts';

const NET: NetworkInfo = { id: 'n1', name: 'n', subnet: '172.18.0.0/16', gateway: '172.18.0.1', subnet6: 'fd00:1::/64', gateway6: 'fd00:1::1', internal: false, options: {} };
const P = (hostIp: string, hostPort: number): PortAllocation => ({ proto: 'tcp', containerPort: 80, hostIp, hostPort });
const PORTS = [P('0.0.0.0', 8080), P('::', 8080), P('::1', 8081), P('2001:db8::1', 8082), P('127.0.0.1', 8083)];

function ep(o: Partial<EndpointInfo> = {}): EndpointInfo {
  return { id: 'e1', networkId: 'n1', ifname: 'eth0', hostIfname: 'vethaaaa', ip: '172.18.0.2', prefixLen: 16, gateway: '172.18.0.1', ipv6: '', prefixLen6: 0, gateway6: '', mac: '02:42:ac:12:00:02', defaultRoute: true, ports: PORTS, ...o };
}

function driver(o: BridgeDaemonOptions = {}, v6 = true): BridgeDriver {
  return new BridgeDriver({ ip: new FakeIpRoute(), nft: new FakeNftables(), sysctl: new FakeSysctl(), ipv6Listenable: async () => v6 }, o);
}

const proxied = (d: BridgeDriver, e: EndpointInfo, net = NET) =>
  (d.planJoin(net, e, 1).proxy ?? []).filter((t) => !t.hold).map((t) => `${t.hostIp.includes(':') ? `[${t.hostIp}]` : t.hostIp}:${t.hostPort} > ${t.containerIp}`);
/** The bindings only held (DNATed by the kernel, a socket keeps the port). */
const held = (d: BridgeDriver, e: EndpointInfo, net = NET) =>
  (d.planJoin(net, e, 1).proxy ?? []).filter((t) => t.hold).map((t) => `${t.hostIp.includes(':') ? `[${t.hostIp}]` : t.hostIp}:${t.hostPort}`);

describe('bridge driver: which published ports the userland proxy serves', () => {
  it('default: IPv6 bindings only; for a dual-stack container only [::1] and [::] (its loopback part), to its IPv6 address', () => {
    const d = driver();
    assert.deepEqual(proxied(d, ep()), ['[::]:8080 > 172.18.0.2', '[::1]:8081 > 172.18.0.2', '[2001:db8::1]:8082 > 172.18.0.2']);
    assert.deepEqual(proxied(d, ep({ ipv6: 'fd00:1::2', prefixLen6: 64 })), ['[::]:8080 > fd00:1::2', '[::1]:8081 > fd00:1::2']);
    // the rest is DNATed by the kernel, its ports held by sockets
    assert.deepEqual(held(d, ep()), ['0.0.0.0:8080', '127.0.0.1:8083']);
  });

  it('userland-proxy off: no proxy at all; iptables off: every port; published-ports-obey-input: every port', () => {
    assert.deepEqual(proxied(driver({ userlandProxy: false }), ep()), []);
    assert.equal(held(driver({ userlandProxy: false }), ep()).length, PORTS.length, 'without the proxy every port is still held');
    assert.equal(proxied(driver({ iptables: false }), ep()).length, PORTS.length);
    assert.deepEqual(proxied(driver({ iptables: false, userlandProxy: false }), ep()), []);
    assert.deepEqual(held(driver({ iptables: false, userlandProxy: false }), ep()), [], 'no firewall, no proxy: nothing publishes, nothing is held');
    assert.equal(proxied(driver({ publishedPortsObeyInput: true }), ep({ ipv6: 'fd00:1::2' })).length, PORTS.length);
  });

  it('binding policy: the default address, the IPv6 probe, and whether IPv6 reaches an IPv4-only container', async () => {
    assert.deepEqual(await driver().bindingPolicy(ctx, NET), { defaultHostIp: '0.0.0.0', ipv6Listenable: true, userlandProxy: true });
    const at10 = { ...NET, options: { 'com.docker.network.bridge.host_binding_ipv4': '10.0.0.1' } };
    assert.deepEqual(await driver({ userlandProxy: false }, false).bindingPolicy(ctx, at10), {
      defaultHostIp: '10.0.0.1',
      ipv6Listenable: false,
      userlandProxy: false,
    });
    const hb = { ...NET, options: { 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1' } };
    assert.equal((await driver().bindingPolicy(ctx, hb)).defaultHostIp, '127.0.0.1');
  });
});

describe('bridge driver: link-local addresses and link rules', () => {
  it('adds --link-local-ip addresses with their masks', () => {
    const plan = driver().planJoin(NET, ep({ linkLocal: ['169.254.1.1/16', 'fe80::5/64'] }), 1);
    assert.deepEqual(
      plan.container.filter((c) => c.op === 'addr-add').map((c) => (c.op === 'addr-add' ? [c.cidr, c.broadcast ?? '', !!c.nodad] : [])),
      [
        ['172.18.0.2/16', '172.18.255.255', false],
        ['169.254.1.1/16', '169.254.255.255', false],
        ['fe80::5/64', '', true],
      ],
    );
  });

  it('programs link rules on icc-off networks only; leaving removes them idempotently', () => {
    const links = [{ parentIp: '172.18.0.3', childIp: '172.18.0.2', ports: [{ proto: 'tcp' as const, port: 80 }] }];
    const off = { ...NET, options: { 'com.docker.network.bridge.enable_icc': 'false' } };
    const d = driver();
    const join = d.planJoin(off, ep({ ports: [], links }), 1).nft.find((p) => p.table === ICC_TABLE);
    assert.deepEqual(join?.ops, [
      { op: 'add-element', set: 'noicc', elements: ['"vethaaaa"'] },
      { op: 'add-element', set: 'links', elements: ['172.18.0.3 . 172.18.0.2 . tcp . 80'] },
    ]);
    const leave = d.planLeave(off, ep({ ports: [], links })).nft.find((p) => p.table === ICC_TABLE);
    assert.deepEqual(leave?.ops.map((o) => `${o.op} ${'set' in o ? o.set : ''}`), ['delete-element noicc', 'add-element links', 'delete-element links']);
    assert.equal(
      d.planJoin(NET, ep({ ports: [], links }), 1).nft.some((p) => p.table === ICC_TABLE),
      false,
    );
  });
});
