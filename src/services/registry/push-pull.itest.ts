import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { MEDIA, sha256 } from '../../domain/image/config.ts';
import { parseNormalizedNamed } from '../../domain/image/reference.ts';
import { run } from '../../system/exec/exec.ts';
import { importBusyboxImage } from '../images/testing/busybox-image.ts';
import { multiLayerArchive, startFaultyProxy } from './testing/fixtures.ts';
import { ctx, layerStatuses, makeNode, type Node, plainStatuses, skipReason } from './testing/harness.ts';
import { type RegistryServer, registryBlobPath, startRegistry } from './testing/registry-server.ts';

/**
 * Push and pull against Debian's docker-registry on 127.0.0.1 (plain HTTP: loopback is insecure by default),
 * driving RegistryService over real image stores, checked with skopeo. Needs root, docker-registry, skopeo.
 */
const skip = await skipReason();

describe('registry push and pull', { skip }, () => {
  let dir: string;
  let reg: RegistryServer;
  let a: Node;
  let bbId: string;

  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-registry-itest-`);
    reg = await startRegistry({ dir: `${dir}/reg` });
    a = await makeNode(`${dir}/a`, { maxConcurrentDownloads: 3 });
    bbId = (await importBusyboxImage(a.images, 'bb:latest')).id;
    await a.images.tag('bb:latest', parseNormalizedNamed(`${reg.host}/bb:v1`));
  });
  after(async () => {
    a?.registry.close();
    await reg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('pushes busybox with dockerd messages; skopeo sees the same digest', async () => {
    const msgs = await a.push(`${reg.host}/bb:v1`);
    const diffId = a.images.inspect('bb:latest').diffIds[0]!;
    const id = diffId.slice(7, 19);
    assert.deepEqual(msgs[0], { status: `The push refers to repository [${reg.host}/bb]` });
    assert.deepEqual(layerStatuses(msgs, id), ['Preparing', 'Pushing', 'Pushed']);
    const pushing = msgs.find((m) => m.status === 'Pushing')!;
    assert.match(pushing.progress!, /^\[=*>\s*\]\s+\S+B\/\S+B$/);
    const line = plainStatuses(msgs).at(-1)!;
    const m = /^v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(line);
    assert.ok(m, line);
    assert.deepEqual(msgs.at(-1), { progressDetail: {}, aux: { Tag: 'v1', Digest: m[1], Size: Number(m[2]) } });
    const inspect = JSON.parse((await run(ctx, 'skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/bb:v1`])).stdout) as { Digest: string; Layers: string[] };
    assert.equal(inspect.Digest, m[1]);
    const raw = JSON.parse((await run(ctx, 'skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/bb:v1`])).stdout) as { mediaType: string; layers: { mediaType: string }[] };
    assert.equal(raw.mediaType, MEDIA.dockerManifest);
    assert.equal(raw.layers[0]!.mediaType, MEDIA.dockerLayerGzip, 'plain tar layers are pushed gzip-compressed');
    assert.ok(a.images.inspect('bb:latest').repoDigests.includes(`${reg.host}/bb@${m[1]}`), 'the pushed digest is a RepoDigest');
    assert.ok(a.events.history(0n).some((e) => e.Action === 'push' && e.Actor.ID === `${reg.host}/bb:v1`));

    const again = await a.push(`${reg.host}/bb:v1`);
    assert.deepEqual(layerStatuses(again, id), ['Preparing', 'Layer already exists']);
    assert.equal(plainStatuses(again).at(-1), line, 'same manifest, same digest');
  });

  it('pulls it back into an empty store with progress, RepoTags and RepoDigests', async () => {
    const b = await makeNode(`${dir}/b`);
    try {
      const msgs = await b.pull(`${reg.host}/bb:v1`);
      assert.deepEqual(msgs[0], { status: 'Pulling from bb', id: 'v1' });
      const layerId = msgs[1]!.id!;
      assert.match(layerId, /^[0-9a-f]{12}$/);
      const st = layerStatuses(msgs, layerId);
      assert.deepEqual(st, ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);
      const dl = msgs.find((m) => m.status === 'Downloading')!;
      assert.ok(dl.progressDetail!.total! > 500_000 && dl.progress!.includes('/'), JSON.stringify(dl));
      const digest = (JSON.parse((await run(ctx, 'skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/bb:v1`])).stdout) as { Digest: string }).Digest;
      assert.deepEqual(plainStatuses(msgs), [`Digest: ${digest}`, `Status: Downloaded newer image for ${reg.host}/bb:v1`]);
      const img = b.images.inspect(`${reg.host}/bb:v1`);
      assert.equal(img.record.id, bbId, 'the same image id on both sides');
      assert.deepEqual(img.repoTags, [`${reg.host}/bb:v1`]);
      assert.deepEqual(img.repoDigests, [`${reg.host}/bb@${digest}`]);
      assert.deepEqual(img.diffIds, a.images.inspect('bb:latest').diffIds);
      assert.ok(b.events.history(0n).some((e) => e.Action === 'pull' && e.Actor.ID === `${reg.host}/bb:v1` && e.Actor.Attributes.name === `${reg.host}/bb`));

      const again = await b.pull(`${reg.host}/bb:v1`);
      assert.deepEqual(plainStatuses(again), [`Digest: ${digest}`, `Status: Image is up to date for ${reg.host}/bb:v1`]);
      assert.equal(again.length, 3, 'no layer lines when the image is there');

      // by digest, and the same image under another tag name: layers exist, only the reference changes
      const byDigest = await b.pull(`${reg.host}/bb@${digest}`);
      assert.deepEqual(byDigest[0], { status: 'Pulling from bb', id: digest });
      assert.equal(plainStatuses(byDigest).at(-1), `Status: Image is up to date for ${reg.host}/bb@${digest}`);

      // a compressed blob goes back byte-exact, and to another repository of the same registry by a mount
      await b.images.tag(`${reg.host}/bb:v1`, parseNormalizedNamed(`${reg.host}/copy:v1`));
      const pushed = await b.push(`${reg.host}/copy:v1`);
      const diffId = img.diffIds[0]!.slice(7, 19);
      assert.deepEqual(layerStatuses(pushed, diffId), ['Preparing', 'Mounted from bb']);
      assert.equal(plainStatuses(pushed).at(-1)!.split(' ')[2], digest, 'identical manifest, identical digest');
    } finally {
      b.registry.close();
    }
  });

  it('uploads in chunks, downloads concurrently with Waiting, and pulls every tag (-a)', async () => {
    const c = await makeNode(`${dir}/c`, { uploadChunkSize: 64 * 1024 });
    const d = await makeNode(`${dir}/d`, { maxConcurrentDownloads: 1 });
    try {
      await c.load(await multiLayerArchive(`${reg.host}/multi:one`, [300_000, 200_000, 100_000], 'chunks'));
      const up = await c.push(`${reg.host}/multi:one`);
      assert.equal(up.filter((m) => m.status === 'Pushed').length, 3);
      await c.images.tag(`${reg.host}/multi:one`, parseNormalizedNamed(`${reg.host}/multi:two`));
      const all = await c.push(`${reg.host}/multi`);
      assert.equal(plainStatuses(all).filter((s) => / digest: sha256:/.test(s)).length, 2, 'push -a pushes both tags');
      assert.equal(all.filter((m) => m.status === 'Layer already exists').length, 6);

      const msgs = await d.pull(`${reg.host}/multi`);
      assert.deepEqual(
        msgs.filter((m) => m.status?.startsWith('Pulling from')),
        [
          { status: 'Pulling from multi', id: 'one' },
          { status: 'Pulling from multi', id: 'two' },
        ],
      );
      assert.ok(msgs.some((m) => m.status === 'Waiting'), 'max-concurrent-downloads 1 makes layers wait');
      assert.equal(plainStatuses(msgs).at(-1), `Status: Downloaded newer image for ${reg.host}/multi`);
      assert.deepEqual(d.images.inspect(`${reg.host}/multi:two`).repoTags, [`${reg.host}/multi:one`, `${reg.host}/multi:two`]);
      assert.equal(d.images.get(`${reg.host}/multi:one`).id, c.images.get(`${reg.host}/multi:one`).id);
    } finally {
      c.registry.close();
      d.registry.close();
    }
  });

  it('pulls what skopeo copied from an OCI layout; skopeo copies out what berth pushed, intact', async () => {
    const e = await makeNode(`${dir}/e`);
    try {
      const saved = `${dir}/bb.tar`;
      const chunks: Buffer[] = [];
      for await (const ch of a.images.save(['bb:latest'])) chunks.push(ch as Buffer);
      await writeFile(saved, Buffer.concat(chunks));
      await run(ctx, 'skopeo', ['copy', `docker-archive:${saved}`, `oci:${dir}/oci:bb`]);
      await run(ctx, 'skopeo', ['copy', '--dest-tls-verify=false', `oci:${dir}/oci:bb`, `docker://${reg.host}/fromoci:1`]);
      const raw = JSON.parse((await run(ctx, 'skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/fromoci:1`])).stdout) as { mediaType?: string; config: { digest: string } };
      assert.equal(raw.mediaType ?? MEDIA.ociManifest, MEDIA.ociManifest);
      const msgs = await e.pull(`${reg.host}/fromoci:1`);
      assert.equal(plainStatuses(msgs).at(-1), `Status: Downloaded newer image for ${reg.host}/fromoci:1`);
      assert.equal(e.images.get(`${reg.host}/fromoci:1`).id, raw.config.digest);
      assert.deepEqual(e.images.inspect(`${reg.host}/fromoci:1`).diffIds, a.images.inspect('bb:latest').diffIds);

      await run(ctx, 'skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/bb:v1`, `oci:${dir}/out:bb`]);
      const index = JSON.parse(await readFile(`${dir}/out/index.json`, 'utf8')) as { manifests: { digest: string }[] };
      const manifest = JSON.parse(await readFile(`${dir}/out/blobs/sha256/${index.manifests[0]!.digest.slice(7)}`, 'utf8')) as { config: { digest: string } };
      const config = JSON.parse(await readFile(`${dir}/out/blobs/sha256/${manifest.config.digest.slice(7)}`, 'utf8')) as { rootfs: { diff_ids: string[] } };
      assert.deepEqual(config.rootfs.diff_ids, a.images.inspect('bb:latest').diffIds, 'skopeo got the layers berth pushed');
      await run(ctx, 'umoci', ['unpack', '--image', `${dir}/out:bb`, `${dir}/bundle`]);
      assert.ok((await readFile(`${dir}/bundle/rootfs/etc/passwd`, 'utf8')).startsWith('root:x:0:0:'));
    } finally {
      e.registry.close();
    }
  });

  it('selects the platform from a manifest list', async () => {
    const f = await makeNode(`${dir}/f`);
    try {
      const armTar = await multiLayerArchive('unused:1', [1000], 'arm');
      const armImg = await a.images.import(ctx, [(await (async () => armTar)())], { ref: parseNormalizedNamed(`${reg.host}/multiarch:arm64`), platform: { os: 'linux', architecture: 'arm64' } });
      await a.images.tag('bb:latest', parseNormalizedNamed(`${reg.host}/multiarch:amd64`));
      const dAmd = plainStatuses(await a.push(`${reg.host}/multiarch:amd64`)).at(-1)!.split(' ');
      const dArm = plainStatuses(await a.push(`${reg.host}/multiarch:arm64`)).at(-1)!.split(' ');
      const list = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.dockerManifestList,
          manifests: [
            { mediaType: MEDIA.dockerManifest, digest: dArm[2], size: Number(dArm[4]), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
            { mediaType: MEDIA.dockerManifest, digest: dAmd[2], size: Number(dAmd[4]), platform: { architecture: 'amd64', os: 'linux' } },
          ],
        }),
      );
      const put = await fetch(`http://${reg.host}/v2/multiarch/manifests/latest`, { method: 'PUT', headers: { 'Content-Type': MEDIA.dockerManifestList }, body: list });
      assert.equal(put.status, 201, await put.text());

      await f.pull(`${reg.host}/multiarch:latest`);
      const img = f.images.inspect(`${reg.host}/multiarch:latest`);
      assert.equal(img.record.id, bbId, 'the host platform (amd64) by default');
      assert.deepEqual(img.repoDigests, [`${reg.host}/multiarch@${sha256(list)}`], 'the list digest is the RepoDigest');
      const msgs = await f.pull(`${reg.host}/multiarch:latest`, { platform: 'linux/arm64' });
      assert.equal(plainStatuses(msgs).at(-1), `Status: Downloaded newer image for ${reg.host}/multiarch:latest`);
      assert.equal(f.images.get(`${reg.host}/multiarch:latest`).id, armImg.id);
      assert.equal(f.images.inspect(`${reg.host}/multiarch:latest`).record.config.architecture, 'arm64');
      await assert.rejects(f.pull(`${reg.host}/multiarch:latest`, { platform: 'linux/s390x' }), /^NotFoundError: no matching manifest for linux\/s390x in the manifest list entries$/);
      const info = await f.registry.inspect(ctx, `${reg.host}/multiarch`);
      assert.deepEqual(info, {
        Descriptor: { mediaType: MEDIA.dockerManifestList, digest: sha256(list), size: list.length },
        Platforms: [
          { architecture: 'arm64', os: 'linux', variant: 'v8' },
          { architecture: 'amd64', os: 'linux' },
        ],
      });
      const single = await f.registry.inspect(ctx, `${reg.host}/bb:v1`);
      assert.deepEqual(single.Platforms, [{ architecture: 'amd64', os: 'linux' }]);
    } finally {
      f.registry.close();
    }
  });

  it('fails a corrupted blob and keeps nothing; errors read as dockerd', async () => {
    const g = await makeNode(`${dir}/g`);
    try {
      await a.load(await multiLayerArchive(`${reg.host}/corrupt:1`, [50_000], 'corrupt'));
      await a.push(`${reg.host}/corrupt:1`);
      const raw = JSON.parse((await run(ctx, 'skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/corrupt:1`])).stdout) as { layers: { digest: string }[] };
      const blob = registryBlobPath(reg.storage, raw.layers[0]!.digest);
      const bytes = await readFile(blob);
      bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff;
      await writeFile(blob, bytes);
      await assert.rejects(g.pull(`${reg.host}/corrupt:1`), { message: `filesystem layer verification failed for digest ${raw.layers[0]!.digest}` });
      assert.deepEqual(g.images.list(true, new Map()), [], 'no image');
      assert.deepEqual(await readdir(`${dir}/g/image/blobs/sha256`), [], 'no blob left behind');
      assert.deepEqual(await readdir(`${dir}/g/image/layerdb`), [], 'no layer left behind');

      await assert.rejects(g.pull(`${reg.host}/nope:v1`), { name: 'NotFoundError', message: `manifest for ${reg.host}/nope:v1 not found: manifest unknown: manifest unknown` });
      await assert.rejects(g.pull('127.0.0.1:9/x:latest'), { message: 'Get "http://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: connection refused' });
      const out: string[] = [];
      await assert.rejects(
        g.registry.push(ctx, { ref: parseNormalizedNamed('127.0.0.1:9/bb:latest') }, (m) => out.push(JSON.stringify(m))),
        /An image does not exist locally with the tag: 127.0.0.1:9\/bb/,
      );
      assert.deepEqual(out, ['{"status":"The push refers to repository [127.0.0.1:9/bb]"}']);
      await assert.rejects(a.push(`${reg.host}/bb:nosuchtag`), { message: `tag does not exist: ${reg.host}/bb:nosuchtag` });
      await assert.rejects(g.pull('scratch:latest'), { name: 'ForbiddenError', message: "'scratch' is a reserved name" });
    } finally {
      g.registry.close();
    }
  });

  it('resumes a broken download with a Range request, and a re-pull reuses complete layers', async () => {
    const proxy = await startFaultyProxy(reg.host);
    const h = await makeNode(`${dir}/h`, { maxDownloadAttempts: 2, retryDelaySeconds: 1 });
    try {
      await a.load(await multiLayerArchive(`${proxy.host}/flaky:1`, [400_000, 300_000], 'flaky'));
      await a.push(`${proxy.host}/flaky:1`);
      const raw = JSON.parse((await run(ctx, 'skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/flaky:1`])).stdout) as { layers: { digest: string }[] };
      const [bottom, top] = raw.layers.map((l) => l.digest) as [string, string];
      proxy.cut(top, 100_000, 1);
      const msgs = await h.pull(`${proxy.host}/flaky:1`);
      assert.ok(msgs.some((m) => m.status === 'Retrying in 1 second' && m.id === top.slice(7, 19)), 'dockerd-style retry message');
      assert.ok(proxy.ranges.some((r) => /^bytes=\d+-$/.test(r) && r !== 'bytes=0-'), `resumed with a range: ${proxy.ranges.join(',')}`);
      assert.equal(plainStatuses(msgs).at(-1), `Status: Downloaded newer image for ${proxy.host}/flaky:1`);

      // the registry dies for good on the top layer: a clear error, the bottom layer stays for the next try
      const i = await makeNode(`${dir}/i`, { maxDownloadAttempts: 1 });
      try {
        proxy.cut(top, 10_000, 1);
        await assert.rejects(i.pull(`${proxy.host}/flaky:1`), { message: `Get "http://${proxy.host}/v2/flaky/blobs/${top}": unexpected EOF` });
        assert.deepEqual(i.images.list(true, new Map()), []);
        const retry = await i.pull(`${proxy.host}/flaky:1`);
        assert.deepEqual(layerStatuses(retry, bottom.slice(7, 19)), ['Already exists']);
        assert.deepEqual(layerStatuses(retry, top.slice(7, 19)).at(-1), 'Pull complete');
      } finally {
        i.registry.close();
      }
    } finally {
      h.registry.close();
      await proxy.close();
    }
  });
});
