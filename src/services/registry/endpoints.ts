import { lookup as dnsLookup } from 'node:dns';
import { readdir, readFile } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { extname, join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import { type IpAddr, parseIp } from '../../domain/registry/ip.ts';
import { type EndpointSpec, hostMatches, hostOf, isSecureRegistry, type RegistrySettings, registryEndpoints } from '../../domain/registry/registry-config.ts';
import type { TlsSettings } from './http.ts';

export interface Endpoint extends EndpointSpec {
  tls: TlsSettings;
}

/**
 * moby's loadTLSConfig over `<certsDir>/<host:port>/`: every `*.crt` is a CA added to the system roots, every
 * `*.cert` needs its `*.key` (and the other way round). A missing directory means no extra settings.
 */
export async function loadCertsDir(dir: string): Promise<Pick<TlsSettings, 'ca' | 'certs'>> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new InvalidArgumentError(`${dir}: ${(err as Error).message}`);
  }
  const ca: Buffer[] = [];
  const certs: { cert: Buffer; key: Buffer }[] = [];
  for (const f of names) {
    const ext = extname(f);
    if (ext === '.crt') ca.push(await readFile(join(dir, f)));
    else if (ext === '.cert') {
      const key = `${f.slice(0, -5)}.key`;
      if (!names.includes(key)) throw new InvalidArgumentError(`missing key ${key} for client certificate ${f}. CA certificates must use the extension .crt`);
      certs.push({ cert: await readFile(join(dir, f)), key: await readFile(join(dir, key)) });
    } else if (ext === '.key') {
      const cert = `${f.slice(0, -4)}.cert`;
      if (!names.includes(cert)) throw new InvalidArgumentError(`missing client certificate ${cert} for key ${f}`);
    }
  }
  const out: Pick<TlsSettings, 'ca' | 'certs'> = {};
  if (ca.length) out.ca = ca;
  if (certs.length) out.certs = certs;
  return out;
}

export interface EndpointResolverOptions {
  settings: () => RegistrySettings;
  /** certs.d root (`/etc/berth/certs.d`). */
  certsDir: string;
  lookup?: LookupFunction;
}

/** Resolves where a registry is reached: endpoints with their TLS settings, insecure and nondistributable checks. */
export class EndpointResolver {
  readonly #opts: EndpointResolverOptions;

  constructor(opts: EndpointResolverOptions) {
    this.#opts = opts;
  }

  /** The addresses of a registry host (an IP literal as is; names through DNS; nothing when it fails). */
  async addresses(hostPort: string): Promise<IpAddr[]> {
    const host = hostOf(hostPort);
    const literal = parseIp(host);
    if (literal) return [literal];
    const lookup = this.#opts.lookup ?? (dnsLookup as unknown as LookupFunction);
    return new Promise((resolve) => {
      lookup(host, { all: true }, (err, addrs) => {
        if (err || !Array.isArray(addrs)) return resolve([]);
        resolve(addrs.map((a) => parseIp(a.address)).filter((a): a is IpAddr => a !== undefined));
      });
    });
  }

  async isSecure(hostPort: string): Promise<boolean> {
    const s = this.#opts.settings();
    if (s.insecure.hosts.has(hostPort)) return false;
    return isSecureRegistry(s, hostPort, await this.addresses(hostPort));
  }

  async #nondistributable(hostPort: string): Promise<boolean> {
    const s = this.#opts.settings();
    if (s.nondistributable.cidrs.length === 0 && s.nondistributable.hosts.size === 0) return false;
    return hostMatches(s.nondistributable, hostPort, await this.addresses(hostPort));
  }

  /** Pull (mirrors included for Docker Hub) or push/login endpoints of a registry domain, in the order to try. */
  async endpoints(domain: string, includeMirrors: boolean): Promise<Endpoint[]> {
    const s = this.#opts.settings();
    const hosts = [domain, ...(includeMirrors ? s.mirrors.map((m) => new URL(m).host) : [])];
    const secure = new Map<string, boolean>();
    const ana = new Map<string, boolean>();
    for (const h of hosts) {
      secure.set(h, await this.isSecure(h));
      ana.set(h, await this.#nondistributable(h));
    }
    const specs = registryEndpoints(
      s,
      domain,
      includeMirrors,
      (h) => secure.get(h) ?? true,
      (h) => ana.get(h) ?? false,
    );
    const out: Endpoint[] = [];
    for (const e of specs) {
      const tls: TlsSettings = { skipVerify: e.skipVerify };
      if (e.certsHost) Object.assign(tls, await loadCertsDir(join(this.#opts.certsDir, e.certsHost)));
      out.push({ ...e, tls });
    }
    return out;
  }
}
