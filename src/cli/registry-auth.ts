/**
 * Registry credentials in the client config file, as docker keeps them without a credential helper:
 * config.json "auths": { "<server>": { "auth": base64("user:password") | "identitytoken": … } }.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const INDEX_SERVER = 'https://index.docker.io/v1/';

/** docker's credentials.ConvertToHostname: "https://reg:5000/v2/" → "reg:5000". */
export function convertToHostname(address: string): string {
  let s = address;
  if (s.startsWith('http://')) s = s.slice(7);
  else if (s.startsWith('https://')) s = s.slice(8);
  return s.split('/')[0]!;
}

/** The config key for a server argument: the Docker Hub index for "", docker.io and friends, else the hostname. */
export function serverKey(server: string): string {
  if (server === '' || server === INDEX_SERVER) return INDEX_SERVER;
  const host = convertToHostname(server);
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return INDEX_SERVER;
  return host;
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [k: string]: unknown;
}

function read(configDir: string): ConfigFile {
  try {
    return JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as ConfigFile;
  } catch {
    return {};
  }
}

function write(configDir: string, cfg: ConfigFile): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const file = join(configDir, 'config.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cfg, null, '\t'), { mode: 0o600 });
  renameSync(tmp, file);
}

export function storeCredentials(configDir: string, server: string, c: { username: string; password?: string; identityToken?: string }): void {
  const cfg = read(configDir);
  cfg.auths ??= {};
  cfg.auths[server] = c.identityToken
    ? { auth: Buffer.from(`${c.username}:`).toString('base64'), identitytoken: c.identityToken }
    : { auth: Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64') };
  write(configDir, cfg);
}

/** Removes the stored credentials; false when there were none. */
export function eraseCredentials(configDir: string, server: string): boolean {
  const cfg = read(configDir);
  if (!cfg.auths?.[server]) return false;
  delete cfg.auths[server];
  write(configDir, cfg);
  return true;
}

/** The stored user name for a server, if any. */
export function storedUser(configDir: string, server: string): string | undefined {
  const auth = read(configDir).auths?.[server]?.auth;
  if (!auth) return undefined;
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i > 0 ? text.slice(0, i) : undefined;
}
