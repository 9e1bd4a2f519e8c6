import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nullLogger } from '../../../../common/log.ts';
import type { EngineEvent } from '../../../../services/events/events.ts';
import { disposeWorlds, type FakeWorld, fakeWorld, sandboxSpec } from '../../../../services/networks/testing.ts';
import { Router } from '../../router.ts';
import { ApiServer } from '../../server.ts';
import { registerNetworkRoutes } from './routes.ts';

let dir: string;
let sock: string;
let server: ApiServer;
let world: FakeWorld;
let svc: Awaited<ReturnType<FakeWorld['start']>>;
const events: EngineEvent[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-netapi-'));
  sock = join(dir, 's.sock');
  world = await fakeWorld();
  svc = await world.start();
  world.events.subscribe((e) => events.push(e));
  const r = new Router();
  registerNetworkRoutes(r, { networks: svc });
  server = new ApiServer(r, nullLogger);
  await server.listen({ address: `unix://${sock}` });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
  await disposeWorlds();
});

function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string; json: () => any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const r = http.request({ socketPath: sock, method, path, headers: data ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: b, json: () => JSON.parse(b) }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

// the body docker CLI 28 sends for `docker network create n1`
const CLI_CREATE = {
  Driver: 'bridge',
  Scope: '',
  IPAM: { Driver: 'default', Options: {}, Config: [] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  ConfigOnly: false,
  ConfigFrom: null,
  Options: {},
  Labels: {},
  Name: 'n1',
  CheckDuplicate: true,
};

describe('/networks routes', () => {
  it('lists the predefined networks in Docker shape', async () => {
    const r = await call('GET', '/v1.41/networks');
    assert.equal(r.status, 200);
    const list = r.json();
    assert.deepEqual(
      list.map((n: any) => n.Name),
      ['bridge', 'host', 'none'],
    );
    assert.deepEqual(Object.keys(list[0]), [
      'Name',
      'Id',
      'Created',
      'Scope',
      'Driver',
      'EnableIPv6',
      'IPAM',
      'Internal',
      'Attachable',
      'Ingress',
      'ConfigFrom',
      'ConfigOnly',
      'Containers',
      'Options',
      'Labels',
    ]);
    assert.match(list[0].Created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('creates, inspects, filters, connects, disconnects and removes', async () => {
    const c = await call('POST', '/v1.41/networks/create', CLI_CREATE);
    assert.equal(c.status, 201);
    const { Id, Warning } = c.json();
    assert.match(Id, /^[0-9a-f]{64}$/);
    assert.equal(Warning, '');
    assert.equal(events.at(-1)!.Action, 'create');
    assert.deepEqual(events.at(-1)!.Actor, { ID: Id, Attributes: { name: 'n1', type: 'bridge' } });

    const dup = await call('POST', '/v1.41/networks/create', CLI_CREATE);
    assert.equal(dup.status, 409);
    assert.deepEqual(dup.json(), { message: 'network with name n1 already exists' });

    const i = await call('GET', `/v1.41/networks/${Id.slice(0, 6)}`);
    assert.equal(i.status, 200);
    assert.equal(i.json().Name, 'n1');
    assert.deepEqual(i.json().IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] });

    const f = await call('GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ type: { custom: true } }))}`);
    assert.deepEqual(
      f.json().map((n: any) => n.Name),
      ['n1'],
    );
    const bad = await call('GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ colour: ['x'] }))}`);
    assert.equal(bad.status, 400);

    const id = 'd'.repeat(64);
    const spec = sandboxSpec(id);
    world.ip.spawn(500);
    await svc.attach({ log: nullLogger }, spec, 500);
    world.containers.add({ id, name: 't2', pid: 500, spec });
    const conn = await call('POST', '/v1.41/networks/n1/connect', {
      Container: 't2',
      EndpointConfig: { IPAMConfig: {}, Links: null, Aliases: [], MacAddress: '', DriverOpts: {}, GwPriority: 0, NetworkID: '', EndpointID: '', Gateway: '' },
    });
    assert.equal(conn.status, 200, conn.body);
    assert.equal(conn.body, '');
    assert.deepEqual(events.at(-1)!.Actor, { ID: Id, Attributes: { container: id, name: 'n1', type: 'bridge' } });
    const withC = (await call('GET', '/v1.41/networks/n1')).json();
    assert.deepEqual(Object.keys(withC.Containers), [id]);
    assert.equal(withC.Containers[id].IPv4Address, '172.18.0.2/16');
    const inUse = await call('DELETE', '/v1.41/networks/n1');
    assert.equal(inUse.status, 403);
    assert.deepEqual(inUse.json(), { message: `error while removing network: network n1 id ${Id} has active endpoints` });
    const disc = await call('POST', '/v1.41/networks/n1/disconnect', { Container: 't2', Force: false });
    assert.equal(disc.status, 200, disc.body);
    assert.equal(events.at(-1)!.Action, 'disconnect');
    const rmv = await call('DELETE', `/v1.41/networks/${Id}`);
    assert.equal(rmv.status, 204);
    assert.equal(events.at(-1)!.Action, 'destroy');
  });

  it('maps errors to Docker statuses and messages', async () => {
    const nf = await call('GET', '/v1.41/networks/nope');
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.json(), { message: 'network nope not found' });
    const rm1 = await call('DELETE', '/v1.41/networks/bridge');
    assert.equal(rm1.status, 403);
    assert.deepEqual(rm1.json(), { message: 'bridge is a pre-defined network and cannot be removed' });
    const drv = await call('POST', '/v1.41/networks/create', { Name: 'o1', Driver: 'overlay' });
    assert.equal(drv.status, 503);
    const plugin = await call('POST', '/v1.41/networks/create', { Name: 'o1', Driver: 'weave' });
    assert.equal(plugin.status, 404);
    assert.deepEqual(plugin.json(), { message: 'plugin "weave" not found' });
    const badType = await call('POST', '/v1.41/networks/create', { Name: 5 });
    assert.equal(badType.status, 400);
    const noCtr = await call('POST', '/v1.41/networks/bridge/connect', { Container: 'ghost' });
    assert.equal(noCtr.status, 404);
    assert.deepEqual(noCtr.json(), { message: 'No such container: ghost' });
  });

  it('prunes unused user-defined networks', async () => {
    await call('POST', '/v1.41/networks/create', { ...CLI_CREATE, Name: 'p1', Labels: { keep: 'no' } });
    await call('POST', '/v1.41/networks/create', { ...CLI_CREATE, Name: 'p2', Labels: { keep: 'yes' } });
    const r = await call('POST', `/v1.41/networks/prune?filters=${encodeURIComponent(JSON.stringify({ label: ['keep=no'] }))}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), { NetworksDeleted: ['p1'] });
    const del = await call('DELETE', '/v1.41/networks/p2');
    assert.equal(del.status, 204);
  });
});
