import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';
import { addAddress, type InnerRegistry, pushedDigest, registryDigest, skopeo, startRegistryIn } from './registry-sandbox.ts';

/**
 * A plain-HTTP registry on a non-loopback address of the sandbox, listed in `insecure-registries`: push and pull
 * back through berthd with the stock docker CLI, digests checked against the registry and skopeo; skopeo pushes
 * images (Docker and OCI manifests) that berthd pulls and runs, and copies out what berthd pushed, intact.
 */
const INSECURE = '198.51.100.10:5000';
const UNLISTED = '198.51.100.12:5000';

describe('registry: insecure HTTP registry on a non-loopback address, and skopeo both ways', () => {
  const sb = useSandbox({ label: 'reg-insecure', daemonConfig: { 'insecure-registries': [INSECURE] } });
  let reg: InnerRegistry;

  before(async () => {
    await addAddress(sb(), '198.51.100.10');
    await addAddress(sb(), '198.51.100.12');
    reg = await startRegistryIn(sb(), { name: 'reg-insecure', addr: INSECURE });
    await startRegistryIn(sb(), { name: 'reg-unlisted', addr: UNLISTED });
  });

  test('push then pull back: the digest is the one the registry and skopeo inspect report', async () => {
    const ref = `${INSECURE}/team/bb:v1`;
    await sb().dockerOk(['tag', 'bb', ref]);
    const push = await sb().dockerOk(['push', ref]);
    assert.match(push, /The push refers to repository \[198\.51\.100\.10:5000\/team\/bb\]/);
    assert.match(push, /: Pushed$/m);
    const digest = pushedDigest(push, 'v1');

    assert.equal(await registryDigest(sb(), reg.url, 'team/bb', 'v1'), digest, 'registry HEAD digest');
    const inspect = JSON.parse(await skopeo(sb(), ['inspect', '--tls-verify=false', `docker://${ref}`])) as { Digest: string; Layers: string[] };
    assert.equal(inspect.Digest, digest, 'skopeo inspect digest');

    // a second push finds every layer there already and gives the same digest
    const again = await sb().dockerOk(['push', ref]);
    assert.match(again, /: Layer already exists$/m);
    assert.equal(pushedDigest(again, 'v1'), digest);

    await sb().dockerOk(['rmi', ref]);
    const pull = await sb().dockerOk(['pull', ref]);
    assert.match(pull, /^v1: Pulling from team\/bb$/m);
    assert.match(pull, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.match(pull, /^Status: (Downloaded newer image|Image is up to date) for 198\.51\.100\.10:5000\/team\/bb:v1$/m);
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{index .RepoDigests 0}}', ref]), `${INSECURE}/team/bb@${digest}`);
    // pull by digest: nothing to download, same image
    const byDigest = await sb().dockerOk(['pull', `${INSECURE}/team/bb@${digest}`]);
    assert.match(byDigest, /Status: Image is up to date for 198\.51\.100\.10:5000\/team\/bb@sha256:/);
    assert.equal(await sb().dockerOk(['inspect', '-f', '{{.Id}}', `${INSECURE}/team/bb@${digest}`]), await sb().dockerOk(['inspect', '-f', '{{.Id}}', 'bb']));
    const run = await sb().dockerOk(['run', '--rm', ref, 'echo', 'from the insecure registry']);
    assert.equal(run, 'from the insecure registry');
  });

  test('an HTTP registry not listed in insecure-registries is refused, as dockerd does', async () => {
    const ref = `${UNLISTED}/bb:v1`;
    await sb().dockerOk(['tag', 'bb', ref]);
    const push = await sb().docker(['push', ref]);
    assertExit(sb(), push, 1);
    assertStderr(sb(), push, `Get "https://${UNLISTED}/v2/": http: server gave HTTP response to HTTPS client`);
    const pull = await sb().docker(['pull', `${UNLISTED}/other:v1`]);
    assertExit(sb(), pull, 1);
    assertStderr(sb(), pull, 'http: server gave HTTP response to HTTPS client');
  });

  for (const format of ['v2s2', 'oci'] as const) {
    test(`skopeo copy pushes an image (${format} manifest) that berthd pulls and runs`, async () => {
      const archive = join(sb().dir, `bb-${format}.tar`);
      const save = await sb().sh(`docker save bb -o ${archive}`);
      assertExit(sb(), save, 0, 'docker save');
      const ref = `${INSECURE}/from-skopeo/${format}:v1`;
      await skopeo(sb(), ['copy', '--dest-tls-verify=false', '--format', format, `docker-archive:${archive}`, `docker://${ref}`]);
      const digest = await registryDigest(sb(), reg.url, `from-skopeo/${format}`, 'v1');

      const pull = await sb().dockerOk(['pull', ref]);
      assert.match(pull, new RegExp(`^Digest: ${digest}$`, 'm'));
      assert.match(pull, /Status: Downloaded newer image for /);
      assert.equal(await sb().dockerOk(['inspect', '-f', '{{index .RepoDigests 0}}', ref]), `${INSECURE}/from-skopeo/${format}@${digest}`);
      // same filesystem as the image it came from
      assert.equal(await sb().dockerOk(['inspect', '-f', '{{json .RootFS.Layers}}', ref]), await sb().dockerOk(['inspect', '-f', '{{json .RootFS.Layers}}', 'bb']));
      const out = await sb().dockerOk(['run', '--rm', ref, 'sh', '-c', 'echo pushed by skopeo; ls /bin/busybox']);
      assert.equal(out, 'pushed by skopeo\n/bin/busybox');
    });
  }

  test('berthd pushes an image that skopeo copies out intact', async () => {
    const ref = `${INSECURE}/to-skopeo:v2`;
    await sb().dockerOk(['tag', 'bb', ref]);
    const digest = pushedDigest(await sb().dockerOk(['push', ref]), 'v2');
    const out = join(sb().dir, 'skopeo-out');
    await skopeo(sb(), ['copy', '--src-tls-verify=false', '--preserve-digests', `docker://${ref}`, `dir:${out}`]);

    const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const manifestBytes = readFileSync(join(out, 'manifest.json'));
    assert.equal(sha(manifestBytes), digest, 'the manifest skopeo got is the one berthd pushed');
    const manifest = JSON.parse(manifestBytes.toString()) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    const blobs = readdirSync(out).filter((f) => /^[0-9a-f]{64}$/.test(f));
    assert.equal(blobs.length, manifest.layers.length + 1);
    for (const d of [manifest.config, ...manifest.layers]) {
      const b = readFileSync(join(out, d.digest.slice(7)));
      assert.equal(sha(b), d.digest, `blob ${d.digest} intact`);
      assert.equal(b.length, d.size);
    }
    // the config is berthd's image: same id, same layers
    assert.equal(manifest.config.digest, await sb().dockerOk(['inspect', '-f', '{{.Id}}', ref]));
    const config = JSON.parse(readFileSync(join(out, manifest.config.digest.slice(7)), 'utf8')) as { rootfs: { diff_ids: string[] } };
    assert.deepEqual(config.rootfs.diff_ids, JSON.parse(await sb().dockerOk(['inspect', '-f', '{{json .RootFS.Layers}}', ref])));
  });
});
