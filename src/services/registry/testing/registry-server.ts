import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';

/**
 * Debian's `docker-registry` (distribution 2.8) for tests: its own config file, filesystem storage in a temp dir,
 * listening on 127.0.0.1 at a free port, optionally with htpasswd basic auth, token auth or TLS. Stopped by pid.
 */
export const REGISTRY_BIN = '/usr/bin/docker-registry';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RegistryServerOptions {
  dir: string;
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  tls?: { cert: string; key: string; clientCas?: string[] };
}

export interface RegistryServer {
  port: number;
  /** "127.0.0.1:<port>" */
  host: string;
  /** Storage root (blobs under docker/registry/v2/blobs). */
  storage: string;
  stop(): Promise<void>;
  log(): Promise<string>;
}

function yamlList(xs: string[]): string {
  return xs.map((x) => `\n      - ${x}`).join('');
}

export async function startRegistry(o: RegistryServerOptions): Promise<RegistryServer> {
  await mkdir(o.dir, { recursive: true });
  const port = await freePort();
  const storage = `${o.dir}/storage`;
  let cfg = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
`;
  if (o.tls) {
    cfg += `  tls:\n    certificate: ${o.tls.cert}\n    key: ${o.tls.key}\n`;
    if (o.tls.clientCas?.length) cfg += `    clientcas:${yamlList(o.tls.clientCas)}\n`;
  }
  if (o.htpasswd) cfg += `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${o.htpasswd}\n`;
  if (o.token) cfg += `auth:\n  token:\n    realm: ${o.token.realm}\n    service: ${o.token.service}\n    issuer: ${o.token.issuer}\n    rootcertbundle: ${o.token.rootCertBundle}\n`;
  const cfgFile = `${o.dir}/config.yml`;
  await writeFile(cfgFile, cfg);
  const logFile = `${o.dir}/registry.log`;
  const out: Buffer[] = [];
  const child = spawn(REGISTRY_BIN, ['serve', cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => out.push(b));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    await writeFile(logFile, Buffer.concat(out)).catch(() => {});
  };
  // ready once it accepts connections
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host: '127.0.0.1', port }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start: ${Buffer.concat(out).toString()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    storage,
    stop,
    log: async () => Buffer.concat(out).toString() || (await readFile(logFile, 'utf8').catch(() => '')),
  };
}

/** Path of a blob's data file in the registry's filesystem storage. */
export function registryBlobPath(storage: string, digest: string): string {
  const hex = digest.slice(7);
  return `${storage}/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
}
