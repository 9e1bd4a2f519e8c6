import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { tarOf, type WrittenLayout, writeOciLayout } from '../../src/services/registry/testing/oci-layout.ts';
import { busyboxTar } from '../support/busybox-image.ts';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';
import { addAddress, registryDigest, skopeo, startRegistryIn } from './registry-sandbox.ts';

/**
 * A multi-platform OCI index (linux/arm64, linux/amd64, linux/arm/v7, in that order) pushed with `skopeo copy
 * --all` to a registry inside the sandbox: a plain pull selects the host's linux/amd64 image, `--platform`
 * selects another one, a platform the index lacks is refused with dockerd's message.
 */
const REG = '198.51.100.14:5000';
const REF = `${REG}/multi:v1`;

describe('registry: multi-platform index and --platform', { skip: process.arch !== 'x64' ? 'the host platform must be linux/amd64' : false }, () => {
  const sb = useSandbox({ label: 'reg-platform', daemonConfig: { 'insecure-registries': [REG] } });
  let layout: WrittenLayout;
  const image = (arch: string) => layout.images.find((i) => `${i.platform.architecture}${i.platform.variant ? `/${i.platform.variant}` : ''}` === arch)!;

  before(async () => {
    await addAddress(sb(), '198.51.100.14');
    const reg = await startRegistryIn(sb(), { name: 'reg-platform', addr: REG });
    const rootfs = mkdtempSync(join(sb().dir, 'bb-rootfs-'));
    const busybox = await busyboxTar(rootfs);
    rmSync(rootfs, { recursive: true, force: true });
    const dir = join(sb().dir, 'oci-multi');
    layout = await writeOciLayout(dir, 'v1', [
      { platform: { os: 'linux', architecture: 'arm64' }, layers: [await tarOf({ 'platform.txt': 'arm64\n' })], config: { Cmd: ['cat', '/platform.txt'] } },
      { platform: { os: 'linux', architecture: 'amd64' }, layers: [busybox, await tarOf({ 'platform.txt': 'amd64\n' })], config: { Cmd: ['cat', '/platform.txt'] } },
      { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, layers: [await tarOf({ 'platform.txt': 'arm/v7\n' })] },
    ]);
    await skopeo(sb(), ['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${dir}:v1`, `docker://${REF}`]);
    assert.equal(await registryDigest(sb(), reg.url, 'multi', 'v1'), layout.digest, 'the registry serves the index as written');
  });

  test('a plain pull selects linux/amd64 from the index; RepoDigests names the index', async () => {
    const pull = await sb().dockerOk(['pull', REF]);
    assert.match(pull, new RegExp(`^Digest: ${layout.digest}$`, 'm'));
    assert.match(pull, /Status: Downloaded newer image for 198\.51\.100\.14:5000\/multi:v1/);
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{.Id}} {{.Os}}/{{.Architecture}}', REF]), `${image('amd64').configDigest} linux/amd64`);
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{json .RepoDigests}}', REF]), JSON.stringify([`${REG}/multi@${layout.digest}`]));
    assert.equal(await sb().dockerOk(['run', '--rm', REF]), 'amd64');
    // pulled again: nothing new
    assert.match(await sb().dockerOk(['pull', REF]), /Status: Image is up to date for 198\.51\.100\.14:5000\/multi:v1/);
  });

  test('--platform linux/arm64 and linux/arm/v7 select the other manifests; the tag moves', async () => {
    const arm64 = await sb().dockerOk(['pull', '--platform', 'linux/arm64', REF]);
    assert.match(arm64, new RegExp(`^Digest: ${layout.digest}$`, 'm'));
    assert.match(arm64, /Status: Downloaded newer image for 198\.51\.100\.14:5000\/multi:v1/);
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{.Id}} {{.Os}}/{{.Architecture}}', REF]), `${image('arm64').configDigest} linux/arm64`);

    await sb().dockerOk(['pull', '--platform', 'linux/arm/v7', REF]);
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{.Id}} {{.Architecture}}/{{.Variant}}', REF]), `${image('arm/v7').configDigest} arm/v7`);
    // the amd64 image stays, untagged, as with dockerd
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{.Architecture}}', image('amd64').configDigest]), 'amd64');
  });

  test('a platform the index lacks is refused; a single-platform manifest can be pulled by its digest', async () => {
    const none = await sb().docker(['pull', '--platform', 'linux/s390x', REF]);
    assertExit(sb(), none, 1);
    assertStderr(sb(), none, 'no matching manifest for linux/s390x in the manifest list entries');
    const ref = `${REG}/multi@${image('arm64').digest}`;
    const byDigest = await sb().dockerOk(['pull', '--platform', 'linux/arm64', ref]);
    assert.match(byDigest, new RegExp(`Digest: ${image('arm64').digest}`));
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{.Id}}', ref]), image('arm64').configDigest);
  });
});
