import { InvalidArgumentError } from '../../common/errors.ts';
import { type IpAddr, type IpPrefix, parseIp, parsePrefix, prefixContains } from './ip.ts';

/**
 * The registry part of daemon.json (`registry-mirrors`, `insecure-registries`,
 * `allow-nondistributable-artifacts`), validated as moby's registry.ServiceOptions, and the endpoints a
 * repository is reached at (moby's lookupV2Endpoints).
 */

/** Docker Hub as references name it. */
export const INDEX_NAME = 'docker.io';
export const INDEX_HOSTNAME = 'index.docker.io';
/** Where Docker Hub's distribution API lives. */
export const DEFAULT_REGISTRY_HOST = 'registry-1.docker.io';
/** The key the docker CLI keeps Docker Hub credentials under. */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

export interface RegistryHosts {
  /** Prefixes (the defaults 127.0.0.0/8 and ::1/128 included for insecure registries). */
  cidrs: IpPrefix[];
  /** "host[:port]" names given literally. */
  hosts: Set<string>;
}

export interface RegistrySettings {
  /** Normalised mirror URLs, each ending in "/". */
  mirrors: string[];
  insecure: RegistryHosts;
  nondistributable: RegistryHosts;
}

function invalid(msg: string): InvalidArgumentError {
  return new InvalidArgumentError(msg);
}

/** registry.ValidateMirror: an http(s) URL without credentials, query or fragment; returned with a trailing "/". */
export function validateMirror(mirror: string): string {
  const sep = mirror.indexOf('://');
  if (sep <= 0) throw invalid(`invalid mirror: no scheme specified for "${mirror}": must use either 'https://' or 'http://'`);
  let u: URL;
  try {
    u = new URL(mirror);
  } catch {
    throw invalid(`invalid mirror: "${mirror}" is not a valid URI`);
  }
  const scheme = mirror.slice(0, sep);
  if (scheme !== 'http' && scheme !== 'https') throw invalid(`invalid mirror: unsupported scheme "${scheme}" in "${mirror}": must use either 'https://' or 'http://'`);
  if (u.search !== '' || u.hash !== '' || mirror.includes('?') || mirror.includes('#')) throw invalid(`invalid mirror: query or fragment at end of the URI "${mirror}"`);
  if (u.username !== '' || u.password !== '') {
    u.password = 'xxxxx';
    throw invalid(`invalid mirror: username/password not allowed in URI "${u.toString().replace(/\/$/, '')}"`);
  }
  return mirror.replace(/\/+$/, '') + '/';
}

function normalizeIndexName(v: string): string {
  return v === INDEX_HOSTNAME ? INDEX_NAME : v;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_PORT_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);

/** Go's net.SplitHostPort, leniently: "[::1]:5000", "host:5000", or a bare host (also an unbracketed IPv6). */
export function splitHostPort(hostPort: string): { host: string; port?: string } {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end > 0) {
      const rest = hostPort.slice(end + 1);
      return rest.startsWith(':') ? { host: hostPort.slice(1, end), port: rest.slice(1) } : { host: hostPort.slice(1, end) };
    }
  }
  const i = hostPort.lastIndexOf(':');
  if (i < 0 || hostPort.indexOf(':') !== i) return { host: hostPort };
  return { host: hostPort.slice(0, i), port: hostPort.slice(i + 1) };
}

/** The host part of "host[:port]". */
export function hostOf(hostPort: string): string {
  return splitHostPort(hostPort).host;
}

function validateHostPort(s: string): void {
  const { host, port } = splitHostPort(s);
  if (!HOST_PORT_RE.test(s) && parseIp(host) === undefined) throw invalid(`invalid host "${host}"`);
  if (port !== undefined && (!/^[0-9]+$/.test(port) || Number(port) > 65535)) throw invalid(`invalid port "${port}"`);
}

/**
 * loadInsecureRegistries: CIDRs and host[:port] names, "http://"/"https://" prefixes dropped, other schemes
 * refused. `defaults` are added (127.0.0.0/8 and ::1/128 for insecure registries).
 */
export function parseRegistryHosts(list: readonly string[], what: string, defaults: readonly string[] = []): RegistryHosts {
  const cidrs: IpPrefix[] = [];
  const seen = new Set<string>();
  const hosts = new Set<string>();
  for (const raw of [...list, ...defaults]) {
    let r = normalizeIndexName(raw);
    if (r.startsWith('-') || r.endsWith('-')) throw invalid(`invalid index name (${r}). Cannot begin or end with a hyphen`);
    const sep = r.indexOf('://');
    if (sep >= 0) {
      const scheme = r.slice(0, sep).toLowerCase();
      if (scheme !== 'http' && scheme !== 'https') throw invalid(`${what} ${r} should not contain '://'`);
      r = r.slice(sep + 3);
    }
    const p = parsePrefix(r);
    if (p) {
      const key = `${p.addr.v}/${p.addr.n}/${p.bits}`;
      if (!seen.has(key)) {
        seen.add(key);
        cidrs.push(p);
      }
      continue;
    }
    try {
      validateHostPort(r);
    } catch (err) {
      throw invalid(`${what} ${r} is not valid: ${(err as Error).message}`);
    }
    hosts.add(r);
  }
  return { cidrs, hosts };
}

