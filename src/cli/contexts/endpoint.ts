/**
 * `context create --docker host=…,ca=…,cert=…,key=…,skip-tls-verify=…,from=…` (docker's getDockerEndpoint): the
 * endpoint metadata and TLS material to store, files read now, keys checked against docker's list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHost } from '../../client/host.ts';
import { parseBool } from '../flags/spec.ts';
import type { ContextStore, EndpointMeta, TlsMaterial } from './store.ts';
import { DEFAULT_CONTEXT } from './store.ts';

const KEYS = ['from', 'host', 'ca', 'cert', 'key', 'skip-tls-verify'];

/** pflag stringToString: "a=1,b=2" (repeatable, later keys win). */
export function parseStringToString(value: string, cur: Record<string, string>): Record<string, string> {
  const out = { ...cur };
  if (value === '') return out;
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new Error(`${pair} must be formatted as key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function readTlsFile(path: string | undefined, env: Record<string, string | undefined>): Buffer | undefined {
  if (!path) return undefined;
  const p = path.startsWith('~/') ? join(env.HOME || process.getBuiltinModule('node:os').homedir(), path.slice(2)) : path;
  try {
    return readFileSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new Error(`read ${p}: is a directory`);
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new Error(`open ${p}: ${why}`);
  }
}

export interface StoredEndpoint {
  endpoint: EndpointMeta;
  tls: TlsMaterial;
}

/** The endpoint of an existing context ("default" is the environment's). */
export async function endpointOfContext(store: ContextStore, name: string, defaultHost: () => Promise<string>): Promise<StoredEndpoint> {
  if (name === DEFAULT_CONTEXT) return { endpoint: { Host: await defaultHost(), SkipTLSVerify: false }, tls: {} };
  const meta = store.get(name);
  return { endpoint: meta.Endpoints.docker ?? { Host: '', SkipTLSVerify: false }, tls: store.tls(name) };
}

export async function endpointFromFlag(
  config: Record<string, string>,
  store: ContextStore,
  env: Record<string, string | undefined>,
  defaultHost: () => Promise<string>,
): Promise<StoredEndpoint> {
  for (const k of Object.keys(config)) if (!KEYS.includes(k)) throw new Error(`unable to create docker endpoint config: unrecognized config key: ${k}`);
  if (config.from !== undefined) return endpointOfContext(store, config.from, defaultHost);
  let skip = false;
  if (config['skip-tls-verify'] !== undefined) {
    try {
      skip = parseBool(config['skip-tls-verify']);
    } catch {
      throw new Error(`unable to create docker endpoint config: skip-tls-verify: parsing "${config['skip-tls-verify']}": invalid syntax`);
    }
  }
  const tls: TlsMaterial = {};
  try {
    const ca = readTlsFile(config.ca, env);
    const cert = readTlsFile(config.cert, env);
    const key = readTlsFile(config.key, env);
    if (ca) tls['ca.pem'] = ca;
    if (cert) tls['cert.pem'] = cert;
    if (key) tls['key.pem'] = key;
  } catch (err) {
    throw new Error(`unable to create docker endpoint config: ${(err as Error).message}`);
  }
  if ((tls['cert.pem'] && !tls['key.pem']) || (!tls['cert.pem'] && tls['key.pem'])) {
    throw new Error('unable to create docker endpoint config: invalid docker endpoint options: cert and key must be set together');
  }
  const host = config.host ?? '';
  try {
    if (host !== '') parseHost(host, false);
  } catch (err) {
    throw new Error(`unable to create docker endpoint config: invalid docker endpoint options: unable to parse docker host \`${host}\`: ${(err as Error).message}`);
  }
  return { endpoint: { Host: host, SkipTLSVerify: skip }, tls };
}
