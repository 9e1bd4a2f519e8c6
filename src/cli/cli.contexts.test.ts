/**
 * bin/berth against the fake engine: contexts choose the daemon, login goes through POST /auth, and the typed
 * template data of version/events (Go field names, Go's JSON layout).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeEngine, sendError, sendJson } from '../client/testing/fake-engine.ts';
import { berth } from './testing/run-cli.ts';
import { setup } from './testing/world.ts';

const home = mkdtempSync(join(tmpdir(), 'berth-cli-ctx-'));
after(() => rmSync(home, { recursive: true, force: true }));
const env = { HOME: home, BERTH_CONFIG: join(home, 'cfg') };

describe('contexts', () => {
  it('create, use: later commands go to the context daemon; -H and BERTH_HOST take precedence', async () => {
    const e = await FakeEngine.start();
    try {
      setup(e);
      let r = await berth(['context', 'create', '--description', 'fake', '--docker', `host=${e.host}`, 'fake'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'fake\n');
      assert.equal(r.stderr, 'Successfully created context "fake"\n');
      r = await berth(['context', 'use', 'fake'], { env });
      assert.equal(r.stderr, 'Current context is now "fake"\n');
      r = await berth(['ps', '--format', '{{.Names}}'], { env });
      assert.equal(r.stdout, 't1\n', r.stderr);
      r = await berth(['version', '--format', '{{.Client.Context}}'], { env });
      assert.equal(r.stdout, 'fake\n');
      r = await berth(['context', 'ls'], { env });
      assert.match(r.stdout, /^NAME +DESCRIPTION +DOCKER ENDPOINT +ERROR\ndefault +Current DOCKER_HOST based configuration +unix:\/\/\/run\/berth\/berth.sock +\nfake \* +fake +unix:\/\/.*\n$/);
      // BERTH_HOST overrides the context in use (docker's DOCKER_HOST rule)
      r = await berth(['ps', '--format', '{{.Names}}'], { env: { ...env, BERTH_HOST: 'unix:///nonexistent.sock' } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Cannot connect to the berth daemon at unix:\/\/\/nonexistent.sock/);
      r = await berth(['context', 'rm', 'fake'], { env });
      assert.equal(r.stderr, 'context "fake" is in use, set -f flag to force remove\n');
      r = await berth(['context', 'rm', '-f', 'fake'], { env });
      assert.equal(r.stdout, 'fake\n');
      assert.equal(JSON.parse(readFileSync(join(home, 'cfg/config.json'), 'utf8')).currentContext, undefined);
    } finally {
      await e.close();
    }
  });

  it('--context with -H is a conflict; an unknown context fails to initialize', async () => {
    let r = await berth(['--context', 'x', '-H', 'unix:///y', 'ps'], { env });
    assert.equal(r.stderr, 'conflicting options: cannot specify both --host and --context\n');
    r = await berth(['--context', 'nosuch', 'ps'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Failed to initialize: unable to resolve berth endpoint: context "nosuch": context not found: open .*meta\.json: no such file or directory\n$/);
  });
});

describe('login / logout', () => {
  it('login --password-stdin posts the credentials to /auth and keeps them in config.json', async () => {
    const e = await FakeEngine.start();
    try {
      e.on('POST', '/auth', ({ res, req }) => {
        const a = JSON.parse(req.body.toString());
        if (a.password !== 'secret') return sendError(res, 401, 'unauthorized: bad credentials');
        sendJson(res, 200, { Status: 'Login Succeeded', IdentityToken: '' });
      });
      let r = await berth(['-H', e.host, 'login', '-u', 'me', '--password-stdin', '127.0.0.1:5999'], { env, input: 'secret\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Login Succeeded\n');
      const auth = JSON.parse(e.requests.find((x) => x.path === '/auth')!.body.toString());
      assert.deepEqual(auth, { username: 'me', password: 'secret', serveraddress: '127.0.0.1:5999' });
      const cfg = JSON.parse(readFileSync(join(home, 'cfg/config.json'), 'utf8'));
      assert.equal(cfg.auths['127.0.0.1:5999'].auth, Buffer.from('me:secret').toString('base64'));
      r = await berth(['-H', e.host, 'login', '-u', 'me', '--password-stdin', '127.0.0.1:5999'], { env, input: 'wrong\n' });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error response from daemon: unauthorized: bad credentials\n');
      r = await berth(['logout', '127.0.0.1:5999'], { env });
      assert.equal(r.stdout, 'Removing login credentials for 127.0.0.1:5999\n');
      assert.equal(JSON.parse(readFileSync(join(home, 'cfg/config.json'), 'utf8')).auths['127.0.0.1:5999'], undefined);
    } finally {
      await e.close();
    }
  });
  it('without a terminal and a password: docker wording, exit 1', async () => {
    const r = await berth(['login', '-u', 'me'], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: Cannot perform an interactive login from a non TTY device\n');
  });
});

describe('typed template data', () => {
  it('version: .Server.APIVersion (Go field name), {{json .Server}} in Go order', async () => {
    const e = await FakeEngine.start();
    try {
      setup(e);
      const r = await berth(['-H', e.host, 'version', '--format', '{{.Server.APIVersion}} {{.Server.KernelVersion}}|{{json .Server.Platform}}']);
      assert.equal(r.stdout, '1.47 6.1|{"Name":"berth"}\n', r.stderr);
      const bad = await berth(['-H', e.host, 'version', '--format', '{{.Server.ApiVersion}}']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /template: version:1:9: executing "version" at <.Server.ApiVersion>: can't evaluate field ApiVersion in type \*types.Version/);
    } finally {
      await e.close();
    }
  });
  it('events: Go field names and Go JSON (omitempty, sorted attributes)', async () => {
    const e = await FakeEngine.start();
    try {
      setup(e);
      const r = await berth(['-H', e.host, 'events', '--since', '0', '--until', '1', '--format', '{{.Status}}|{{.ID}}|{{.Scope}}|{{json .}}']);
      const lines = r.stdout.trim().split('\n');
      assert.equal(
        lines[0],
        'create|5a59|local|{"status":"create","id":"5a59","from":"bb:latest","Type":"container","Action":"create","Actor":{"ID":"5a59","Attributes":{"image":"bb:latest","name":"ev1"}},"scope":"local","time":1795437596,"timeNano":1795437596926875465}',
      );
      assert.equal(
        lines[1],
        '||local|{"Type":"network","Action":"connect","Actor":{"ID":"912f","Attributes":{"container":"431f","name":"n5","type":"bridge"}},"scope":"local","time":1795437597,"timeNano":1795437597000000001}',
      );
    } finally {
      await e.close();
    }
  });
});
