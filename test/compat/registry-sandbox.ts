import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CmdResult } from '../support/proc.ts';
import { REPO_ROOT, type Sandbox } from '../support/sandbox.ts';

/**
 * Registries and helpers that run INSIDE a sandbox's namespaces (its netns, mount and pid namespaces), started
 * with `sb.exec` so that they die with the sandbox: Debian's docker-registry (plain HTTP, TLS, htpasswd or token
 * auth), the test token server, extra addresses on the sandbox's loopback, skopeo and curl.
 */

export const NODE = join(REPO_ROOT, 'node_modules/.bin/node');
const TOKEN_MAIN = join(REPO_ROOT, 'src/services/registry/testing/token-server-main.ts');

/** Adds `ip`/32 to the sandbox's loopback (a non-loopback address the sandbox owns). Idempotent. */
export async function addAddress(sb: Sandbox, ip: string): Promise<void> {
  const r = await sb.exec(['ip', 'addr', 'replace', `${ip}/32`, 'dev', 'lo']);
  if (r.code !== 0) assert.fail(`ip addr replace ${ip}/32 dev lo in ${sb.name}: ${r.stderr}`);
}

export interface InnerRegistryOptions {
  /** A word for its dir under the sandbox dir. */
  name: string;
  /** host:port it listens on (inside the sandbox). */
  addr: string;
  tls?: { cert: string; key: string; clientCas?: string[] };
  /** An htpasswd file (bcrypt). */
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Log every request (access log), to tell which registry served a pull. */
  accessLog?: boolean;
}

/** A process started inside the sandbox, known by its pid in the sandbox's pid namespace. */
export interface InnerProcess {
  /** Pid inside the sandbox's pid namespace. */
  pid: number;
  dir: string;
  log(): string;
  /** SIGTERM by pid (inside the sandbox), then waits until it is gone. */
  stop(): Promise<void>;
}

export interface InnerRegistry extends InnerProcess {
  addr: string;
  url: string;
  storage: string;
}

/**
 * Starts `argv` inside the sandbox, detached (setsid) with its output in `<dir>/out.log`; its pid (inside the
 * sandbox) is written by the shell that execs it.
 */
