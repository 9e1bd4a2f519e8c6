import { InvalidArgumentError } from '../../common/errors.ts';
import { isIP, isIPv6 } from './ipv4.ts';

/**
 * Docker's port specifications (go-connections/nat), shared by the daemon (validating PortBindings received over
 * the API) and the CLI (`-p`, `--expose`). Pure functions; errors carry Docker's wording.
 */
export type PortProto = 'tcp' | 'udp' | 'sctp';

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** HostConfig.PortBindings: "80/tcp" → bindings (null or [] = exposed but not published). */
export type PortBindings = Record<string, PortBinding[] | null>;

export interface PortMapping {
  /** "80/tcp" */
  port: string;
  binding: PortBinding;
}

const PROTOS: readonly string[] = ['tcp', 'udp', 'sctp'];

/** nat.SplitProtoPort: "80/udp" → ["udp", "80"], "80" → ["tcp", "80"], "" → ["", ""]. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw.length === 0 || parts[0]!.length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1]!.length === 0) return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

function parseUint16(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

/** nat.ParsePortRange: "80" → [80, 80], "8000-8010" → [8000, 8010]. Throws on malformed input. */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new InvalidArgumentError('empty string specified for ports');
  const parts = ports.split('-');
  if (parts.length > 2) throw new InvalidArgumentError(`invalid range specified for the Port: ${ports}`);
  const start = parseUint16(parts[0]!);
  if (start === undefined) throw new InvalidArgumentError(`strconv.ParseUint: parsing ${JSON.stringify(parts[0])}: invalid syntax`);
  if (parts.length === 1) return [start, start];
  const end = parseUint16(parts[1]!);
  if (end === undefined) throw new InvalidArgumentError(`strconv.ParseUint: parsing ${JSON.stringify(parts[1])}: invalid syntax`);
  if (end < start) throw new InvalidArgumentError(`invalid range specified for the Port: ${ports}`);
  return [start, end];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const ctr = parts[n - 1]!;
  if (n === 1) return ['', '', ctr];
  if (n === 2) return ['', parts[0]!, ctr];
  if (n === 3) return [parts[0]!, parts[1]!, ctr];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, ctr];
}

/** nat.ParsePortSpec: one `-p` value (`[ip:][hostPort:]containerPort[/proto]`, ranges allowed) → mappings. */
export function parsePortSpec(raw: string): PortMapping[] {
  const [rawIp, hostPort, rawContainer] = splitParts(raw);
  let ip = rawIp;
  const [proto, containerPort] = splitProtoPort(rawContainer);
  if (ip !== '' && ip.startsWith('[')) {
    const m = /^\[([^\]]*)\]$/.exec(ip);
    if (!m) throw new InvalidArgumentError(`invalid IP address ${ip}: address ${ip}:: missing ']' in address`);
    ip = m[1]!;
  }
  if (ip !== '' && !isIP(ip)) throw new InvalidArgumentError(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new InvalidArgumentError(`no port specified: ${raw}<empty>`);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new InvalidArgumentError(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPort.length > 0) {
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new InvalidArgumentError(`invalid hostPort: ${hostPort}`);
    }
  }
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  const lproto = proto.toLowerCase();
  if (!PROTOS.includes(lproto)) throw new InvalidArgumentError(`invalid proto: ${proto}`);
  const out: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hp = hostPort;
    if (hostPort.length > 0) hp = String(hostStart + i);
    // a single container port with a host port range: the range is where a host port is picked
    if (start === end && hostStart !== hostEnd) hp = `${hp}-${hostEnd}`;
    out.push({ port: `${start + i}/${lproto}`, binding: { HostIp: ip, HostPort: hp } });
  }
  return out;
}

/** The CLI's long syntax (`published=8080,target=80,protocol=udp`) turned into the short one. */
export function toStandardNotation(spec: string): string {
  if (!spec.includes('=')) return spec;
  const params: Record<string, string> = { protocol: 'tcp', published: '', target: '' };
  for (const param of spec.split(',')) {
    const i = param.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, i)] = param.slice(i + 1);
  }
  return `${params['published']}:${params['target']}/${params['protocol']}`;
}

/** nat.ParsePortSpecs: every `-p` value → ExposedPorts and PortBindings (bindings of one port accumulate). */
export function parsePortSpecs(specs: readonly string[]): { exposedPorts: Record<string, object>; portBindings: Record<string, PortBinding[]> } {
  const exposedPorts: Record<string, object> = {};
  const portBindings: Record<string, PortBinding[]> = {};
  for (const spec of specs) {
    for (const m of parsePortSpec(toStandardNotation(spec))) {
      exposedPorts[m.port] ??= {};
      (portBindings[m.port] ??= []).push(m.binding);
    }
  }
  return { exposedPorts, portBindings };
}

/** One `--expose` value (`80`, `8000-8010/udp`) → port keys. */
export function parseExposeSpec(spec: string): string[] {
  if (spec.includes(':')) throw new InvalidArgumentError(`invalid port format for --expose: ${spec}`);
  const [proto, port] = splitProtoPort(spec);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(port);
  } catch (err) {
    throw new InvalidArgumentError(`invalid range format for --expose: ${spec}, error: ${(err as Error).message}`);
  }
  const lproto = proto.toLowerCase();
  if (!PROTOS.includes(lproto)) throw new InvalidArgumentError(`invalid proto: ${proto}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${lproto}`);
  return out;
}

/** A port key of a PortMap/ExposedPorts ("80/tcp", "53/udp", "80" = tcp) split into number and protocol. */
export function parsePortKey(key: string): { port: number; proto: PortProto } {
  const [proto, port] = splitProtoPort(key);
  const n = parseUint16(port);
  if (n === undefined || !PROTOS.includes(proto.toLowerCase())) throw new InvalidArgumentError(`invalid port specification: ${JSON.stringify(port)}`);
  return { port: n, proto: proto.toLowerCase() as PortProto };
}

/**
 * The daemon's validatePortBindings for HostConfig.PortBindings received over the API: every key must be one port
 * (ranges are expanded by the client), every HostPort empty, a port or a range. HostIp must be an IP or empty.
 */
export function validatePortBindings(bindings: PortBindings | null | undefined): void {
  if (!bindings) return;
  for (const [key, list] of Object.entries(bindings)) {
    const [proto, port] = splitProtoPort(key);
    if (port !== '' && parseUint16(port) === undefined) throw new InvalidArgumentError(`invalid port specification: ${JSON.stringify(port)}`);
    if (port === '' || !PROTOS.includes(proto.toLowerCase())) throw new InvalidArgumentError(`invalid port specification: ${JSON.stringify(key)}`);
    for (const b of list ?? []) {
      const hostPort = b?.HostPort ?? '';
      const [, hp] = splitProtoPort(hostPort);
      if (hp !== '') {
        try {
          parsePortRange(hp);
        } catch {
          throw new InvalidArgumentError(`invalid port specification: ${JSON.stringify(hostPort)}`);
        }
      }
      const hostIp = b?.HostIp ?? '';
      if (hostIp !== '' && !isIP(hostIp)) throw new InvalidArgumentError(`invalid host IP address: ${JSON.stringify(hostIp)}`);
    }
  }
}

/** True for an IPv6 host IP ("::", "::1"), which needs IPv6 port mapping. */
export function isIPv6HostIp(hostIp: string): boolean {
  return isIPv6(hostIp);
}
