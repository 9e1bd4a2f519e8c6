import { isLoopback6 } from '../../../domain/net/host-bindings.ts';
import type { LinkRule } from '../../../domain/net/links.ts';
import type { NftOp, NftTable } from '../../../system/nftables/port.ts';
import type { PortAllocation } from '../../portmapper/contract.ts';

/**
 * berth's one nftables table (pure rendering; unit-tested). Layout:
 *  - set `bridges`: every berth bridge;
 *  - maps `pub_any` (proto . port → ip . port) and `pub_ip` (host ip . proto . port → ip . port): published ports,
 *    changed by adding/deleting elements only; `pub6_any` and `pub6_ip` the same for IPv6 host addresses and
 *    containers with an IPv6 address (never for ::1: the kernel cannot DNAT IPv6 loopback traffic out of the host,
 *    there is no route_localnet for IPv6, so the userland proxy serves [::1] and [::]'s loopback part);
 *  - nat prerouting/output → chain `ports` for local destinations (output too, so 127.0.0.1:<port> works from the
 *    daemon's namespace; needs route_localnet on the bridges and the 127.0.0.0/8 masquerade below);
 *  - nat postrouting: loopback-sourced and routed DNAT traffic into a bridge is masqueraded, then `nets-post`
 *    (egress masquerade per network, and the hairpin masquerade: with br_netfilter a container's packet to its own
 *    published port is DNATed and bridged back, its input interface unknown in postrouting);
 *  - filter forward: replies first; `nets-int` (internal networks: nothing in or out); published (DNAT) traffic
 *    into bridges, from anywhere; `nets-fwd` (no new connection between two bridges); everything out of bridges;
 *    anything else into a bridge is dropped.
 * `nets-post`, `nets-int` and `nets-fwd` hold the per-network rules and are re-rendered whole when a network comes
 * or goes.
 */
export const BERTH_TABLE: NftTable = { family: 'inet', name: 'berth' };

export interface BridgeNet {
  bridge: string;
  subnet: string;
  /** IPv6 subnet ("" without IPv6). */
  subnet6?: string;
  internal: boolean;
  masquerade: boolean;
}

/**
 * The bridge-family table: inter-container communication inside a bridge is switched, not routed, so
 * `enable_icc=false` is enforced on the bridge's forward hook: IP frames between two ports that both belong to
 * icc-off networks are dropped (a frame never leaves its bridge, so "both ports in the set" means "same bridge").
 * Ports are the host ends of the veths (`meta ibrname` with a set is not supported by every kernel).
 * Legacy links are the exceptions (set `links`: parent ip . child ip . proto . port): the parent reaches the
 * child's exposed ports and the child answers from them, as dockerd's per-link ACCEPT rules (IPv4, as dockerd).
 */
export const ICC_TABLE: NftTable = { family: 'bridge', name: 'berth' };

export function iccTableOps(noIccPorts: readonly string[], links: readonly LinkRule[] = []): NftOp[] {
  return [
    { op: 'add-table' },
    { op: 'delete-table' },
    { op: 'add-table' },
    { op: 'add-set', name: 'noicc', spec: 'type ifname;' },
    { op: 'add-set', name: 'links', spec: 'type ipv4_addr . ipv4_addr . inet_proto . inet_service;' },
    { op: 'add-chain', chain: 'forward', base: 'type filter hook forward priority 0; policy accept;' },
    { op: 'add-rule', chain: 'forward', rule: 'ip saddr . ip daddr . meta l4proto . th dport @links accept' },
    { op: 'add-rule', chain: 'forward', rule: 'ip daddr . ip saddr . meta l4proto . th sport @links accept' },
    { op: 'add-rule', chain: 'forward', rule: 'iifname @noicc oifname @noicc meta protocol { ip, ip6 } drop' },
    ...portSetOps('add-element', noIccPorts),
    ...linkElementOps('add-element', links),
  ];
}

/** The `links` elements of link rules (IPv4 pairs; deduplicated). */
export function linkElements(links: readonly LinkRule[]): string[] {
  const out = new Set<string>();
  for (const l of links) {
    if (l.parentIp.includes(':') || l.childIp.includes(':')) continue;
    for (const p of l.ports) out.add(`${l.parentIp} . ${l.childIp} . ${p.proto} . ${p.port}`);
  }
  return [...out];
}

