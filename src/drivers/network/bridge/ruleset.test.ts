import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderNftScript } from '../../../system/nftables/render.ts';
import { BERTH_TABLE, fullRulesetOps, ICC_TABLE, iccTableOps, linkElementOps, netChainOps, portElementOps } from './ruleset.ts';

describe('berth nftables ruleset', () => {
  it('renders the whole table for two networks and one published container', () => {
    const script = renderNftScript(
      BERTH_TABLE,
      fullRulesetOps(
        [
          { bridge: 'berth0', subnet: '172.17.0.0/16', internal: false, masquerade: true },
          { bridge: 'br-0123456789ab', subnet: '172.18.0.0/16', internal: true, masquerade: true },
        ],
        [
          {
            ip: '172.17.0.2',
            ports: [
              { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPort: 8080 },
              { proto: 'udp', containerPort: 81, hostIp: '127.0.0.1', hostPort: 32768 },
            ],
          },
        ],
      ),
    );
    const lines = script.trim().split('\n');
    assert.deepEqual(lines.slice(0, 3), ['add table inet berth', 'delete table inet berth', 'add table inet berth']);
    for (const want of [
      'add map inet berth pub_any { type inet_proto . inet_service : ipv4_addr . inet_service; }',
      'add chain inet berth output { type nat hook output priority -100; policy accept; }',
      'add rule inet berth ports meta l4proto { tcp, udp, sctp } dnat ip to ip daddr . meta l4proto . th dport map @pub_ip',
      'add rule inet berth ports meta nfproto ipv4 meta l4proto { tcp, udp, sctp } dnat ip to meta l4proto . th dport map @pub_any',
      'add rule inet berth ports ip6 daddr != ::1 meta l4proto { tcp, udp, sctp } dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub6_ip',
      'add rule inet berth ports ip6 daddr != ::1 meta l4proto { tcp, udp, sctp } dnat ip6 to meta l4proto . th dport map @pub6_any',
      'add rule inet berth output fib daddr type local jump ports',
      'add rule inet berth postrouting ip saddr 127.0.0.0/8 oifname @bridges masquerade',
      'add element inet berth bridges { "berth0", "br-0123456789ab" }',
      'add rule inet berth nets-post ip saddr 172.17.0.0/16 oifname != "berth0" masquerade',
      'add rule inet berth nets-fwd iifname "berth0" oifname != "berth0" oifname @bridges drop',
      'add rule inet berth nets-int iifname "br-0123456789ab" oifname != "br-0123456789ab" drop',
      'add rule inet berth nets-post ip saddr 172.17.0.0/16 oifname "berth0" ct status dnat masquerade',
      'add rule inet berth forward ct state established,related accept',
      'add element inet berth pub_any { tcp . 8080 : 172.17.0.2 . 80 }',
      'add element inet berth pub_ip { 127.0.0.1 . udp . 32768 : 172.17.0.2 . 81 }',
    ]) {
      assert.ok(lines.includes(want), `missing: ${want}`);
    }
    assert.ok(!script.includes('172.18.0.0/16 oifname'), 'no masquerade for an internal network');
    // base chains are declared after the chains they jump to
    assert.ok(lines.indexOf('add chain inet berth nets-fwd') < lines.findIndex((l) => l.startsWith('add rule inet berth forward jump nets-fwd')));
    // internal networks are closed before published ports are let in; isolation after
    const fwd = lines.filter((l) => l.startsWith('add rule inet berth forward '));
    assert.ok(fwd.indexOf('add rule inet berth forward jump nets-int') < fwd.indexOf('add rule inet berth forward oifname @bridges ct status dnat accept'));
    assert.ok(fwd.indexOf('add rule inet berth forward oifname @bridges ct status dnat accept') < fwd.indexOf('add rule inet berth forward jump nets-fwd'));
  });

  it('per-network chains are re-rendered whole; port elements split by host address', () => {
    assert.deepEqual(netChainOps([]), [
      { op: 'flush-chain', chain: 'nets-post' },
      { op: 'flush-chain', chain: 'nets-int' },
      { op: 'flush-chain', chain: 'nets-fwd' },
    ]);
    assert.deepEqual(portElementOps('delete-element', { ip: '10.0.0.2' }, [{ proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPort: 80 }]), [
      { op: 'delete-element', set: 'pub_any', elements: ['tcp . 80 : 10.0.0.2 . 80'] },
    ]);
    assert.deepEqual(portElementOps('add-element', { ip: '10.0.0.2' }, []), []);
  });

  it('IPv6 host addresses: DNAT to a dual-stack container, never for ::1; nothing for a container without IPv6', () => {
    const ports = [
      { proto: 'tcp' as const, containerPort: 80, hostIp: '0.0.0.0', hostPort: 8080 },
      { proto: 'tcp' as const, containerPort: 80, hostIp: '::', hostPort: 8080 },
      { proto: 'udp' as const, containerPort: 53, hostIp: '::1', hostPort: 5353 },
      { proto: 'tcp' as const, containerPort: 82, hostIp: '2001:db8::1', hostPort: 8082 },
      { proto: 'tcp' as const, containerPort: 83, hostIp: '127.0.0.1', hostPort: 8083 },
    ];
    assert.deepEqual(portElementOps('add-element', { ip: '172.18.0.2', ipv6: 'fd00:1::2' }, ports), [
      { op: 'add-element', set: 'pub_any', elements: ['tcp . 8080 : 172.18.0.2 . 80'] },
      { op: 'add-element', set: 'pub_ip', elements: ['127.0.0.1 . tcp . 8083 : 172.18.0.2 . 83'] },
      { op: 'add-element', set: 'pub6_any', elements: ['tcp . 8080 : fd00:1::2 . 80'] },
      { op: 'add-element', set: 'pub6_ip', elements: ['2001:db8::1 . tcp . 8082 : fd00:1::2 . 82'] },
    ]);
    assert.deepEqual(
      portElementOps('add-element', { ip: '172.18.0.2', ipv6: '' }, ports).map((o) => (o.op === 'add-element' ? o.set : '')),
      ['pub_any', 'pub_ip'],
    );
    // the hairpin masquerade of a dual-stack network covers IPv6
    const chain = netChainOps([{ bridge: 'br-x', subnet: '172.18.0.0/16', subnet6: 'fd00:1::/64', internal: false, masquerade: false }]);
    assert.ok(chain.some((o) => o.op === 'add-rule' && o.rule === 'ip6 saddr fd00:1::/64 oifname "br-x" ct status dnat masquerade'));
  });

  it('legacy links open the linked pair before the icc drop; removal cannot fail on missing elements', () => {
    const links = [
      { parentIp: '172.17.0.3', childIp: '172.17.0.2', ports: [{ proto: 'tcp' as const, port: 80 }, { proto: 'udp' as const, port: 53 }] },
      { parentIp: '172.17.0.3', childIp: '172.17.0.2', ports: [{ proto: 'tcp' as const, port: 80 }] },
    ];
    const lines = renderNftScript(ICC_TABLE, iccTableOps(['vethaaa'], links)).trim().split('\n');
    const accept = lines.indexOf('add rule bridge berth forward ip saddr . ip daddr . meta l4proto . th dport @links accept');
    const reply = lines.indexOf('add rule bridge berth forward ip daddr . ip saddr . meta l4proto . th sport @links accept');
    const drop = lines.indexOf('add rule bridge berth forward iifname @noicc oifname @noicc meta protocol { ip, ip6 } drop');
    assert.ok(accept > 0 && reply > accept && drop > reply, lines.join('\n'));
    assert.ok(lines.includes('add element bridge berth links { 172.17.0.3 . 172.17.0.2 . tcp . 80, 172.17.0.3 . 172.17.0.2 . udp . 53 }'));
    assert.deepEqual(linkElementOps('delete-element', [links[1]!]), [
      { op: 'add-element', set: 'links', elements: ['172.17.0.3 . 172.17.0.2 . tcp . 80'] },
      { op: 'delete-element', set: 'links', elements: ['172.17.0.3 . 172.17.0.2 . tcp . 80'] },
    ]);
    assert.deepEqual(linkElementOps('add-element', [{ parentIp: '172.17.0.3', childIp: '172.17.0.2', ports: [] }]), []);
  });
});
