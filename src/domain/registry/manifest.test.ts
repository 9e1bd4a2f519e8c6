import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MEDIA } from '../image/config.ts';
import { formatRegistryError, formatRegistryErrors, goNetError, parseRegistryErrors, urlError } from './api-errors.ts';
import { buildImageManifest, checkConfigMediaType, checkSupportedMediaType, isForeignLayer, layerCompression, parseManifest } from './manifest.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const enc = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('parseManifest', () => {
  const image = { schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { mediaType: MEDIA.dockerConfig, size: 10, digest: d('a') }, layers: [{ mediaType: MEDIA.dockerLayerGzip, size: 5, digest: d('b') }] };
  it('reads Docker schema 2 and OCI manifests, by header or body', () => {
    const m = parseManifest(enc(image), `${MEDIA.dockerManifest}; charset=utf-8`);
    assert.equal(m.kind, 'image');
    assert.equal(m.kind === 'image' && m.layers[0]!.digest, d('b'));
    const oci = { schemaVersion: 2, config: { mediaType: MEDIA.ociConfig, size: 1, digest: d('c') }, layers: [] };
    assert.equal(parseManifest(enc(oci), MEDIA.ociManifest).mediaType, MEDIA.ociManifest);
    assert.equal(parseManifest(enc(oci), 'application/json').mediaType, MEDIA.ociManifest, 'OCI manifests may omit mediaType');
  });
  it('reads lists and indexes with platforms', () => {
    const idx = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.ociManifest, size: 3, digest: d('d'), platform: { os: 'linux', architecture: 'arm64' } }] };
    const m = parseManifest(enc(idx), '');
    assert.equal(m.kind, 'index');
    assert.deepEqual(m.kind === 'index' && m.manifests[0]!.platform, { os: 'linux', architecture: 'arm64' });
  });
  it('refuses schema 1, unknown types and malformed bodies with clear messages', () => {
    assert.throws(() => parseManifest(enc({ schemaVersion: 1, name: 'x' }), ''), /schema 1 support has been removed/);
    assert.throws(() => parseManifest(enc(image), 'application/vnd.example+json'), /unsupported manifest media type and no default available: application\/vnd.example\+json/);
    assert.throws(() => parseManifest(Buffer.from('{nope'), MEDIA.dockerManifest), /^InvalidArgumentError: invalid manifest: /);
    assert.throws(() => parseManifest(enc({ ...image, config: { size: 1, digest: 'sha256:zz' } }), MEDIA.dockerManifest), /invalid manifest: config: invalid checksum digest/);
    assert.throws(() => parseManifest(enc({ ...image, layers: undefined }), MEDIA.dockerManifest), /invalid manifest: no layers/);
    assert.throws(() => parseManifest(enc(image), MEDIA.ociManifest), /mediaType in manifest should be/);
  });
  it('checks media types as dockerd does', () => {
    checkSupportedMediaType(MEDIA.ociLayerZstd);
    checkSupportedMediaType('');
    assert.throws(() => checkSupportedMediaType('application/vnd.oci.imagefoo'), /unsupported media type application\/vnd.oci.imagefoo/);
    assert.throws(() => checkSupportedMediaType('application/vnd.docker.ai.model.config.v0.1+json'), /AI models are not yet supported/);
    checkConfigMediaType(MEDIA.dockerConfig);
    assert.throws(() => checkConfigMediaType('application/vnd.docker.plugin.v1+json'), /Encountered remote "application\/vnd.docker.plugin.v1\+json"\(plugin\) when fetching/);
    assert.equal(isForeignLayer('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'), true);
    assert.equal(layerCompression(MEDIA.ociLayer), 'none');
    assert.equal(layerCompression(MEDIA.dockerLayerGzip), 'gzip');
  });
});

describe('buildImageManifest', () => {
  it('writes Docker schema 2 as dockerd does (3-space indent, field order)', () => {
    const m = buildImageManifest({ digest: d('a'), size: 469 }, [{ digest: d('b'), size: 2211094, compression: 'gzip' }]);
    assert.equal(m.mediaType, MEDIA.dockerManifest);
    const text = m.bytes.toString();
    assert.ok(text.startsWith('{\n   "schemaVersion": 2,\n   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",\n   "config": {\n      "mediaType": "application/vnd.docker.container.image.v1+json",\n      "size": 469,'));
    assert.equal(m.bytes.length, 527, 'the size dockerd reports for a one-layer image');
  });
  it('switches to OCI for zstd layers and keeps foreign layer URLs', () => {
    const m = buildImageManifest({ digest: d('a'), size: 1 }, [
      { digest: d('b'), size: 2, compression: 'zstd' },
      { digest: d('c'), size: 3, compression: 'gzip', foreign: true, urls: ['https://x/y'] },
    ]);
    const o = JSON.parse(m.bytes.toString());
    assert.equal(o.mediaType, MEDIA.ociManifest);
    assert.equal(o.config.mediaType, MEDIA.ociConfig);
    assert.deepEqual(
      o.layers.map((l: { mediaType: string }) => l.mediaType),
      [MEDIA.ociLayerZstd, 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'],
    );
    assert.deepEqual(o.layers[1].urls, ['https://x/y']);
  });
});

describe('registry errors, worded like the Go client', () => {
  it('formats errcode bodies', () => {
    const e = parseRegistryErrors(404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v1"}}]}')!;
    assert.equal(formatRegistryError(e[0]!), 'manifest unknown: manifest unknown');
    assert.equal(formatRegistryError(parseRegistryErrors(401, '{"details":"incorrect username or password"}')![0]!), 'unauthorized: incorrect username or password');
    assert.equal(formatRegistryError(parseRegistryErrors(401, 'nope')![0]!), 'unauthorized: authentication required');
    const bare = parseRegistryErrors(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}')!;
    assert.equal(formatRegistryError(bare[0]!), 'unauthorized', 'Go decodes it to a bare code');
    const denied = parseRegistryErrors(403, '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":[{"Type":"repository"}]}]}')!;
    assert.equal(formatRegistryError(denied[0]!), 'denied: requested access to the resource is denied');
    assert.equal(formatRegistryError(parseRegistryErrors(400, '{"errors":[{"code":"WEIRD","message":"x"}]}')![0]!), 'unknown: x');
    assert.equal(formatRegistryErrors([{ code: 'NAME_INVALID', message: 'a', detail: 1 }, { code: 'BLOB_UNKNOWN', message: '', bare: true }]), 'errors:\nname invalid: a\nblob unknown\n');
    assert.equal(parseRegistryErrors(500, '<html>'), undefined);
  });
  it('words network failures like Go', () => {
    assert.equal(urlError('GET', 'http://127.0.0.1:5999/v2/', goNetError('ECONNREFUSED', '127.0.0.1:5999', '127.0.0.1:5999', 'x')), 'Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused');
    assert.equal(goNetError('ENOTFOUND', 'registry-1.docker.io', undefined, 'x'), 'dial tcp: lookup registry-1.docker.io: no such host');
    assert.equal(goNetError('EWHATEVER', 'h', undefined, 'fallback'), 'fallback');
  });
});
