import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseStringToString } from './endpoint.ts';
import { resolveContextName } from './resolve.ts';
import { ContextStore, validateContextName } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('context store (docker layout)', () => {
  const store = new ContextStore(dir);
  it('stores meta.json under sha256(name), TLS files beside, and lists by name', () => {
    store.create({ Name: 'zeta', Metadata: {}, Endpoints: { docker: { Host: 'tcp://h:2376', SkipTLSVerify: false } } }, { 'ca.pem': Buffer.from('CA') });
    store.create({ Name: 'alpha', Metadata: { Description: 'd' }, Endpoints: { docker: { Host: 'unix:///s', SkipTLSVerify: false } } }, {});
    // the directory name docker uses for "c1" (checked against docker CLI 28.2.2)
    assert.equal(store.metaPath('c1'), join(dir, 'contexts/meta/d0f631ca1ddba8db3bcfcb9e057cdc98d0379f1bee00e75a545147a27dadd982'));
    assert.deepEqual(
      store.list().map((c) => c.Name),
      ['alpha', 'zeta'],
    );
    assert.equal(JSON.parse(readFileSync(join(store.metaPath('alpha'), 'meta.json'), 'utf8')).Metadata.Description, 'd');
    assert.equal(store.tls('zeta')['ca.pem']?.toString(), 'CA');
    assert.deepEqual(store.tlsFileNames('zeta'), ['ca.pem']);
  });
  it('get of a missing context uses docker wording', () => {
    assert.throws(() => store.get('nosuch'), { message: /^context "nosuch": context not found: open .*\/meta\.json: no such file or directory$/ });
  });
  it('currentContext round-trips through config.json and keeps its other keys', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { x: {} }, psFormat: 'table {{.ID}}' }));
    assert.equal(store.currentContext(), 'default');
    store.setCurrentContext('zeta');
    assert.equal(store.currentContext(), 'zeta');
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(cfg.psFormat, 'table {{.ID}}');
    store.setCurrentContext('default');
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).currentContext, undefined);
  });
  it('remove deletes meta and TLS', () => {
    store.remove('zeta');
    assert.equal(store.exists('zeta'), false);
    assert.deepEqual(store.tlsFileNames('zeta'), []);
  });
});

describe('context names', () => {
  const cases: [string, string | undefined][] = [
    ['c1', undefined],
    ['my.ctx_2+x-y', undefined],
    ['default', '"default" is a reserved context name'],
    ['bad name', 'context name "bad name" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"'],
    ['x', 'context name "x" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"'],
    ['', 'context name cannot be empty'],
  ];
  for (const [name, err] of cases) {
    it(JSON.stringify(name), () => (err ? assert.throws(() => validateContextName(name), { message: err }) : assert.doesNotThrow(() => validateContextName(name))));
  }
});

describe('which context is in use (docker resolveContextName)', () => {
  const current = () => 'fromconfig';
  const cases: [string, { context?: string; hosts: string[] }, Record<string, string>, string][] = [
    ['--context wins', { context: 'a', hosts: [] }, { BERTH_CONTEXT: 'b', BERTH_HOST: 'unix:///x' }, 'a'],
    ['-H means default', { hosts: ['unix:///x'] }, { BERTH_CONTEXT: 'b' }, 'default'],
    ['BERTH_HOST means default', { hosts: [] }, { BERTH_HOST: 'unix:///x', BERTH_CONTEXT: 'b' }, 'default'],
    ['DOCKER_HOST means default', { hosts: [] }, { DOCKER_HOST: 'unix:///x' }, 'default'],
    ['BERTH_CONTEXT before DOCKER_CONTEXT', { hosts: [] }, { BERTH_CONTEXT: 'b', DOCKER_CONTEXT: 'c' }, 'b'],
    ['DOCKER_CONTEXT', { hosts: [] }, { DOCKER_CONTEXT: 'c' }, 'c'],
    ['config.json last', { hosts: [] }, {}, 'fromconfig'],
  ];
  for (const [what, o, env, want] of cases) it(what, () => assert.equal(resolveContextName(o, env, current), want));
});

describe('--docker key=value,… (pflag stringToString)', () => {
  it('parses, merges repeated flags, later keys win', () => {
    assert.deepEqual(parseStringToString('host=tcp://h:1,ca=/x', {}), { host: 'tcp://h:1', ca: '/x' });
    assert.deepEqual(parseStringToString('host=b', { host: 'a', ca: 'c' }), { host: 'b', ca: 'c' });
    assert.deepEqual(parseStringToString('k=a=b', {}), { k: 'a=b' });
  });
  it('rejects a pair without "="', () => assert.throws(() => parseStringToString('host', {}), { message: 'host must be formatted as key=value' }));
});
