import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { htpasswdLine, makeCerts } from '../../src/services/registry/testing/fixtures.ts';
import { assertExit, assertStderr, assertStdout, useSandbox } from './helpers.ts';
import { addAddress, pushedDigest, registryDigest, startRegistryIn, startTokenServerIn } from './registry-sandbox.ts';

/**
 * Registries that want credentials, inside the sandbox: htpasswd basic auth, and token auth with the test token
 * server (src/services/registry/testing/fixtures.ts) running next to it. `docker login`/`logout` go through
 * berthd's /auth; the CLI keeps the credentials (or the identity token) in its config.json and sends them as
 * X-Registry-Auth on push and pull.
 */
const HOST = '198.51.100.13';
const BASIC = `${HOST}:5002`;
const TOKEN = `${HOST}:5000`;

interface CliConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
}

describe('registry: basic auth and token auth through docker login', () => {
  const sb = useSandbox({ label: 'reg-auth', daemonConfig: { 'insecure-registries': [`${HOST}/32`] } });
  const config = (): CliConfig => JSON.parse(readFileSync(join(sb().dockerConfig, 'config.json'), 'utf8')) as CliConfig;

  before(async () => {
    await addAddress(sb(), HOST);
    const dir = join(sb().dir, 'auth');
    mkdirSync(dir);
    const line = await htpasswdLine('alice', 's3cret');
    assert.ok(line, 'htpasswd (apache2-utils) is needed');
    writeFileSync(join(dir, 'htpasswd'), `${line}\n`);
    await startRegistryIn(sb(), { name: 'reg-basic', addr: BASIC, htpasswd: join(dir, 'htpasswd') });

    const certs = await makeCerts(dir);
    const tokens = await startTokenServerIn(sb(), { name: 'token-server', host: HOST, port: 5001, key: join(dir, 'ca.key'), cert: certs.ca, users: { bob: 'hunter2' } });
    assert.equal(tokens.realm, `http://${HOST}:5001/token`);
    await startRegistryIn(sb(), {
      name: 'reg-token',
      addr: TOKEN,
      token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: certs.ca },
    });
  });

  test('htpasswd: refused without login and with a wrong password; login, push, pull; logout refuses again', async () => {
    const ref = `${BASIC}/private/bb:v1`;
    await sb().dockerOk(['tag', 'bb', ref]);
    const push = await sb().docker(['push', ref]);
    assertExit(sb(), push, 1);
    assertStderr(sb(), push, 'no basic auth credentials');
    const pull = await sb().docker(['pull', ref]);
    assertExit(sb(), pull, 1);
    assertStderr(sb(), pull, `Error response from daemon: Head "http://${BASIC}/v2/private/bb/manifests/v1": no basic auth credentials`);

    const wrong = await sb().docker(['login', '-u', 'alice', '--password-stdin', BASIC], { input: 'nope\n' });
    assertExit(sb(), wrong, 1);
    assertStderr(sb(), wrong, `Error response from daemon: login attempt to http://${BASIC}/v2/ failed with status: 401 Unauthorized`);
    assert.equal(config().auths?.[BASIC], undefined, 'a failed login stores nothing');

    const login = await sb().docker(['login', '-u', 'alice', '--password-stdin', BASIC], { input: 's3cret\n' });
    assertExit(sb(), login, 0);
    assertStdout(sb(), login, /Login Succeeded/);
    assert.equal(config().auths?.[BASIC]?.auth, Buffer.from('alice:s3cret').toString('base64'));

    const digest = pushedDigest(await sb().dockerOk(['push', ref]), 'v1');
    assert.equal(await registryDigest(sb(), `http://${BASIC}`, 'private/bb', 'v1', ['-u', 'alice:s3cret']), digest);
    await sb().dockerOk(['rmi', ref]);
    assert.match(await sb().dockerOk(['pull', ref]), new RegExp(`Digest: ${digest}`));

    await sb().dockerOk(['logout', BASIC]);
    await sb().dockerOk(['rmi', ref]);
    const after = await sb().docker(['pull', ref]);
    assertExit(sb(), after, 1);
    assertStderr(sb(), after, 'no basic auth credentials');
  });

  test('token server: anonymous pull denied; login keeps an identity token; push and pull with bearer tokens', async () => {
    const ref = `${TOKEN}/team/bb:v1`;
    await sb().dockerOk(['tag', 'bb', ref]);
    const anon = await sb().docker(['pull', ref]);
    assertExit(sb(), anon, 1);
    assertStderr(
      sb(),
      anon,
      `Error response from daemon: pull access denied for ${TOKEN}/team/bb, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
    );
    const anonPush = await sb().docker(['push', ref]);
    assertExit(sb(), anonPush, 1);
    assertStderr(sb(), anonPush, /^denied: requested access to the resource is denied$/m);

    const wrong = await sb().docker(['login', '-u', 'bob', '--password-stdin', TOKEN], { input: 'bad\n' });
    assertExit(sb(), wrong, 1);
    assertStderr(sb(), wrong, /unauthorized: incorrect username or password/);

    const login = await sb().docker(['login', '-u', 'bob', '--password-stdin', TOKEN], { input: 'hunter2\n' });
    assertExit(sb(), login, 0);
    assertStdout(sb(), login, /Login Succeeded/);
    // the token server gave a refresh token: the CLI keeps it instead of the password
    assert.equal(config().auths?.[TOKEN]?.identitytoken, 'refresh-bob');

    const push = await sb().dockerOk(['push', ref]);
    const digest = pushedDigest(push, 'v1');
    await sb().dockerOk(['rmi', ref]);
    const pull = await sb().dockerOk(['pull', ref]);
    assert.match(pull, new RegExp(`Digest: ${digest}`));
    assert.match(pull, /Status: Downloaded newer image for 198\.51\.100\.13:5000\/team\/bb:v1/);

    await sb().dockerOk(['logout', TOKEN]);
    await sb().dockerOk(['rmi', ref]);
    const again = await sb().docker(['pull', ref]);
    assertExit(sb(), again, 1);
    assertStderr(sb(), again, /pull access denied/);
  });
});
