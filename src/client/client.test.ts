import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EngineClient, encodeQuery, escapePath } from './client.ts';
import { containerWaitStart } from './api/containers.ts';
import { type ApiError, ConnectionError } from './errors.ts';
import { resolveEndpoint } from './host.ts';
import { FakeEngine, sendJson } from './testing/fake-engine.ts';

function clientFor(e: FakeEngine): EngineClient {
  return new EngineClient(resolveEndpoint({ hosts: [e.host], tls: false, tlsverify: false }, {}));
}

describe('query and path encoding (Go url.Values / EscapedPath)', () => {
  it('sorts keys, drops false/undefined, true → 1, repeats arrays', () => {
    assert.equal(encodeQuery({ tail: 'all', stdout: true, stderr: true, follow: false, since: undefined }), 'stderr=1&stdout=1&tail=all');
    assert.equal(encodeQuery({ changes: ['CMD ["sh"]', 'ENV a=b'] }), 'changes=CMD+%5B%22sh%22%5D&changes=ENV+a%3Db');
    assert.equal(encodeQuery({ filters: '{"label":{"a=b":true}}' }), 'filters=%7B%22label%22%3A%7B%22a%3Db%22%3Atrue%7D%7D');
  });
  it('keeps / and : in paths', () => {
    assert.equal(escapePath('/images/127.0.0.1:5055/bb:v1/json'), '/images/127.0.0.1:5055/bb:v1/json');
    assert.equal(escapePath('/containers/a b/json'), '/containers/a%20b/json');
  });
});

describe('EngineClient against a fake engine', () => {
  let e: FakeEngine;
  before(async () => {
    e = await FakeEngine.start();
  });
  after(async () => {
    await e.close();
  });

  it('speaks 1.47 at once; an older daemon\'s 400 makes it negotiate through HEAD /_ping and send again', async () => {
    e.apiVersion = '1.41';
    e.on('GET', '/info', ({ res }) => sendJson(res, 200, { ok: 1 }));
    const c = clientFor(e);
    const before = e.requests.length;
    try {
      assert.deepEqual(await c.json('GET', '/info'), { ok: 1 });
      assert.equal(c.version, '1.41');
      assert.deepEqual(
        e.requests.slice(before).map((r) => `${r.method} ${r.url}`),
        ['GET /v1.47/info', 'HEAD /_ping', 'GET /v1.41/info'],
      );
      assert.equal(e.requests.at(-1)!.headers.host, 'api.moby.localhost');
      await c.json('GET', '/info');
      assert.equal(e.requests.at(-1)!.url, '/v1.41/info', 'negotiated once');
    } finally {
      c.close();
      e.apiVersion = '1.47';
    }
  });

  it('no ping when the daemon speaks 1.47, nor with a pinned version', async () => {
    e.on('GET', '/info', ({ res }) => sendJson(res, 200, { ok: 1 }));
    const c = clientFor(e);
    const pinned = new EngineClient(resolveEndpoint({ hosts: [e.host], tls: false, tlsverify: false }, {}), { version: '1.44' });
    const before = e.requests.length;
    try {
      await c.json('GET', '/info');
      await pinned.json('GET', '/info');
      assert.deepEqual(
        e.requests.slice(before).map((r) => `${r.method} ${r.url}`),
        ['GET /v1.47/info', 'GET /v1.44/info'],
      );
    } finally {
      c.close();
      pinned.close();
    }
  });

  it('a streamed body (sent once) negotiates first', async () => {
    e.apiVersion = '1.45';
    e.on('POST', '/images/load', ({ res, req }) => sendJson(res, 200, { got: req.body.toString() }));
    const c = clientFor(e);
    const before = e.requests.length;
    try {
      const r = await c.json<{ got: string }>('POST', '/images/load', { rawBody: Readable.from([Buffer.from('tar')]) });
      assert.equal(r.got, 'tar');
      assert.deepEqual(
        e.requests.slice(before).map((x) => `${x.method} ${x.url}`),
        ['HEAD /_ping', 'POST /v1.45/images/load'],
      );
    } finally {
      c.close();
      e.apiVersion = '1.47';
    }
  });

  it('caps the version at 1.47 and falls back to 1.24 without Api-Version', async () => {
    const c1 = clientFor(e);
    e.apiVersion = '1.50';
    await c1.negotiate();
    assert.equal(c1.version, '1.47');
    c1.close();
    e.apiVersion = '';
    const c2 = clientFor(e);
    await c2.negotiate();
    assert.equal(c2.version, '1.24');
    c2.close();
    e.apiVersion = '1.47';
  });

  it('daemon errors: JSON message only with Content-Type exactly application/json', async () => {
    e.on('GET', '/containers/a/json', ({ res }) => sendJson(res, 404, { message: 'No such container: a\n' }));
    e.on('GET', '/containers/b/json', ({ res }) => {
      res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end('{"message": "No such container: b"}');
    });
    e.on('GET', '/containers/c/json', ({ res }) => {
      res.writeHead(409, { 'Content-Type': 'text/plain' });
      res.end('conflict here\n');
    });
    const c = clientFor(e);
    try {
      await assert.rejects(c.json('GET', '/containers/a/json'), (err: ApiError) => err.status === 404 && err.message === 'Error response from daemon: No such container: a');
      await assert.rejects(c.json('GET', '/containers/b/json'), { message: 'Error response from daemon: {"message": "No such container: b"}' });
      await assert.rejects(c.json('GET', '/containers/c/json'), { message: 'Error response from daemon: conflict here' });
    } finally {
      c.close();
    }
  });

  it('hijacks with Upgrade: tcp and half-closes cleanly', async () => {
    e.onHijack('POST', '/containers/h/attach', ({ socket, upgrade, req }) => {
      assert.equal(req.headers.upgrade, 'tcp');
      assert.equal(req.headers.connection, 'Upgrade');
      upgrade();
      socket.on('end', () => socket.end('bye'));
      socket.resume();
    });
    const c = clientFor(e);
    try {
      const h = await c.hijack('POST', '/containers/h/attach', { query: { stream: true } });
      h.socket.end();
      const chunks: Buffer[] = [h.head];
      for await (const chunk of h.socket) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'bye');
    } finally {
      c.close();
    }
  });

  it('a 200 answer to a hijack is an error, as in docker', async () => {
    e.onHijack('POST', '/containers/n/attach', ({ socket }) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nContent-Length: 0\r\n\r\n');
    });
    const c = clientFor(e);
    try {
      await assert.rejects(c.hijack('POST', '/containers/n/attach'), { message: 'unable to upgrade to tcp, received 200' });
    } finally {
      c.close();
    }
  });

  it('wait resolves on headers, result later', async () => {
    let release = () => {};
    e.on('POST', '/containers/w/wait', ({ res }) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      release = () => res.end('{"Error":null,"StatusCode":7}\n');
    });
    const c = clientFor(e);
    try {
      const { result } = await containerWaitStart(c, 'w', 'next-exit');
      let done = false;
      void result.then(() => (done = true));
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(done, false);
      release();
      assert.equal((await result).StatusCode, 7);
    } finally {
      c.close();
    }
  });

  it('streams request bodies chunked', async () => {
    e.on('POST', '/images/load', ({ res, req }) => sendJson(res, 200, { te: req.headers['transfer-encoding'], len: req.body.length }));
    const c = clientFor(e);
    try {
      const r = await c.json('POST', '/images/load', { rawBody: Readable.from([Buffer.alloc(70000), Buffer.alloc(5)]), contentType: 'application/x-tar' });
      assert.deepEqual(r, { te: 'chunked', len: 70005 });
    } finally {
      c.close();
    }
  });
});

