import { InvalidArgumentError } from '../../common/errors.ts';
import { type BindingPolicy, type BindingTarget, hostIpsOf } from '../../domain/net/host-bindings.ts';
import { isIPv4, isIPv6 } from '../../domain/net/ipv4.ts';
import { parsePortKey, parsePortRange, splitProtoPort } from '../../domain/net/ports.ts';
import type { PortAllocation, PortRequest } from '../../drivers/portmapper/contract.ts';
import type { PortMap, SandboxSpec } from './contract.ts';

function keyOf(k: string): string {
  const { port, proto } = parsePortKey(k);
  return `${port}/${proto}`;
}

/** The container's exposed ports and bound ports, normalised ("80" → "80/tcp"). */
export function exposedKeys(spec: Pick<SandboxSpec, 'exposedPorts' | 'portBindings'>): string[] {
  return [...new Set([...Object.keys(spec.exposedPorts ?? {}), ...Object.keys(spec.portBindings ?? {})].map(keyOf))];
}

/**
 * HostConfig.PortBindings (+ PublishAllPorts over the exposed ports) → requests for the port mapper. A binding
 * without a host address becomes one request per address the policy gives (0.0.0.0 and ::, the second the twin of
 * the first so that both get the same port).
 */
export function portRequests(spec: Pick<SandboxSpec, 'exposedPorts' | 'portBindings' | 'publishAllPorts'>, policy: BindingPolicy, target: BindingTarget): PortRequest[] {
  const out: PortRequest[] = [];
  const bound = new Set<string>();
  const push = (proto: PortRequest['proto'], containerPort: number, hostIp: string, start: number, end: number) => {
    const first = out.length;
    for (const [i, ip] of hostIpsOf(hostIp, policy, target).entries()) {
      out.push({ proto, containerPort, hostIp: ip, hostPortStart: start, hostPortEnd: end, ...(i > 0 ? { twinOf: first } : {}) });
    }
  };
  for (const [key, list] of Object.entries(spec.portBindings ?? {})) {
    if (!list || list.length === 0) continue;
    const { port, proto } = parsePortKey(key);
    bound.add(`${port}/${proto}`);
    for (const b of list) {
      const hostIp = b?.HostIp ?? '';
      if (hostIp !== '' && !isIPv4(hostIp) && !isIPv6(hostIp)) throw new InvalidArgumentError(`invalid host IP address: ${JSON.stringify(hostIp)}`);
      const hp = splitProtoPort(b?.HostPort ?? '')[1];
      const [start, end] = hp ? parsePortRange(hp) : [0, 0];
      push(proto, port, hostIp, start, end);
    }
  }
  if (spec.publishAllPorts) {
    for (const key of exposedKeys({ exposedPorts: spec.exposedPorts, portBindings: {} })) {
      if (bound.has(key)) continue;
      const { port, proto } = parsePortKey(key);
      push(proto, port, '', 0, 0);
    }
  }
  return out;
}

/** NetworkSettings.Ports: every exposed port, null when unpublished, else its bindings; keys sorted as Go does. */
export function portMapOf(keys: readonly string[], allocs: readonly PortAllocation[]): PortMap {
  const m: PortMap = {};
  for (const k of keys) m[k] = null;
  for (const a of allocs) {
    const k = `${a.containerPort}/${a.proto}`;
    const list = m[k] ?? [];
    list.push({ HostIp: a.hostIp, HostPort: String(a.hostPort) });
    m[k] = list;
  }
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
