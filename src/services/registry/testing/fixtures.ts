import { createHash, createSign, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import tar from 'tar-stream';
import { backgroundCtx } from '../../../common/ctx.ts';
import { run } from '../../../system/exec/exec.ts';

/** Test fixtures for registry tests: certificates, htpasswd lines, a token server, a faulty proxy, image archives. */

/**
 * A CA, a server certificate and a client certificate, made with openssl in `dir`. The server certificate names
 * `sans` (openssl subjectAltName entries such as "IP:198.51.100.11" or "DNS:registry-1.docker.io"; default
 * 127.0.0.1), its CN the first of them.
 */
export async function makeCerts(dir: string, sans: readonly string[] = ['IP:127.0.0.1']): Promise<{ ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string }> {
  const o = (args: string[]) => run(backgroundCtx, 'openssl', args);
  const cn = (sans[0] ?? 'IP:127.0.0.1').replace(/^[A-Z]+:/, '');
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/ca.key`, '-out', `${dir}/ca.pem`, '-days', '2', '-subj', '/CN=berth test CA']);
  await o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/server.key`, '-out', `${dir}/server.csr`, '-subj', `/CN=${cn}`]);
  const ext = `${dir}/server.ext`;
  await writeFile(ext, `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n`);
  await o(['x509', '-req', '-in', `${dir}/server.csr`, '-CA', `${dir}/ca.pem`, '-CAkey', `${dir}/ca.key`, '-CAcreateserial', '-out', `${dir}/server.pem`, '-days', '2', '-extfile', ext]);
  await o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/client.key`, '-out', `${dir}/client.csr`, '-subj', '/CN=berth client']);
  const cext = `${dir}/client.ext`;
  await writeFile(cext, 'extendedKeyUsage=clientAuth\n');
  await o(['x509', '-req', '-in', `${dir}/client.csr`, '-CA', `${dir}/ca.pem`, '-CAkey', `${dir}/ca.key`, '-CAcreateserial', '-out', `${dir}/client.pem`, '-days', '2', '-extfile', cext]);
  return { ca: `${dir}/ca.pem`, serverCert: `${dir}/server.pem`, serverKey: `${dir}/server.key`, clientCert: `${dir}/client.pem`, clientKey: `${dir}/client.key` };
}

/** An htpasswd line (bcrypt, as distribution requires) from apache2-utils' htpasswd; undefined when it is missing. */
export async function htpasswdLine(user: string, password: string): Promise<string | undefined> {
  const r = await run(backgroundCtx, 'htpasswd', ['-Bbn', user, password], { allowFail: true }).catch(() => undefined);
  if (r?.code !== 0) return undefined;
  return r.stdout.trim();
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** Requests seen: query (or form) parameters, the method and the user (or "anonymous"). */
  requests: { query: URLSearchParams; user: string; method: string }[];
  close(): Promise<void>;
}

/**
 * A token server for distribution's token auth: RS256 JWTs carrying the certificate in `x5c`. `users` may get
 * every action they ask for; anonymous callers get an empty grant (so the registry says "insufficient scope").
 */
export async function startTokenServer(keyFile: string, certFile: string, users: Record<string, string>, listen: { host?: string; port?: number } = {}): Promise<TokenServer> {
  const key = await readFile(keyFile, 'utf8');
  const certPem = await readFile(certFile, 'utf8');
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const service = 'berth-test-registry';
  const issuer = 'berth-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    let user = 'anonymous';
    if (req.method === 'POST') {
      // OAuth2 refresh-token grant (docker's identity tokens): form fields instead of query parameters
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const owner = Object.keys(users).find((name) => form.get('refresh_token') === `refresh-${name}`);
      if (form.get('grant_type') !== 'refresh_token' || !owner) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ details: 'invalid refresh token' }));
        return;
      }
      user = owner;
      for (const [k, v] of form) if (k !== 'scope') u.searchParams.set(k, v);
      for (const sc of (form.get('scope') ?? '').split(' ').filter(Boolean)) u.searchParams.append('scope', sc);
    }
    const authz = req.headers.authorization;
    if (req.method !== 'POST' && authz?.startsWith('Basic ')) {
      const [name, pw] = Buffer.from(authz.slice(6), 'base64').toString().split(':');
      if (!name || users[name] !== pw) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      user = name;
    }
    requests.push({ query: u.searchParams, user, method: req.method ?? 'GET' });
    const access = user === 'anonymous' ? [] : u.searchParams.getAll('scope').map((s) => {
      const [type, name, actions] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)];
      return { type, name, actions: actions.split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
    const claims = { iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(input).sign(key);
    const tokenKey = req.method === 'POST' ? 'access_token' : 'token';
    const body: Record<string, unknown> = { [tokenKey]: `${input}.${b64url(sig)}`, expires_in: 300, issued_at: new Date().toISOString() };
    if (user !== 'anonymous' && u.searchParams.get('offline_token') === 'true') body.refresh_token = `refresh-${user}`;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  const host = listen.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(listen.port ?? 0, host, () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://${host}:${port}/token`,
    service,
    issuer,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface FaultyProxy {
  host: string;
  /** Cut responses for blobs with this digest after `afterBytes` bytes, `times` times. */
  cut(digest: string, afterBytes: number, times: number): void;
  /** Range headers the registry was asked for, per blob request. */
  ranges: string[];
  close(): Promise<void>;
}

