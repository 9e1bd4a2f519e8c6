import type { NftOp, NftTable } from '../../../system/nftables/port.ts';

/** The embedded server's address inside every container that uses it. */
export const DNS_ADDRESS = '127.0.0.11';

/** berth's table inside a container's namespace (only the DNS redirection lives there). */
export const DNS_TABLE: NftTable = { family: 'ip', name: 'berth_dns' };

/**
 * The container-side rules of the embedded DNS (Docker's DOCKER_OUTPUT chain does the same with DNAT): queries to
 * 127.0.0.11:53 go to the ports the daemon's sockets are bound to, so that port 53 stays free for the container's
 * own servers. UDP is rewritten without connection tracking, both ways, before conntrack sees it (raw priority,
 * `notrack`): every query would otherwise make a conntrack entry in the container's table and cost a lookup and a
 * NAT per packet. TCP (rare: truncated answers) keeps plain DNAT, undone by conntrack. Replaces the table whole (one
 * transaction).
 */
export function dnsDnatOps(udpPort: number, tcpPort: number, address = DNS_ADDRESS): NftOp[] {
  return [
    { op: 'add-table' },
    { op: 'delete-table' },
    { op: 'add-table' },
    { op: 'add-chain', chain: 'raw_output', base: 'type filter hook output priority -300; policy accept;' },
    { op: 'add-rule', chain: 'raw_output', rule: `ip daddr ${address} udp dport 53 notrack udp dport set ${udpPort}` },
    { op: 'add-rule', chain: 'raw_output', rule: `ip saddr ${address} udp sport ${udpPort} notrack udp sport set 53` },
    { op: 'add-chain', chain: 'output', base: 'type nat hook output priority -100; policy accept;' },
    { op: 'add-rule', chain: 'output', rule: `ip daddr ${address} tcp dport 53 dnat to ${address}:${tcpPort}` },
  ];
}
