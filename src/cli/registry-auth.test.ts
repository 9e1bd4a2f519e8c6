import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { INDEX_SERVER, convertToHostname, eraseCredentials, serverKey, storeCredentials, storedUser } from './registry-auth.ts';

describe('registry server keys (docker credentials.ConvertToHostname)', () => {
  const cases: [string, string][] = [
    ['', INDEX_SERVER],
    ['docker.io', INDEX_SERVER],
    ['https://index.docker.io/v1/', INDEX_SERVER],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['https://reg.example:5000/v2/', 'reg.example:5000'],
    ['http://reg.example/path', 'reg.example'],
  ];
  for (const [server, want] of cases) it(JSON.stringify(server), () => assert.equal(serverKey(server), want));
  it('convertToHostname keeps a bare host', () => assert.equal(convertToHostname('r:1'), 'r:1'));
});

describe('credentials in config.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('stores base64(user:password), keeps other keys, erases', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'x' }));
    storeCredentials(dir, 'r:1', { username: 'u', password: 'p' });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(cfg.currentContext, 'x');
    assert.equal(cfg.auths['r:1'].auth, Buffer.from('u:p').toString('base64'));
    assert.equal(storedUser(dir, 'r:1'), 'u');
    assert.equal(eraseCredentials(dir, 'r:1'), true);
    assert.equal(eraseCredentials(dir, 'r:1'), false);
    assert.equal(storedUser(dir, 'r:1'), undefined);
  });
  it('an identity token replaces the password', () => {
    storeCredentials(dir, 'r:2', { username: 'u', password: 'p', identityToken: 'tok' });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(cfg.auths['r:2'], { auth: Buffer.from('u:').toString('base64'), identitytoken: 'tok' });
  });
});