describe('connection failures', () => {
  it("uses docker's wording", async () => {
    const c = new EngineClient(resolveEndpoint({ hosts: ['unix:///nonexistent/x.sock'], tls: false, tlsverify: false }, {}));
    await assert.rejects(
      c.json('GET', '/info'),
      (err: Error) => err instanceof ConnectionError && err.message === 'Cannot connect to the berth daemon at unix:///nonexistent/x.sock. Is the berth daemon running?',
    );
    c.close();
  });
});

describe('TLS (--tlsverify with a CA, --tls without verification)', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/berth-tls-`);
  const ok = await new Promise<boolean>((resolve) => {
    const p = spawn(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/ca.pem`, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    p.on('error', () => resolve(false));
    p.on('close', (code) => resolve(code === 0));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('talks HTTPS, verifying the server against the CA', { skip: !ok && 'openssl not available' }, async () => {
    const { createServer } = await import('node:https');
    const srv = createServer({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/ca.pem`) }, (req, res) => {
      // answers any version: the client speaks 1.47 without pinging first
      res.writeHead(200, { 'Api-Version': '1.44', 'Content-Type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ url: req.url, host: req.headers.host }));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      const verified = new EngineClient(resolveEndpoint({ hosts: [`tcp://127.0.0.1:${port}`], tls: true, tlsverify: true, tlscacert: `${dir}/ca.pem` }, {}));
      assert.deepEqual(await verified.json('GET', '/info'), { url: '/v1.47/info', host: `127.0.0.1:${port}` });
      verified.close();
      const unverified = new EngineClient(resolveEndpoint({ hosts: [`tcp://127.0.0.1:${port}`], tls: true, tlsverify: false }, { DOCKER_CERT_PATH: dir }));
      assert.deepEqual(await unverified.json('GET', '/info'), { url: '/v1.47/info', host: `127.0.0.1:${port}` });
      unverified.close();
      const noCa = new EngineClient(resolveEndpoint({ hosts: [`tcp://127.0.0.1:${port}`], tls: true, tlsverify: true, tlscacert: `${dir}/key.pem` }, {}));
      await assert.rejects(noCa.json('GET', '/info'), /error during connect/);
      noCa.close();
    } finally {
      srv.close();
    }
  });
});