/**
 * Adds or removes link elements. Removal is add-then-delete in one transaction: the other side of a link may have
 * removed them already, and a missing element must not fail the transaction.
 */
export function linkElementOps(kind: 'add-element' | 'delete-element', links: readonly LinkRule[]): NftOp[] {
  const elements = linkElements(links);
  if (elements.length === 0) return [];
  if (kind === 'add-element') return [{ op: 'add-element', set: 'links', elements }];
  return [
    { op: 'add-element', set: 'links', elements },
    { op: 'delete-element', set: 'links', elements },
  ];
}

export function portSetOps(kind: 'add-element' | 'delete-element', ports: readonly string[]): NftOp[] {
  return ports.length > 0 ? [{ op: kind, set: 'noicc', elements: ports.map((p) => `"${p}"`) }] : [];
}

const PROTOS = '{ tcp, udp, sctp }';

export function baseOps(): NftOp[] {
  return [
    { op: 'add-table' },
    { op: 'add-set', name: 'bridges', spec: 'type ifname;' },
    { op: 'add-set', name: 'pub_any', map: true, spec: 'type inet_proto . inet_service : ipv4_addr . inet_service;' },
    { op: 'add-set', name: 'pub_ip', map: true, spec: 'type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service;' },
    { op: 'add-set', name: 'pub6_any', map: true, spec: 'type inet_proto . inet_service : ipv6_addr . inet_service;' },
    { op: 'add-set', name: 'pub6_ip', map: true, spec: 'type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service;' },
    { op: 'add-chain', chain: 'ports' },
    { op: 'add-chain', chain: 'nets-post' },
    { op: 'add-chain', chain: 'nets-int' },
    { op: 'add-chain', chain: 'nets-fwd' },
    { op: 'add-chain', chain: 'prerouting', base: 'type nat hook prerouting priority -100; policy accept;' },
    { op: 'add-chain', chain: 'output', base: 'type nat hook output priority -100; policy accept;' },
    { op: 'add-chain', chain: 'postrouting', base: 'type nat hook postrouting priority 100; policy accept;' },
    { op: 'add-chain', chain: 'forward', base: 'type filter hook forward priority 0; policy accept;' },
  ];
}

export interface RulesetOptions {
  /**
   * Published ports are DNATed for traffic from outside too (default). False when the userland proxy serves
   * outside traffic (so that it crosses the host's input firewall): only containers' and local traffic is DNATed.
   */
  externalDnat?: boolean;
}

/** The rules of the base chains (added once, when the table is created). */
export function baseRuleOps(o: RulesetOptions = {}): NftOp[] {
  const r = (chain: string, rule: string): NftOp => ({ op: 'add-rule', chain, rule });
  return [
    r('ports', `meta l4proto ${PROTOS} dnat ip to ip daddr . meta l4proto . th dport map @pub_ip`),
    r('ports', `meta nfproto ipv4 meta l4proto ${PROTOS} dnat ip to meta l4proto . th dport map @pub_any`),
    r('ports', `ip6 daddr != ::1 meta l4proto ${PROTOS} dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub6_ip`),
    r('ports', `ip6 daddr != ::1 meta l4proto ${PROTOS} dnat ip6 to meta l4proto . th dport map @pub6_any`),
    r('prerouting', `${o.externalDnat === false ? 'iifname @bridges ' : ''}fib daddr type local jump ports`),
    r('output', 'fib daddr type local jump ports'),
    r('postrouting', 'ip saddr 127.0.0.0/8 oifname @bridges masquerade'),
    r('postrouting', 'ct status dnat iifname @bridges oifname @bridges masquerade'),
    r('postrouting', 'jump nets-post'),
    r('forward', 'ct state established,related accept'),
    r('forward', 'jump nets-int'),
    r('forward', 'oifname @bridges ct status dnat accept'),
    r('forward', 'jump nets-fwd'),
    r('forward', 'iifname @bridges accept'),
    r('forward', 'oifname @bridges drop'),
  ];
}

function q(name: string): string {
  return `"${name}"`;
}

