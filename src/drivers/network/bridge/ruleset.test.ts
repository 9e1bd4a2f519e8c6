import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderNftScript } from '../../../system/nftables/render.ts';
import { BERTH_TABLE, fullRulesetOps, netChainOps, portElementOps } from './ruleset.ts';

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
    assert.deepEqual(portElementOps('delete-element', '10.0.0.2', [{ proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPort: 80 }]), [
      { op: 'delete-element', set: 'pub_any', elements: ['tcp . 80 : 10.0.0.2 . 80'] },
    ]);
    assert.deepEqual(portElementOps('add-element', '10.0.0.2', []), []);
  });
});
