import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { makeCerts } from '../../src/services/registry/testing/fixtures.ts';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';
import { addAddress, type InnerRegistry, pushedDigest, registryDigest, startRegistryIn } from './registry-sandbox.ts';

/**
 * TLS registries on a non-loopback address of the sandbox, trusted through certs.d as dockerd does
 * (`<certs.d>/<host:port>/ca.crt`, client certificates as `*.cert` + `*.key`). berthd reads certs.d from
 * $BERTH_CERTS_D (default /etc/berth/certs.d). With BERTH_TEST_DAEMON=/usr/sbin/dockerd the same dir is
 * bind-mounted on /etc/docker/certs.d inside the sandbox, so the test checks dockerd too.
 */
const TLS = '198.51.100.11:5443';
const MTLS = '198.51.100.11:5444';

describe('registry: TLS with a test CA in certs.d', () => {
  let certsD = '';
  const sb = useSandbox({
    label: 'reg-tls',
    get env() {
      return { BERTH_CERTS_D: certsD };
    },
    startDaemon: false,
    image: false,
  });
  let reg: InnerRegistry;
  let mreg: InnerRegistry;
  let certs: Awaited<ReturnType<typeof makeCerts>>;

  before(async () => {
    const s = sb();
    certsD = join(s.dir, 'etc-docker', 'certs.d');
    mkdirSync(certsD, { recursive: true });
    if (process.env.BERTH_TEST_DAEMON?.endsWith('dockerd')) {
      const m = await s.exec(['mount', '--bind', join(s.dir, 'etc-docker'), '/etc/docker']);
      assert.equal(m.code, 0, m.stderr);
    }
    await s.start();
    await s.importBusybox('bb');
    await addAddress(s, '198.51.100.11');
    const certDir = join(s.dir, 'pki');
    mkdirSync(certDir);
    certs = await makeCerts(certDir, ['IP:198.51.100.11']);
    reg = await startRegistryIn(s, { name: 'reg-tls', addr: TLS, tls: { cert: certs.serverCert, key: certs.serverKey } });
    mreg = await startRegistryIn(s, { name: 'reg-mtls', addr: MTLS, tls: { cert: certs.serverCert, key: certs.serverKey, clientCas: [certs.ca] } });
  });

  test('without the CA in certs.d, push and pull fail: certificate signed by unknown authority', async () => {
    await sb().dockerOk(['tag', 'bb', `${TLS}/bb:untrusted`]);
    const push = await sb().docker(['push', `${TLS}/bb:untrusted`]);
    assertExit(sb(), push, 1);
    assertStderr(sb(), push, /x509: certificate signed by unknown authority/);
    const pull = await sb().docker(['pull', `${TLS}/bb:anything`]);
    assertExit(sb(), pull, 1);
    assertStderr(sb(), pull, new RegExp(`Get "https://${TLS.replace(/\./g, '\\.')}/v2/": .*x509: certificate signed by unknown authority`));
  });

  test('with the CA in certs.d/<host:port>/ca.crt: push, pull back by digest, and it fails again once the CA is gone', async () => {
    const dir = join(certsD, TLS);
    mkdirSync(dir, { recursive: true });
    copyFileSync(certs.ca, join(dir, 'ca.crt'));
    const ref = `${TLS}/secure/bb:v1`;
    await sb().dockerOk(['tag', 'bb', ref]);
    const digest = pushedDigest(await sb().dockerOk(['push', ref]), 'v1');
    assert.equal(await registryDigest(sb(), reg.url, 'secure/bb', 'v1', ['--cacert', certs.ca]), digest);
    await sb().dockerOk(['rmi', ref]);
    const pull = await sb().dockerOk(['pull', ref]);
    assert.match(pull, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.match(pull, /Status: Downloaded newer image for 198\.51\.100\.11:5443\/secure\/bb:v1/);
    assert.equal(await sb().dockerOk(['run', '--rm', ref, 'echo', 'over TLS']), 'over TLS');

    // certs.d is read for every pull: without the CA the same registry is untrusted again
    renameSync(join(dir, 'ca.crt'), join(dir, 'ca.crt.off'));
    await sb().dockerOk(['rmi', ref]);
    const again = await sb().docker(['pull', ref]);
    assertExit(sb(), again, 1);
    assertStderr(sb(), again, /x509: certificate signed by unknown authority/);
    renameSync(join(dir, 'ca.crt.off'), join(dir, 'ca.crt'));
  });

  test('a registry that wants a client certificate: refused without one, works with client.cert/client.key in certs.d', async () => {
    const dir = join(certsD, MTLS);
    mkdirSync(dir, { recursive: true });
    copyFileSync(certs.ca, join(dir, 'ca.crt'));
    const ref = `${MTLS}/bb:mtls`;
    await sb().dockerOk(['tag', 'bb', ref]);
    const refused = await sb().docker(['push', ref]);
    assertExit(sb(), refused, 1);
    assertStderr(sb(), refused, `Get "https://${MTLS}/v2/": remote error: tls: bad certificate`);

    copyFileSync(certs.clientCert, join(dir, 'client.cert'));
    copyFileSync(certs.clientKey, join(dir, 'client.key'));
    const digest = pushedDigest(await sb().dockerOk(['push', ref]), 'mtls');
    assert.equal(await registryDigest(sb(), mreg.url, 'bb', 'mtls', ['--cacert', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey]), digest);
    await sb().dockerOk(['rmi', ref]);
    assert.match(await sb().dockerOk(['pull', ref]), new RegExp(`Digest: ${digest}`));
  });
});