/** Re-renders the per-network chains for the given networks (flush + rules, part of one transaction). */
export function netChainOps(nets: readonly BridgeNet[]): NftOp[] {
  const ops: NftOp[] = [
    { op: 'flush-chain', chain: 'nets-post' },
    { op: 'flush-chain', chain: 'nets-int' },
    { op: 'flush-chain', chain: 'nets-fwd' },
  ];
  const sorted = [...nets].sort((a, b) => a.bridge.localeCompare(b.bridge));
  for (const n of sorted) {
    if (n.internal) continue;
    ops.push({ op: 'add-rule', chain: 'nets-post', rule: `ip saddr ${n.subnet} oifname ${q(n.bridge)} ct status dnat masquerade` });
    // hairpin over IPv6 (a container to its own port at the host's IPv6 address)
    if (n.subnet6) ops.push({ op: 'add-rule', chain: 'nets-post', rule: `ip6 saddr ${n.subnet6} oifname ${q(n.bridge)} ct status dnat masquerade` });
    if (!n.masquerade) continue;
    ops.push({ op: 'add-rule', chain: 'nets-post', rule: `ip saddr ${n.subnet} oifname != ${q(n.bridge)} masquerade` });
    if (n.subnet6) ops.push({ op: 'add-rule', chain: 'nets-post', rule: `ip6 saddr ${n.subnet6} oifname != ${q(n.bridge)} masquerade` });
  }
  for (const n of sorted) {
    if (n.internal) {
      ops.push({ op: 'add-rule', chain: 'nets-int', rule: `iifname ${q(n.bridge)} oifname != ${q(n.bridge)} drop` });
      ops.push({ op: 'add-rule', chain: 'nets-int', rule: `oifname ${q(n.bridge)} iifname != ${q(n.bridge)} drop` });
    } else {
      ops.push({ op: 'add-rule', chain: 'nets-fwd', rule: `iifname ${q(n.bridge)} oifname != ${q(n.bridge)} oifname @bridges drop` });
    }
  }
  return ops;
}

/** The addresses of a published container on the network that publishes its ports. */
export interface PublishedTarget {
  ip: string;
  /** "" without IPv6. */
  ipv6?: string;
}

/**
 * The map elements of published ports: "0.0.0.0" bindings go to pub_any, other IPv4 ones to pub_ip; IPv6 ones
 * ("::" to pub6_any, others to pub6_ip) only for a container with an IPv6 address, and never for ::1 (the userland
 * proxy relays those, and IPv6 bindings of containers without IPv6).
 */
export function portElementOps(kind: 'add-element' | 'delete-element', target: PublishedTarget, ports: readonly PortAllocation[]): NftOp[] {
  const sets: Record<'pub_any' | 'pub_ip' | 'pub6_any' | 'pub6_ip', string[]> = { pub_any: [], pub_ip: [], pub6_any: [], pub6_ip: [] };
  for (const p of ports) {
    if (p.hostIp.includes(':')) {
      if (!target.ipv6 || isLoopback6(p.hostIp)) continue;
      const to = `${target.ipv6} . ${p.containerPort}`;
      if (p.hostIp === '::') sets.pub6_any.push(`${p.proto} . ${p.hostPort} : ${to}`);
      else sets.pub6_ip.push(`${p.hostIp} . ${p.proto} . ${p.hostPort} : ${to}`);
      continue;
    }
    const to = `${target.ip} . ${p.containerPort}`;
    if (p.hostIp === '0.0.0.0') sets.pub_any.push(`${p.proto} . ${p.hostPort} : ${to}`);
    else sets.pub_ip.push(`${p.hostIp} . ${p.proto} . ${p.hostPort} : ${to}`);
  }
  const ops: NftOp[] = [];
  for (const [set, elements] of Object.entries(sets)) if (elements.length > 0) ops.push({ op: kind, set, elements });
  return ops;
}

export function bridgeElementOps(kind: 'add-element' | 'delete-element', bridges: readonly string[]): NftOp[] {
  return bridges.length > 0 ? [{ op: kind, set: 'bridges', elements: bridges.map(q) }] : [];
}

/**
 * The whole table from scratch, replacing whatever is there in one transaction (`add table` first so that the
 * `delete table` cannot fail): used at daemon start and to resynchronise.
 */
export function fullRulesetOps(nets: readonly BridgeNet[], published: readonly (PublishedTarget & { ports: readonly PortAllocation[] })[], o: RulesetOptions = {}): NftOp[] {
  return [
    { op: 'add-table' },
    { op: 'delete-table' },
    ...baseOps(),
    ...baseRuleOps(o),
    ...bridgeElementOps(
      'add-element',
      nets.map((n) => n.bridge),
    ),
    ...netChainOps(nets),
    ...published.flatMap((p) => portElementOps('add-element', p, p.ports)),
  ];
}