export async function startInner(sb: Sandbox, dir: string, argv: string[]): Promise<InnerProcess> {
  mkdirSync(dir, { recursive: true });
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = `setsid -f sh -c 'echo $$ > ${dir}/pid; exec "$@"' inner ${argv.map(q).join(' ')} > ${dir}/out.log 2>&1 < /dev/null`;
  const r = await sb.exec(['sh', '-c', script]);
  if (r.code !== 0) assert.fail(`starting ${argv[0]} in ${sb.name}: ${r.stderr}`);
  const log = () => {
    try {
      return readFileSync(join(dir, 'out.log'), 'utf8');
    } catch {
      return '';
    }
  };
  let pid = 0;
  for (let i = 0; i < 500 && !pid; i++) {
    try {
      pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
    } catch {
      // not written yet
    }
    if (!pid) await new Promise((res) => setTimeout(res, 20));
  }
  if (!pid) assert.fail(`${argv[0]} did not start in ${sb.name}: ${r.stdout}${r.stderr}\n${log()}`);
  return {
    pid,
    dir,
    log,
    stop: async () => {
      await sb.exec(['kill', String(pid)]);
      for (let i = 0; i < 100; i++) {
        const alive = await sb.exec(['kill', '-0', String(pid)]);
        if (alive.code !== 0) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      await sb.exec(['kill', '-9', String(pid)]);
    },
  };
}

/** Waits until something accepts TCP connections on `host:port` inside the sandbox. */
export async function waitListening(sb: Sandbox, hostPort: string, what: () => string): Promise<void> {
  const i = hostPort.lastIndexOf(':');
  const probe = `exec 3<>/dev/tcp/${hostPort.slice(0, i)}/${hostPort.slice(i + 1)}`;
  for (let n = 0; n < 100; n++) {
    const r = await sb.exec(['bash', '-c', probe], { timeoutMs: 5000 });
    if (r.code === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`nothing listens on ${hostPort} inside ${sb.name}\n${what()}`);
}

/** Debian's docker-registry inside the sandbox, storage under `<sandbox dir>/<name>/storage`. */
export async function startRegistryIn(sb: Sandbox, o: InnerRegistryOptions): Promise<InnerRegistry> {
  const dir = join(sb.dir, o.name);
  mkdirSync(dir, { recursive: true });
  const storage = join(dir, 'storage');
  let cfg = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: ${o.accessLog ? 'false' : 'true'}
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
http:
  addr: ${o.addr}
`;
  if (o.tls) cfg += `  tls:\n    certificate: ${o.tls.cert}\n    key: ${o.tls.key}\n`;
  if (o.tls?.clientCas?.length) cfg += `    clientcas:\n${o.tls.clientCas.map((c) => `      - ${c}\n`).join('')}`;
  if (o.htpasswd) cfg += `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${o.htpasswd}\n`;
  if (o.token) cfg += `auth:\n  token:\n    realm: ${o.token.realm}\n    service: ${o.token.service}\n    issuer: ${o.token.issuer}\n    rootcertbundle: ${o.token.rootCertBundle}\n`;
  writeFileSync(join(dir, 'config.yml'), cfg);
  const p = await startInner(sb, dir, ['/usr/bin/docker-registry', 'serve', join(dir, 'config.yml')]);
  const url = `${o.tls ? 'https' : 'http'}://${o.addr}`;
  await waitListening(sb, o.addr, p.log);
  return { ...p, addr: o.addr, url, storage };
}

/** The test token server (src/services/registry/testing) inside the sandbox on `host:port`. */
export async function startTokenServerIn(
  sb: Sandbox,
  o: { name: string; host: string; port: number; key: string; cert: string; users: Record<string, string> },
): Promise<InnerProcess & { realm: string; service: string; issuer: string }> {
  const dir = join(sb.dir, o.name);
  const p = await startInner(sb, dir, [NODE, TOKEN_MAIN, o.key, o.cert, o.host, String(o.port), ...Object.entries(o.users).map(([u, pw]) => `${u}:${pw}`)]);
  let line: RegExpExecArray | null = null;
  for (let i = 0; i < 200 && !line; i++) {
    line = /realm=(\S+) service=(\S+) issuer=(\S+)/.exec(p.log());
    if (!line) await new Promise((res) => setTimeout(res, 50));
  }
  if (!line) assert.fail(`token server did not start in ${sb.name}:\n${p.log()}`);
  return { ...p, realm: line[1]!, service: line[2]!, issuer: line[3]! };
}

/** Runs skopeo inside the sandbox; fails the test with its output when it exits non-zero. */
export async function skopeo(sb: Sandbox, args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await sb.exec(['skopeo', ...args], { timeoutMs });
  if (r.code !== 0) assert.fail(`skopeo ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs curl inside the sandbox. */
export function curl(sb: Sandbox, args: string[]): Promise<CmdResult> {
  return sb.exec(['curl', '-sS', ...args], { timeoutMs: 30_000 });
}

/** The Docker-Content-Digest the registry answers for a manifest HEAD (any manifest media type accepted). */
export async function registryDigest(sb: Sandbox, url: string, repo: string, ref: string, curlArgs: string[] = []): Promise<string> {
  const accept = [
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
  ].join(', ');
  const r = await curl(sb, ['-k', '-I', '-H', `Accept: ${accept}`, ...curlArgs, `${url}/v2/${repo}/manifests/${ref}`]);
  const d = /^docker-content-digest:\s*(sha256:[0-9a-f]{64})/im.exec(r.stdout)?.[1];
  if (!d) assert.fail(`no Docker-Content-Digest for ${repo}:${ref} at ${url}:\n${r.stdout}\n${r.stderr}`);
  return d;
}

/** The manifest digest a `docker push` printed ("<tag>: digest: sha256:… size: N"). */
export function pushedDigest(out: string, tag: string): string {
  const d = new RegExp(`${tag}: digest: (sha256:[0-9a-f]{64}) size: \\d+`).exec(out)?.[1];
  if (!d) assert.fail(`no digest line for ${tag} in:\n${out}`);
  return d;
}
