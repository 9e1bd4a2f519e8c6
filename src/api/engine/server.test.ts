import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConflictError, NotFoundError, NotModifiedError } from '../../common/errors.ts';
import { nullLogger } from '../../common/log.ts';
import { Router } from './router.ts';
import { ApiServer } from './server.ts';
import { jsonBody } from './params.ts';

let dir: string;
let sock: string;
let server: ApiServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-api-'));
  sock = join(dir, 's.sock');
  const r = new Router();
  r.get('/things/{id}/json', (req, res) => {
    if (req.params.id === 'nosuch') throw new NotFoundError('No such thing: nosuch');
    if (req.params.id === 'busy') throw new ConflictError('thing is busy');
    if (req.params.id === 'same') throw new NotModifiedError('');
    res.json(200, { id: req.params.id, version: req.version });
  });
  r.get('/images/{name*}/json', (req, res) => res.json(200, { name: req.params.name }));
  r.post('/echo', async (req, res) => res.json(200, (await jsonBody(req)) ?? null));
  r.post('/hijack', (_req, res) => {
    const s = res.hijack('application/vnd.docker.raw-stream');
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end('bye'));
  });
  server = new ApiServer(r, nullLogger);
  await server.listen({ address: `unix://${sock}` });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function req(method: string, path: string, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ socketPath: sock, method, path, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: b }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

test('versioned and unversioned paths, version bounds', async () => {
  const a = await req('GET', '/v1.41/things/x/json');
  assert.equal(a.status, 200);
  assert.deepEqual(JSON.parse(a.body), { id: 'x', version: 1.41 });
  assert.equal(a.headers['api-version'], '1.47');
  assert.equal(a.headers.ostype, 'linux');
  const b = await req('GET', '/things/x/json');
  assert.equal(JSON.parse(b.body).version, 1.47);
  const hi = await req('GET', '/v1.99/things/x/json');
  assert.equal(hi.status, 400);
  assert.match(JSON.parse(hi.body).message, /client version 1.99 is too new. Maximum supported API version is 1.47/);
  const lo = await req('GET', '/v1.12/things/x/json');
  assert.equal(lo.status, 400);
  assert.match(JSON.parse(lo.body).message, /too old/);
});

test('errors map to statuses with exactly application/json', async () => {
  const nf = await req('GET', '/things/nosuch/json');
  assert.equal(nf.status, 404);
  assert.equal(nf.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(nf.body), { message: 'No such thing: nosuch' });
  assert.equal((await req('GET', '/things/busy/json')).status, 409);
  assert.equal((await req('GET', '/things/same/json')).status, 304);
  const pnf = await req('GET', '/v1.41/nothing/here');
  assert.equal(pnf.status, 404);
  assert.deepEqual(JSON.parse(pnf.body), { message: 'page not found' });
});

test('greedy params keep slashes and colons', async () => {
  const r = await req('GET', '/v1.47/images/127.0.0.1:5000/ns/bb:v1/json');
  assert.deepEqual(JSON.parse(r.body), { name: '127.0.0.1:5000/ns/bb:v1' });
});

test('malformed JSON is a 400 with a message', async () => {
  const r = await req('POST', '/echo', '{"a":');
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body).message, /invalid JSON/);
  assert.deepEqual(JSON.parse((await req('POST', '/echo', '{"a":1}')).body), { a: 1 });
});

test('hijack answers 101 UPGRADED and supports half-close', async () => {
  const s = net.connect(sock);
  const got: Buffer[] = [];
  s.on("data", (d: Buffer) => got.push(d));
  s.write('POST /v1.47/hijack HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
  await new Promise((r) => setTimeout(r, 50));
  s.write('ping');
  await new Promise((r) => setTimeout(r, 50));
  s.end();
  await new Promise((r) => s.on('close', r));
  const text = Buffer.concat(got).toString();
  assert.match(text, /^HTTP\/1.1 101 UPGRADED\r\n/);
  assert.match(text, /Upgrade: tcp/);
  assert.match(text, /\r\n\r\npingbye$/);
});

test('hijack without Upgrade answers 200 with a raw stream', async () => {
  const s = net.connect(sock);
  const got: Buffer[] = [];
  s.on("data", (d: Buffer) => got.push(d));
  s.write('POST /hijack HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
  await new Promise((r) => setTimeout(r, 50));
  s.end();
  await new Promise((r) => setTimeout(r, 100));
  s.destroy();
  assert.match(Buffer.concat(got).toString(), /^HTTP\/1.1 200 OK\r\n[\s\S]*Content-Type: application\/vnd.docker.raw-stream/);
});
