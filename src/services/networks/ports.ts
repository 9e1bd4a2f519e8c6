import { InvalidArgumentError } from '../../common/errors.ts';
import { canonicalIPv6 } from '../../domain/net/ipv6.ts';
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

/** HostConfig.PortBindings (+ PublishAllPorts over the exposed ports) → requests for the port mapper. */
export function portRequests(spec: Pick<SandboxSpec, 'exposedPorts' | 'portBindings' | 'publishAllPorts'>, defaultHostIp: string): PortRequest[] {
  const out: PortRequest[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(spec.portBindings ?? {})) {
    if (!list || list.length === 0) continue;
    const { port, proto } = parsePortKey(key);
    bound.add(`${port}/${proto}`);
    for (const b of list) {
      let hostIp = b?.HostIp || defaultHostIp;
      if (isIPv6(hostIp)) hostIp = canonicalIPv6(hostIp)!;
      else if (!isIPv4(hostIp)) throw new InvalidArgumentError(`invalid host IP address: ${JSON.stringify(hostIp)}`);
      const hp = splitProtoPort(b?.HostPort ?? '')[1];
      const [start, end] = hp ? parsePortRange(hp) : [0, 0];
      out.push({ proto, containerPort: port, hostIp, hostPortStart: start, hostPortEnd: end });
    }
  }
  if (spec.publishAllPorts) {
    for (const key of exposedKeys({ exposedPorts: spec.exposedPorts, portBindings: {} })) {
      if (bound.has(key)) continue;
      const { port, proto } = parsePortKey(key);
      out.push({ proto, containerPort: port, hostIp: defaultHostIp, hostPortStart: 0, hostPortEnd: 0 });
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
