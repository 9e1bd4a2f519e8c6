/**
 * Where the Engine API lives: -H/--host, then BERTH_HOST, then DOCKER_HOST, else unix:///run/berth/berth.sock;
 * TLS from --tls/--tlsverify/--tlscacert/--tlscert/--tlskey, BERTH_/DOCKER_TLS_VERIFY and BERTH_/DOCKER_CERT_PATH.
 * Address parsing follows docker's opts.ParseHost (default ports 2375, and 2376 with TLS); ssh:// addresses are
 * kept as written and reached through the system ssh (ssh.ts), never with TLS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshSpec } from './ssh.ts';
import { parseSshUrl } from './ssh.ts';

export const DEFAULT_SOCKET = '/run/berth/berth.sock';
export const DEFAULT_HOST = `unix://${DEFAULT_SOCKET}`;

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  /** false with --tls alone (docker's InsecureSkipVerify). */
  verify: boolean;
}

export type Endpoint =
  | { kind: 'unix'; socketPath: string; url: string }
  | { kind: 'tcp'; host: string; port: number; basePath: string; url: string; tls?: TlsMaterial }
  | { kind: 'ssh'; ssh: SshSpec; url: string };

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  verify: boolean;
}

export interface HostOptions {
  hosts: string[];
  tls: boolean;
  tlsverify: boolean;
  /** Paths given by flags; undefined = default files in the cert dir (skipped when absent). */
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

type Env = Record<string, string | undefined>;

export function certDir(env: Env): string {
  return env.BERTH_CERT_PATH || env.DOCKER_CERT_PATH || join(env.HOME || process.getBuiltinModule('node:os').homedir(), '.docker');
}

export function envTlsVerify(env: Env): boolean {
  return !!(env.BERTH_TLS_VERIFY || env.DOCKER_TLS_VERIFY);
}

export function envTls(env: Env): boolean {
  return !!(env.BERTH_TLS || env.DOCKER_TLS);
}

function splitHostPort(hp: string): { host: string; port: string } | undefined {
  if (hp.startsWith('[')) {
    const end = hp.indexOf(']');
    if (end < 0) return undefined;
    const rest = hp.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    return { host: hp.slice(1, end), port: rest.slice(1) };
  }
  const i = hp.lastIndexOf(':');
  if (i < 0) return undefined;
  const host = hp.slice(0, i);
  if (host.includes(':')) return undefined;
  return { host, port: hp.slice(i + 1) };
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** docker opts.ParseTCPAddr */
function parseTcp(tryAddr: string, defaultPort: string): string {
  if (tryAddr === '' || tryAddr === 'tcp://') return `tcp://localhost:${defaultPort}`;
  let addr = tryAddr.startsWith('tcp://') ? tryAddr.slice(6) : tryAddr;
  if (addr.includes('://') || addr === '') throw new Error(`invalid proto, expected tcp: ${tryAddr}`);
  if (addr.endsWith(']:')) addr += defaultPort;
  const slash = addr.indexOf('/');
  const hostPart = slash >= 0 ? addr.slice(0, slash) : addr;
  const path = slash >= 0 ? addr.slice(slash) : '';
  let hp = splitHostPort(hostPart);
  if (!hp) hp = splitHostPort(joinHostPort(hostPart, defaultPort));
  if (!hp) throw new Error(`invalid bind address format: ${tryAddr}`);
  const host = hp.host || 'localhost';
  const port = hp.port || defaultPort;
  if (!/^\d+$/.test(port)) throw new Error(`invalid bind address format: ${tryAddr}`);
  return `tcp://${joinHostPort(host, port)}${path}`;
}

/** docker opts.ParseHost: normalises "-H" values; empty = the default host. */
export function parseHost(val: string, defaultToTls: boolean): string {
  const host = val.trim();
  if (host === '') return defaultToTls ? `tcp://localhost:2376` : DEFAULT_HOST;
  const idx = host.indexOf('://');
  let proto = idx >= 0 ? host.slice(0, idx) : 'tcp';
  const rest = idx >= 0 ? host.slice(idx + 3) : host;
  if (proto === 'http' || proto === 'https') proto = 'tcp';
  switch (proto) {
    case 'tcp':
      return parseTcp(rest, defaultToTls ? '2376' : '2375');
    case 'unix': {
      if (rest.includes('://')) throw new Error(`invalid proto, expected unix: ${rest}`);
      return `unix://${rest === '' ? DEFAULT_SOCKET : rest}`;
    }
    case 'ssh':
      return host;
    default:
      throw new Error(`invalid bind address format: ${host}`);
  }
}

function readMaybe(path: string | undefined, explicit: boolean): Buffer | undefined {
  if (!path) return undefined;
  if (!explicit && !existsSync(path)) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`open ${path}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
}

/** The endpoint of a normalised host URL (parseHost's result), with TLS material for tcp:// when given. */
export function endpointFromUrl(url: string, tls?: TlsMaterial): Endpoint {
  if (url.startsWith('unix://')) return { kind: 'unix', socketPath: url.slice(7), url };
  if (url.startsWith('ssh://')) return { kind: 'ssh', ssh: parseSshUrl(url), url };
  const rest = url.slice(6);
  const slash = rest.indexOf('/');
  const hp = splitHostPort(slash >= 0 ? rest.slice(0, slash) : rest)!;
  const ep: Endpoint = { kind: 'tcp', host: hp.host, port: Number(hp.port), basePath: slash >= 0 ? rest.slice(slash).replace(/\/$/, '') : '', url };
  if (tls) ep.tls = tls;
  return ep;
}

/**
 * The endpoint of a stored context (docker's endpoint metadata): TLS when the context has TLS material,
 * verified unless SkipTLSVerify.
 */
export function endpointFromContext(host: string, skipTlsVerify: boolean, material: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Endpoint {
  const hasTls = !!(material.ca || material.cert || material.key);
  const url = parseHost(host, hasTls);
  if (url.startsWith('ssh://')) return endpointFromUrl(url);
  return endpointFromUrl(url, hasTls || skipTlsVerify ? { ...material, verify: !skipTlsVerify } : undefined);
}

/** Resolves the daemon endpoint (and reads TLS material) from flags and environment. */
export function resolveEndpoint(o: HostOptions, env: Env): Endpoint {
  const useTls = o.tls || o.tlsverify;
  if (o.hosts.length > 1) throw new Error('Specify only one -H');
  const raw = o.hosts.length === 1 ? o.hosts[0]! : env.BERTH_HOST || env.DOCKER_HOST || '';
  const url = parseHost(raw, useTls);
  const ep = endpointFromUrl(url);
  if (useTls && ep.kind === 'tcp') {
    const dir = certDir(env);
    ep.tls = {
      // docker requires the CA file with --tlsverify; client cert and key are optional when absent
      ca: o.tlsverify ? readMaybe(o.tlscacert ?? join(dir, 'ca.pem'), true) : undefined,
      cert: readMaybe(o.tlscert ?? join(dir, 'cert.pem'), o.tlscert !== undefined),
      key: readMaybe(o.tlskey ?? join(dir, 'key.pem'), o.tlskey !== undefined),
      verify: o.tlsverify,
    };
  }
  return ep;
}