export const DEFAULT_INSECURE_CIDRS = ['::1/128', '127.0.0.0/8'] as const;

export interface RegistryOptions {
  mirrors?: readonly string[];
  insecureRegistries?: readonly string[];
  allowNondistributableArtifacts?: readonly string[];
}

/**
 * Validates the daemon.json keys; throws InvalidArgumentError with dockerd's wording. `defaultInsecure` are the
 * prefixes always treated as insecure (loopback, as dockerd); tests of TLS on loopback pass [].
 */
export function parseRegistrySettings(o: RegistryOptions, defaultInsecure: readonly string[] = DEFAULT_INSECURE_CIDRS): RegistrySettings {
  const mirrors: string[] = [];
  for (const m of o.mirrors ?? []) {
    const v = validateMirror(m);
    if (!mirrors.includes(v)) mirrors.push(v);
  }
  return {
    mirrors,
    insecure: parseRegistryHosts(o.insecureRegistries ?? [], 'insecure registry', defaultInsecure),
    nondistributable: parseRegistryHosts(o.allowNondistributableArtifacts ?? [], 'allow-nondistributable-artifacts registry'),
  };
}

/** True when the registry's host literally or one of its addresses is in the list. */
export function hostMatches(list: RegistryHosts, hostPort: string, addrs: readonly IpAddr[]): boolean {
  if (list.hosts.has(hostPort)) return true;
  return addrs.some((a) => list.cidrs.some((c) => prefixContains(c, a)));
}

/** isSecureIndex: Docker Hub is always secure; a listed name or an address in a listed CIDR is not. */
export function isSecureRegistry(s: RegistrySettings, hostPort: string, addrs: readonly IpAddr[]): boolean {
  if (normalizeIndexName(hostPort) === INDEX_NAME) return true;
  return !hostMatches(s.insecure, hostPort, addrs);
}

/** One place a repository can be reached at. */
export interface EndpointSpec {
  /** Base URL without a trailing slash: "https://registry-1.docker.io", "http://127.0.0.1:5000", a mirror. */
  url: string;
  mirror: boolean;
  official: boolean;
  /** TLS without verification (insecure registries). */
  skipVerify: boolean;
  /** The certs.d directory to read CA and client certificates from ("host:port"), when verifying. */
  certsHost?: string;
  /** Foreign layers are pushed to this registry. */
  allowNondistributable: boolean;
}

/** Whether a domain is Docker Hub. */
export function isDockerHub(domain: string): boolean {
  return domain === INDEX_NAME || domain === INDEX_HOSTNAME;
}

/**
 * lookupV2Endpoints: for Docker Hub the mirrors (pull only) then https://registry-1.docker.io; for any other
 * registry https, plus plain http after it when the registry is insecure. `secure` answers isSecureRegistry for
 * the registry and for each mirror host.
 */
export function registryEndpoints(s: RegistrySettings, domain: string, includeMirrors: boolean, secure: (hostPort: string) => boolean, nondistributable: (hostPort: string) => boolean): EndpointSpec[] {
  if (isDockerHub(domain)) {
    const out: EndpointSpec[] = [];
    if (includeMirrors) {
      for (const m of s.mirrors) {
        const u = new URL(m);
        const sec = secure(u.host);
        const e: EndpointSpec = { url: m.replace(/\/+$/, ''), mirror: true, official: false, skipVerify: !sec, allowNondistributable: false };
        if (sec && u.protocol === 'https:') e.certsHost = u.host;
        out.push(e);
      }
    }
    out.push({ url: `https://${DEFAULT_REGISTRY_HOST}`, mirror: false, official: true, skipVerify: false, allowNondistributable: false });
    return out;
  }
  const sec = secure(domain);
  const ana = nondistributable(domain);
  const https: EndpointSpec = { url: `https://${domain}`, mirror: false, official: false, skipVerify: !sec, allowNondistributable: ana };
  if (sec) https.certsHost = domain;
  const out = [https];
  if (!sec) out.push({ url: `http://${domain}`, mirror: false, official: false, skipVerify: true, allowNondistributable: ana });
  return out;
}
