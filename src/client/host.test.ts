import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HOST, parseHost, resolveEndpoint } from './host.ts';

describe('parseHost (docker opts.ParseHost)', () => {
  const table: [string, boolean, string][] = [
    ['', false, DEFAULT_HOST],
    ['', true, 'tcp://localhost:2376'],
    ['unix://', false, 'unix:///run/berth/berth.sock'],
    ['unix:///tmp/x.sock', false, 'unix:///tmp/x.sock'],
    ['tcp://127.0.0.1', false, 'tcp://127.0.0.1:2375'],
    ['tcp://127.0.0.1', true, 'tcp://127.0.0.1:2376'],
    ['tcp://:3000', false, 'tcp://localhost:3000'],
    ['127.0.0.1:4243', false, 'tcp://127.0.0.1:4243'],
    ['tcp://[::1]:5000', false, 'tcp://[::1]:5000'],
    ['tcp://host:123/path', false, 'tcp://host:123/path'],
    ['http://h:1', false, 'tcp://h:1'],
  ];
  for (const [val, tls, want] of table) it(`${val || '(empty)'} tls=${tls}`, () => assert.equal(parseHost(val, tls), want));
  it('rejects unknown protocols', () => assert.throws(() => parseHost('ftp://x', false), { message: 'invalid bind address format: ftp://x' }));
});

describe('resolveEndpoint', () => {
  const base = { hosts: [] as string[], tls: false, tlsverify: false };
  it('-H wins over BERTH_HOST over DOCKER_HOST', () => {
    assert.equal(resolveEndpoint({ ...base, hosts: ['unix:///a.sock'] }, { BERTH_HOST: 'unix:///b.sock', DOCKER_HOST: 'unix:///c.sock' }).url, 'unix:///a.sock');
    assert.equal(resolveEndpoint(base, { BERTH_HOST: 'unix:///b.sock', DOCKER_HOST: 'unix:///c.sock' }).url, 'unix:///b.sock');
    assert.equal(resolveEndpoint(base, { DOCKER_HOST: 'unix:///c.sock' }).url, 'unix:///c.sock');
    assert.equal(resolveEndpoint(base, {}).url, DEFAULT_HOST);
  });
  it('tcp endpoint fields', () => {
    const ep = resolveEndpoint({ ...base, hosts: ['tcp://10.0.0.1:2375/base'] }, {});
    assert.deepEqual(ep, { kind: 'tcp', host: '10.0.0.1', port: 2375, basePath: '/base', url: 'tcp://10.0.0.1:2375/base' });
  });
  it('two -H are refused', () => assert.throws(() => resolveEndpoint({ ...base, hosts: ['a', 'b'] }, {}), { message: 'Specify only one -H' }));
  it('--tls without cert files present uses none', () => {
    const ep = resolveEndpoint({ ...base, hosts: ['tcp://h:1'], tls: true }, { DOCKER_CERT_PATH: '/nonexistent-dir' });
    assert.equal(ep.kind === 'tcp' && ep.tls?.verify, false);
  });
  it('--tlscacert given but missing is an error', () => {
    assert.throws(() => resolveEndpoint({ ...base, hosts: ['tcp://h:1'], tlsverify: true, tlscacert: '/nonexistent/ca.pem' }, {}), /no such file or directory/);
  });
});
