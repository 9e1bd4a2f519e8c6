import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { ConflictError, InvalidArgumentError } from '../../common/errors.ts';
import dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';

async function askA(port: number, name: string): Promise<string[]> {
  const s = dgram.createSocket('udp4');
  const q = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] });
  const res = await new Promise<Buffer>((resolve) => {
    s.on('message', (m) => resolve(m));
    s.send(q, port, '127.0.0.1');
  });
  s.close();
  return (dnsPacket.decode(res).answers ?? []).map((a) => (a as { data: string }).data);
}
import { disposeWorlds, fakeWorld, sandboxSpec } from './testing.ts';

after(disposeWorlds);

const DB = 'd'.repeat(64);
const WEB = 'e'.repeat(64);

describe('legacy links', () => {
  it('default bridge: /etc/hosts line and environment of the linking container, one direction only', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    const dbSpec = sandboxSpec(DB, { containerName: 'db', hostname: 'dbhost', exposedPorts: { '5432/tcp': {} } });
    w.containers.add({ id: DB, name: 'db', pid: 0, spec: dbSpec, env: ['PATH=/usr/bin', 'POSTGRES_DB=app'] });
    const webSpec = sandboxSpec(WEB, { containerName: 'web', links: ['db:data'] });
    assert.deepEqual(await svc.validate(ctx, webSpec), []);
    await assert.rejects(svc.allocate(ctx, webSpec), (e: Error) => e instanceof ConflictError && e.message === 'Cannot link to a non running container: /db AS /web/data');
    assert.equal(svc.settings(WEB), undefined, 'a failed allocation leaves nothing');
    w.ip.spawn(71);
    w.containers.byId.get(DB)!.pid = 71;
    const db = await svc.attach(ctx, dbSpec, 71);
    w.ip.spawn(72);
    const web = await svc.attach(ctx, webSpec, 72);
    // (the failed allocation released 172.17.0.2: the lowest free address is handed out again)
    assert.match(web.hosts, /\n172\.17\.0\.2\tdata dbhost db\n172\.17\.0\.3\teeeeeeeeeeee\n$/);
    assert.deepEqual(web.linkEnv, [
      'DATA_PORT=tcp://172.17.0.2:5432',
      'DATA_PORT_5432_TCP=tcp://172.17.0.2:5432',
      'DATA_PORT_5432_TCP_ADDR=172.17.0.2',
      'DATA_PORT_5432_TCP_PORT=5432',
      'DATA_PORT_5432_TCP_PROTO=tcp',
      'DATA_NAME=/web/data',
      'DATA_ENV_POSTGRES_DB=app',
    ]);
    assert.doesNotMatch(db.hosts, /data|web/);
    await svc.detach(ctx, WEB);
    await svc.detach(ctx, DB);
  });

  it('refusals: unknown target, host and container network modes', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await assert.rejects(svc.validate(ctx, sandboxSpec(WEB, { links: ['nope:x'] })), (e: Error) => e instanceof InvalidArgumentError && e.message === 'could not get container for nope: No such container: nope');
    w.containers.add({ id: DB, name: 'db', pid: 0, spec: sandboxSpec(DB) });
    await assert.rejects(svc.validate(ctx, sandboxSpec(WEB, { networkMode: 'host', links: ['db'] })), (e: Error) => e instanceof InvalidArgumentError && /host type networking can't be used with links/.test(e.message));
    await assert.rejects(svc.validate(ctx, sandboxSpec(WEB, { networkMode: 'container:db', links: ['db'] })), /container type network can't be used with links/);
  });

  it('user-defined network: the link is a DNS alias seen by the linking container only', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'app' });
    w.containers.add({ id: DB, name: 'db', pid: 81, spec: sandboxSpec(DB, { containerName: 'db', networkMode: 'app' }) });
    w.ip.spawn(81);
    w.ip.spawn(82);
    await svc.attach(ctx, sandboxSpec(DB, { containerName: 'db', networkMode: 'app' }), 81);
    const web = await svc.attach(ctx, sandboxSpec(WEB, { containerName: 'web', networkMode: 'app', links: ['db:data'] }), 82);
    assert.deepEqual(web.Networks['app']!.Links, ['db:data']);
    assert.equal(web.linkEnv, undefined, 'no environment on user-defined networks');
    assert.doesNotMatch(web.hosts, /data/);
    // the embedded DNS answers "data" for web only
    assert.deepEqual(await askA(w.dnsSockets.byPid.get(82)!.udpPort, 'data'), ['172.18.0.2']);
    assert.deepEqual(await askA(w.dnsSockets.byPid.get(81)!.udpPort, 'data'), []);
    await svc.detach(ctx, WEB);
    await svc.detach(ctx, DB);
  });
});
