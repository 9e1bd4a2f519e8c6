import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LinkPeer, linkEnv, linkHostNames, linkRulesOf, parseLinks } from './links.ts';

describe('legacy links', () => {
  it('parses the CLI and the stored forms', () => {
    assert.deepEqual(parseLinks(['db', 'db:data', '/redis:/web/cache']), [
      { target: 'db', alias: 'db' },
      { target: 'db', alias: 'data' },
      { target: 'redis', alias: 'cache' },
    ]);
    assert.throws(() => parseLinks([':x']), /invalid link/);
  });

  it('hosts names: alias, hostname, then the name unless it is the alias', () => {
    assert.equal(linkHostNames('data', 'db', 'f00dcafe1234'), 'data f00dcafe1234 db');
    assert.equal(linkHostNames('db', 'db', 'f00dcafe1234'), 'db f00dcafe1234');
  });

  it('environment as dockerd writes it', () => {
    assert.deepEqual(
      linkEnv({ alias: 'my-db', parentName: 'web', childIp: '172.17.0.3', exposedPorts: ['6379/tcp', '5432/tcp', '53/udp'], childEnv: ['PATH=/bin', 'PGDATA=/data', 'HOME=/root', 'EMPTY'] }),
      [
        'MY_DB_PORT=udp://172.17.0.3:53',
        'MY_DB_PORT_53_UDP=udp://172.17.0.3:53',
        'MY_DB_PORT_53_UDP_ADDR=172.17.0.3',
        'MY_DB_PORT_53_UDP_PORT=53',
        'MY_DB_PORT_53_UDP_PROTO=udp',
        'MY_DB_PORT_5432_TCP=tcp://172.17.0.3:5432',
        'MY_DB_PORT_5432_TCP_ADDR=172.17.0.3',
        'MY_DB_PORT_5432_TCP_PORT=5432',
        'MY_DB_PORT_5432_TCP_PROTO=tcp',
        'MY_DB_PORT_6379_TCP=tcp://172.17.0.3:6379',
        'MY_DB_PORT_6379_TCP_ADDR=172.17.0.3',
        'MY_DB_PORT_6379_TCP_PORT=6379',
        'MY_DB_PORT_6379_TCP_PROTO=tcp',
        'MY_DB_NAME=/web/my-db',
        'MY_DB_ENV_PGDATA=/data',
      ],
    );
    const ranged = linkEnv({ alias: 'r', parentName: 'p', childIp: '10.0.0.2', exposedPorts: ['8000/tcp', '8001/tcp'] });
    assert.ok(ranged.includes('R_PORT_8000_TCP_START=tcp://10.0.0.2:8000'));
    assert.ok(ranged.includes('R_PORT_8000_TCP_END=tcp://10.0.0.2:8001'));
    assert.ok(ranged.includes('R_PORT_8001_TCP=tcp://10.0.0.2:8001'));
    assert.deepEqual(linkEnv({ alias: 'x', parentName: 'p', childIp: '10.0.0.2', exposedPorts: [] }), ['X_NAME=/p/x']);
  });

  it('link rules: as parent and as child, only with exposed ports, by name, id or unique id prefix', () => {
    const peer = (id: string, name: string, ip: string, links: string[], exposed: string[]): LinkPeer => ({ id, name, ip, links, exposed });
    const db = peer('aaa111', 'db', '172.17.0.2', [], ['80/tcp', '53/udp', '5432']);
    const web = peer('bbb222', 'web', '172.17.0.3', ['db:data'], []);
    const api = peer('ccc333', 'api', '172.17.0.4', ['/web:/api/w', 'aaa1'], []);
    const lone = peer('ddd444', 'lone', '172.17.0.5', [], ['80/tcp']);
    const dbRules = [
      { parentIp: '172.17.0.3', childIp: '172.17.0.2', ports: [{ proto: 'udp', port: 53 }, { proto: 'tcp', port: 80 }, { proto: 'tcp', port: 5432 }] },
      { parentIp: '172.17.0.4', childIp: '172.17.0.2', ports: [{ proto: 'udp', port: 53 }, { proto: 'tcp', port: 80 }, { proto: 'tcp', port: 5432 }] },
    ];
    // db is the child of web (by name) and of api (by id prefix)
    assert.deepEqual(linkRulesOf(db, [web, api, lone]), dbRules);
    // web is the parent of db; api links to web, but web exposes nothing: no rule
    assert.deepEqual(linkRulesOf(web, [db, api, lone]), [dbRules[0]]);
    // a child that is not running (not among the peers): nothing
    assert.deepEqual(linkRulesOf(web, [api, lone]), []);
    assert.deepEqual(linkRulesOf(lone, [db, web, api]), []);
    // without an address on the network: nothing
    assert.deepEqual(linkRulesOf({ ...db, ip: '' }, [web]), []);
  });
});
