import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { parseNormalizedNamed } from '../../domain/image/reference.ts';
import { importBusyboxImage } from '../images/testing/busybox-image.ts';
import { htpasswdLine, makeCerts, startTokenServer } from './testing/fixtures.ts';
import { ctx, layerStatuses, makeNode, plainStatuses, skipReason } from './testing/harness.ts';
import { freePort, startRegistry } from './testing/registry-server.ts';

/**
 * Registries that want credentials or TLS, and Docker Hub's endpoints: htpasswd basic auth, a token server
 * (bearer flow), TLS with a CA and a client certificate from certs.d, registry-mirrors with fallback. Everything
 * on 127.0.0.1; Docker Hub's names resolve to loopback through the service's lookup hook, so nothing leaves the
 * machine. Needs root, docker-registry, openssl, and htpasswd (apache2-utils) for the basic-auth case.
 */
const skip = await skipReason();

describe('registry auth, TLS and mirrors', { skip }, () => {
  let dir: string;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-registry-auth-itest-`);
  });
  after(async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('basic auth: no credentials, wrong ones, login, then push and pull', async (t) => {
    const line = await htpasswdLine('alice', 's3cret');
    if (!line) return t.skip('htpasswd (apache2-utils) is missing');
    await mkdir(`${dir}/basic`, { recursive: true });
    await writeFile(`${dir}/basic/htpasswd`, `${line}\n`);
    const reg = await startRegistry({ dir: `${dir}/basic`, htpasswd: `${dir}/basic/htpasswd` });
    stops.push(reg.stop);
    const n = await makeNode(`${dir}/basic-node`);
    stops.push(async () => n.registry.close());
    await importBusyboxImage(n.images, `${reg.host}/bb:1`);

    await assert.rejects(n.pull(`${reg.host}/bb:1`), { name: 'RegistryAuthError', message: `Head "http://${reg.host}/v2/bb/manifests/1": no basic auth credentials` });
    const pushNoAuth: string[] = [];
    await assert.rejects(
      n.registry.push(ctx, { ref: parseNormalizedNamed(`${reg.host}/bb:1`) }, (m) => pushNoAuth.push(m.status ?? '')),
      /no basic auth credentials/,
    );
    await assert.rejects(n.registry.login(ctx, { username: 'alice', password: 'nope', serveraddress: reg.host }), {
      message: `login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`,
    });
    assert.deepEqual(await n.registry.login(ctx, { username: 'alice', password: 's3cret', serveraddress: `http://${reg.host}/v2/` }), { Status: 'Login Succeeded' });

    const auth = { username: 'alice', password: 's3cret', serveraddress: reg.host };
    const pushed = await n.push(`${reg.host}/bb:1`, { auth });
    assert.match(plainStatuses(pushed).at(-1)!, /^1: digest: sha256:[0-9a-f]{64} size: \d+$/);
    const other = await makeNode(`${dir}/basic-other`);
    stops.push(async () => other.registry.close());
    await assert.rejects(other.pull(`${reg.host}/bb:1`, { auth: { username: 'alice', password: 'wrong' } }), { name: 'UnauthorizedError', message: 'unauthorized: authentication required' });
    const pulled = await other.pull(`${reg.host}/bb:1`, { auth: { auth: Buffer.from('alice:s3cret').toString('base64') } });
    assert.equal(plainStatuses(pulled).at(-1), `Status: Downloaded newer image for ${reg.host}/bb:1`);
  });

  it('token auth: anonymous is denied, credentials get scoped tokens, login returns a refresh token', async () => {
    await mkdir(`${dir}/token`, { recursive: true });
    const certs = await makeCerts(`${dir}/token`);
    const tokens = await startTokenServer(`${dir}/token/ca.key`, certs.ca, { bob: 'hunter2' });
    stops.push(tokens.close);
    const reg = await startRegistry({ dir: `${dir}/token`, token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: certs.ca } });
    stops.push(reg.stop);
    const n = await makeNode(`${dir}/token-node`);
    stops.push(async () => n.registry.close());
    await importBusyboxImage(n.images, `${reg.host}/team/bb:1`);

    await assert.rejects(n.pull(`${reg.host}/team/bb:1`), {
      name: 'NotFoundError',
      message: "pull access denied for 127.0.0.1:" + reg.port + "/team/bb, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    });
    await assert.rejects(n.registry.login(ctx, { username: 'bob', password: 'bad', serveraddress: reg.host }), { name: 'UnauthorizedError', message: `Get "http://${reg.host}/v2/": unauthorized: incorrect username or password` });
    const login = await n.registry.login(ctx, { username: 'bob', password: 'hunter2', serveraddress: reg.host });
    assert.deepEqual(login, { Status: 'Login Succeeded', IdentityToken: 'refresh-bob' });
    const loginReq = tokens.requests.at(-1)!;
    assert.equal(loginReq.query.get('offline_token'), 'true');
    assert.equal(loginReq.query.get('client_id'), 'docker');
    assert.equal(loginReq.query.get('account'), 'bob');

    const auth = { username: 'bob', password: 'hunter2' };
    const pushed = await n.push(`${reg.host}/team/bb:1`, { auth });
    assert.match(plainStatuses(pushed).at(-1)!, /^1: digest: /);
    const pushReq = tokens.requests.filter((r) => r.user === 'bob').at(-1)!;
    assert.deepEqual(pushReq.query.getAll('scope'), ['repository:team/bb:push,pull']);
    assert.equal(pushReq.query.get('service'), tokens.service);

    // a second repository mounts the layer; the token covers both repositories
    await n.images.tag(`${reg.host}/team/bb:1`, parseNormalizedNamed(`${reg.host}/team/copy:1`));
    const copy = await n.push(`${reg.host}/team/copy:1`, { auth });
    const diff = n.images.inspect(`${reg.host}/team/bb:1`).diffIds[0]!.slice(7, 19);
    assert.deepEqual(layerStatuses(copy, diff), ['Preparing', 'Mounted from team/bb']);
    assert.ok(tokens.requests.some((r) => r.query.getAll('scope').includes('repository:team/bb:pull') && r.query.getAll('scope').includes('repository:team/copy:push,pull')));

    const other = await makeNode(`${dir}/token-other`);
    stops.push(async () => other.registry.close());
    const pulled = await other.pull(`${reg.host}/team/bb:1`, { auth });
    assert.equal(plainStatuses(pulled).at(-1), `Status: Downloaded newer image for ${reg.host}/team/bb:1`);
    const before = tokens.requests.length;
    await other.pull(`${reg.host}/team/bb:1`, { auth });
    assert.equal(tokens.requests.length, before, 'the token is cached per scope');

    // an identity token from a login is exchanged with the OAuth2 refresh-token grant
    const third = await makeNode(`${dir}/token-third`);
    stops.push(async () => third.registry.close());
    const viaRefresh = await third.pull(`${reg.host}/team/bb:1`, { auth: { identitytoken: login.IdentityToken! } });
    assert.equal(plainStatuses(viaRefresh).at(-1), `Status: Downloaded newer image for ${reg.host}/team/bb:1`);
    const post = tokens.requests.at(-1)!;
    assert.equal(post.method, 'POST');
    assert.equal(post.query.get('grant_type'), 'refresh_token');
    assert.equal(post.query.get('client_id'), 'docker');
    await assert.rejects(third.pull(`${reg.host}/team/other:1`, { auth: { identitytoken: 'stolen' } }), { name: 'RegistryAuthError', message: `Head "http://${reg.host}/v2/team/other/manifests/1": unauthorized: invalid refresh token` });
  });

  it('TLS with a CA and a client certificate from certs.d', async () => {
    await mkdir(`${dir}/tls`, { recursive: true });
    const certs = await makeCerts(`${dir}/tls`);
    const reg = await startRegistry({ dir: `${dir}/tls`, tls: { cert: certs.serverCert, key: certs.serverKey, clientCas: [certs.ca] } });
    stops.push(reg.stop);
    const certsDir = `${dir}/certs.d`;
    await mkdir(`${certsDir}/${reg.host}`, { recursive: true });
    await copyFile(certs.ca, `${certsDir}/${reg.host}/ca.crt`);
    await copyFile(certs.clientCert, `${certsDir}/${reg.host}/client.cert`);
    await copyFile(certs.clientKey, `${certsDir}/${reg.host}/client.key`);
    // loopback is insecure (unverified) by default as in dockerd: make it secure so certs.d is what counts
    const n = await makeNode(`${dir}/tls-node`, { certsDir, defaultInsecureCidrs: [] });
    stops.push(async () => n.registry.close());
    await importBusyboxImage(n.images, `${reg.host}/bb:tls`);
    const pushed = await n.push(`${reg.host}/bb:tls`);
    assert.match(plainStatuses(pushed).at(-1)!, /^tls: digest: /);
    const pulled = await (await makeNode(`${dir}/tls-other`, { certsDir, defaultInsecureCidrs: [] })).pull(`${reg.host}/bb:tls`);
    assert.equal(plainStatuses(pulled).at(-1), `Status: Downloaded newer image for ${reg.host}/bb:tls`);

    const noCa = await makeNode(`${dir}/tls-noca`, { certsDir: `${dir}/empty-certs.d`, defaultInsecureCidrs: [] });
    await assert.rejects(noCa.pull(`${reg.host}/bb:tls`), { message: `Get "https://${reg.host}/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority` });
    await writeFile(`${certsDir}/${reg.host}/stray.key`, 'x');
    const badDir = await makeNode(`${dir}/tls-bad`, { certsDir, defaultInsecureCidrs: [] });
    await assert.rejects(badDir.pull(`${reg.host}/bb:tls`), { name: 'InvalidArgumentError', message: 'missing client certificate stray.cert for key stray.key' });
    // listed in insecure-registries, the same host is not verified (and may fall back to http)
    const insecure = await makeNode(`${dir}/tls-insecure`, { certsDir: `${dir}/empty-certs.d`, insecureRegistries: [reg.host], defaultInsecureCidrs: [] });
    assert.equal(await insecure.registry.isInsecure(reg.host), true);
    assert.equal(await noCa.registry.isInsecure(reg.host), false);
    for (const x of [noCa, badDir, insecure]) x.registry.close();
  });

  it('Docker Hub: mirrors first with the library/ path, fallback past dead mirrors, then registry-1.docker.io', async () => {
    const reg = await startRegistry({ dir: `${dir}/mirror` });
    stops.push(reg.stop);
    const seed = await makeNode(`${dir}/mirror-seed`);
    stops.push(async () => seed.registry.close());
    await importBusyboxImage(seed.images, `${reg.host}/library/bbhub:latest`);
    await seed.push(`${reg.host}/library/bbhub:latest`);

    const dead = await freePort();
    const n = await makeNode(`${dir}/mirror-node`, { mirrors: [`http://127.0.0.1:${dead}`, `http://${reg.host}/`] });
    stops.push(async () => n.registry.close());
    const msgs = await n.pull('bbhub:latest');
    assert.deepEqual(msgs[0], { status: 'Pulling from library/bbhub', id: 'latest' });
    assert.equal(plainStatuses(msgs).at(-1), 'Status: Downloaded newer image for bbhub:latest');
    assert.deepEqual(n.images.inspect('bbhub').repoTags, ['bbhub:latest']);
    assert.match(n.images.inspect('bbhub').repoDigests[0]!, /^bbhub@sha256:[0-9a-f]{64}$/);

    // a mirror without the image falls back to Docker Hub, which (pointed at loopback here) refuses the connection
    await assert.rejects(n.pull('library/notonmirror:1'), {
      message: 'Get "https://registry-1.docker.io/v2/": dial tcp 127.0.0.1:443: connect: connection refused',
    });
    const noMirror = await makeNode(`${dir}/mirror-none`);
    stops.push(async () => noMirror.registry.close());
    await assert.rejects(noMirror.pull('busybox:latest'), { message: 'Get "https://registry-1.docker.io/v2/": dial tcp 127.0.0.1:443: connect: connection refused' });
    const pushOut: string[] = [];
    await importBusyboxImage(noMirror.images, 'someone/bb:1');
    await assert.rejects(
      noMirror.registry.push(ctx, { ref: parseNormalizedNamed('someone/bb:1') }, (m) => pushOut.push(m.status ?? '')),
      /Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp 127\.0\.0\.1:443: connect: connection refused/,
    );
    assert.deepEqual(pushOut, ['The push refers to repository [docker.io/someone/bb]'], 'mirrors are never pushed to');
  });
});
