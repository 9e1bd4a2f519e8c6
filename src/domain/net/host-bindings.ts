import { isIPv4, isIPv6 } from './ipv4.ts';
import { canonicalIPv6 } from './ipv6.ts';

/**
 * Which host addresses one port binding is published on, as dockerd 20.10+ decides it (libnetwork's bridge
 * allocatePortsInternal with validatePortBindingIPv4/IPv6): a binding that names no address is published on the
 * default address (0.0.0.0) AND on `::`, unless the host cannot listen on IPv6 at all; an IPv6 binding needs a
 * container that can be reached over IPv6 (its own IPv6 address, or its IPv4 one through the userland proxy).
 */
export interface BindingPolicy {
  /** The address of bindings that name none: the network's host_binding_ipv4, else the daemon's `ip`, else 0.0.0.0. */
  defaultHostIp: string;
  /** The host can listen on IPv6 (dockerd's IsV6Listenable: a socket on [::1]:0 can be bound). */
  ipv6Listenable: boolean;
  /** The userland proxy is on: IPv6 host addresses then reach a container that has no IPv6 address. */
  userlandProxy: boolean;
}

export interface BindingTarget {
  /** The container has an IPv6 address on the network that publishes its ports. */
  ipv6: boolean;
}

/**
 * The host addresses (IPv4 first) of one binding whose HostIp is `hostIp` ("" when it names none). IPv6 results
 * are canonical ("::", "2001:db8::1"). An empty result drops the binding, as dockerd does.
 */
export function hostIpsOf(hostIp: string, p: BindingPolicy, t: BindingTarget): string[] {
  const out: string[] = [];
  const given = hostIp === '' ? undefined : hostIp;
  const dflt = p.defaultHostIp || '0.0.0.0';
  // IPv4: a given IPv4 address, or the default one when that is IPv4
  if (given ? isIPv4(given) : isIPv4(dflt)) out.push(given ?? dflt);
  // IPv6: skipped for implicit bindings when the host has no IPv6 (moby#42288)
  const v6Given = given !== undefined && isIPv6(given);
  if (!v6Given && !p.ipv6Listenable) return out;
  if (!t.ipv6 && !p.userlandProxy) return out;
  let v6: string | undefined;
  if (v6Given) v6 = given;
  else if (given === undefined) v6 = dflt === '0.0.0.0' ? '::' : isIPv6(dflt) ? dflt : undefined;
  if (v6 !== undefined) out.push(canonicalIPv6(v6) ?? v6);
  return out;
}

/** "::1" and the other IPv6 loopback spellings: the kernel cannot DNAT them to a container. */
export function isLoopback6(ip: string): boolean {
  return canonicalIPv6(ip) === '::1';
}
