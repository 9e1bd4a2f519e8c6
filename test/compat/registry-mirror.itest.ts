import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { makeCerts } from '../../src/services/registry/testing/fixtures.ts';
import { tarOf, writeOciLayout } from '../../src/services/registry/testing/oci-layout.ts';
import { busyboxTar } from '../support/busybox-image.ts';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';
import { addAddress, type InnerRegistry, registryDigest, skopeo, startRegistryIn } from './registry-sandbox.ts';

/**
 * `registry-mirrors` for Docker Hub names. Inside the sandbox a fake Docker Hub answers as registry-1.docker.io
 * (the sandbox's own /etc/hosts, bind-mounted in its private mount namespace, points the name at
 * 198.51.100.30:443; its TLS certificate comes from a test CA that the daemon trusts through SSL_CERT_FILE), and a
 * plain-HTTP mirror listed in insecure-registries runs at 198.51.100.20:5000. The mirror is asked first; what it
 * lacks, and everything once it is gone, comes from the hub; pushes never go to the mirror.
 */
const MIRROR = '198.51.100.20:5000';
const HUB_IP = '198.51.100.30';

describe('registry: registry-mirrors first, falling back to registry-1.docker.io', () => {
  let caFile = '';
  const sb = useSandbox({
    label: 'reg-mirror',
    startDaemon: false,
    image: false,
    daemonConfig: { 'registry-mirrors': [`http://${MIRROR}`], 'insecure-registries': [MIRROR] },
    get env() {
      return { SSL_CERT_FILE: caFile };
    },
  });
  let mirror: InnerRegistry;
  let hub: InnerRegistry;
  const digests: Record<string, string> = {};

  before(async () => {
    const s = sb();
    const pki = join(s.dir, 'hub-pki');
    mkdirSync(pki);
    const certs = await makeCerts(pki, ['DNS:registry-1.docker.io']);
    caFile = certs.ca;
    writeFileSync(join(s.dir, 'hosts'), `127.0.0.1\tlocalhost\n${HUB_IP}\tregistry-1.docker.io\n`);
    const m = await s.exec(['mount', '--bind', join(s.dir, 'hosts'), '/etc/hosts']);
    assert.equal(m.code, 0, m.stderr);
    await s.start();
    await s.importBusybox('bb');
    await addAddress(s, '198.51.100.20');
    await addAddress(s, HUB_IP);
    mirror = await startRegistryIn(s, { name: 'mirror', addr: MIRROR, accessLog: true });
    hub = await startRegistryIn(s, { name: 'hub', addr: `${HUB_IP}:443`, tls: { cert: certs.serverCert, key: certs.serverKey } });

    const rootfs = mkdtempSync(join(s.dir, 'bb-rootfs-'));
    const busybox = await busyboxTar(rootfs);
    rmSync(rootfs, { recursive: true, force: true });
    const seed = async (name: string, servedBy: string, dest: string, tlsVerify: boolean) => {
      const dir = join(s.dir, `oci-${name}-${servedBy}`);
      const l = await writeOciLayout(dir, 'v1', [{ platform: { os: 'linux', architecture: 'amd64' }, layers: [busybox, await tarOf({ 'served-by': `${servedBy}\n` })], config: { Cmd: ['cat', '/served-by'] } }]);
      await skopeo(s, ['copy', '--preserve-digests', `--dest-tls-verify=${tlsVerify}`, `oci:${dir}:v1`, `docker://${dest}/library/${name}:v1`]);
      digests[`${name}@${servedBy}`] = l.digest;
    };
    await seed('both', 'mirror', MIRROR, false);
    await seed('both', 'hub', `${HUB_IP}:443`, false);
    await seed('hubonly', 'hub', `${HUB_IP}:443`, false);
  });

  test('docker info shows the mirror; a name the mirror has comes from the mirror', async () => {
    assert.equal(await sb().dockerOk(['info', '-f', '{{json .RegistryConfig.Mirrors}}']), JSON.stringify([`http://${MIRROR}/`]));
    const pull = await sb().dockerOk(['pull', 'both:v1']);
    assert.match(pull, /^v1: Pulling from library\/both$/m);
    assert.match(pull, new RegExp(`^Digest: ${digests['both@mirror']}$`, 'm'));
    assert.match(pull, /^Status: Downloaded newer image for both:v1$/m);
    assert.match(pull, /^docker\.io\/library\/both:v1$/m);
    assert.equal(await sb().dockerOk(['run', '--rm', 'both:v1']), 'mirror');
    assert.match(mirror.log(), /GET \/v2\/library\/both\/manifests\/v1|HEAD \/v2\/library\/both\/manifests\/v1/);
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{json .RepoDigests}}', 'both:v1']), JSON.stringify([`both@${digests['both@mirror']}`]));
  });

  test('a name the mirror lacks falls back to registry-1.docker.io', async () => {
    const pull = await sb().dockerOk(['pull', 'hubonly:v1']);
    assert.match(pull, new RegExp(`^Digest: ${digests['hubonly@hub']}$`, 'm'));
    assert.match(pull, /^Status: Downloaded newer image for hubonly:v1$/m);
    assert.equal(await sb().dockerOk(['run', '--rm', 'hubonly:v1']), 'hub');
  });

  test('with the mirror gone, pulls fall back to registry-1.docker.io; pushes go there and never to the mirror', async () => {
    await mirror.stop();
    await sb().dockerOk(['rmi', 'both:v1']);
    const pull = await sb().dockerOk(['pull', 'both:v1']);
    assert.match(pull, new RegExp(`^Digest: ${digests['both@hub']}$`, 'm'));
    assert.equal(await sb().dockerOk(['run', '--rm', 'both:v1']), 'hub');

    await sb().dockerOk(['tag', 'bb', 'pushed-by-berth:v1']);
    const push = await sb().dockerOk(['push', 'pushed-by-berth:v1']);
    assert.match(push, /The push refers to repository \[docker\.io\/library\/pushed-by-berth\]/);
    const digest = /v1: digest: (sha256:[0-9a-f]{64})/.exec(push)?.[1];
    assert.ok(digest, push);
    assert.equal(await registryDigest(sb(), hub.url, 'library/pushed-by-berth', 'v1'), digest);

    // and with no hub either, the error names the last endpoint tried
    await hub.stop();
    const dead = await sb().docker(['pull', 'nothing-anywhere:v1']);
    assertExit(sb(), dead, 1);
    assertStderr(sb(), dead, /Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp 198\.51\.100\.30:443: connect: connection refused/);
  });
});