/** A pass-through HTTP proxy in front of a registry that can break blob downloads midway (a registry that dies). */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const rules: { digest: string; after: number; times: number }[] = [];
  const ranges: string[] = [];
  const server = http.createServer((req, res) => {
    const rule = rules.find((r) => r.times > 0 && (req.url ?? '').includes(`/blobs/${r.digest}`) && req.method === 'GET');
    if ((req.url ?? '').includes('/blobs/sha256:') && req.method === 'GET') ranges.push(String(req.headers.range ?? ''));
    const up = http.request(`http://${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: target } }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      if (!rule) {
        ur.pipe(res);
        return;
      }
      rule.times--;
      let sent = 0;
      ur.on('data', (b: Buffer) => {
        if (sent >= rule.after) return;
        const part = b.subarray(0, rule.after - sent);
        sent += part.length;
        const done = sent >= rule.after;
        if (done) ur.destroy();
        // the bytes go out, then the connection drops: the client sees a body cut short
        res.write(part, () => {
          if (done) res.socket?.destroy();
        });
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    cut: (digest, after, times) => rules.push({ digest, after, times }),
    ranges,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A docker-archive (docker save format) with `layers.length` layers, each a tar with one file of the given size. */
export async function multiLayerArchive(tag: string, layerSizes: number[], seed: string): Promise<Buffer> {
  const layers: Buffer[] = [];
  for (let i = 0; i < layerSizes.length; i++) {
    const p = tar.pack();
    // incompressible-ish content that still differs per seed
    const body = Buffer.alloc(layerSizes[i]!);
    let h = createHash('sha256').update(`${seed}-${i}`).digest();
    for (let off = 0; off < body.length; off += h.length) {
      h.copy(body, off);
      h = createHash('sha256').update(h).digest();
    }
    p.entry({ name: `layer${i}.bin`, mode: 0o644, mtime: new Date('2024-01-01T00:00:00Z') }, body);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    layers.push(Buffer.concat(chunks));
  }
  const diffIds = layers.map((l) => `sha256:${createHash('sha256').update(l).digest('hex')}`);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['sh'], Labels: { seed } },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test' })),
    }),
  );
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const out = tar.pack();
  out.entry({ name: configName }, config);
  for (const [i, l] of layers.entries()) out.entry({ name: `l${i}/layer.tar` }, l);
  out.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layers.map((_, i) => `l${i}/layer.tar`) }]));
  out.finalize();
  const chunks: Buffer[] = [];
  for await (const c of out) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
