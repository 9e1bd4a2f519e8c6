import { InvalidArgumentError } from '../../common/errors.ts';
import { type Descriptor, MEDIA } from '../image/config.ts';
import { parseDigest } from '../image/reference.ts';
import type { Platform } from './platform.ts';

/**
 * Manifests on the wire: Docker manifest v2 schema 2, OCI image manifest, Docker manifest list and OCI index —
 * telling them apart (Content-Type first, then the body's mediaType, as distribution's UnmarshalManifest),
 * validating them, and writing the manifests berth pushes (dockerd's 3-space indented JSON).
 */

export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DOCKER_FOREIGN_LAYER = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
export const OCI_NONDISTRIBUTABLE_PREFIX = 'application/vnd.oci.image.layer.nondistributable.';
export const DOCKER_PLUGIN_CONFIG = 'application/vnd.docker.plugin.v1+json';

/** What a client accepts when it fetches a manifest. */
export const MANIFEST_ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerManifestList, MEDIA.ociManifest, MEDIA.ociIndex, DOCKER_SCHEMA1_SIGNED, DOCKER_SCHEMA1].join(', ');

export interface WireDescriptor extends Descriptor {
  urls?: string[];
}

export type ParsedManifest =
  | { kind: 'image'; mediaType: string; config: WireDescriptor; layers: WireDescriptor[] }
  | { kind: 'index'; mediaType: string; manifests: (WireDescriptor & { platform?: Platform & { 'os.version'?: string } })[] };

function invalid(msg: string): InvalidArgumentError {
  return new InvalidArgumentError(msg);
}

/** "application/json; charset=utf-8" → "application/json". */
export function bareMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** dockerd's error for schema 1 images. */
export function deprecatedSchema1Error(ref?: string): InvalidArgumentError {
  let msg = 'Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed.';
  if (ref) msg += ` Suggest the author of ${ref} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2.`;
  return invalid(msg + ' More information at https://docs.docker.com/go/deprecated-image-specs/');
}

function descriptor(v: unknown, what: string): WireDescriptor {
  if (v === null || typeof v !== 'object') throw invalid(`invalid manifest: ${what} is not an object`);
  const d = v as Record<string, unknown>;
  if (typeof d.digest !== 'string') throw invalid(`invalid manifest: ${what} has no digest`);
  try {
    parseDigest(d.digest);
  } catch (err) {
    throw invalid(`invalid manifest: ${what}: ${(err as Error).message}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`invalid manifest: ${what} has no valid size`);
  const out: WireDescriptor = { mediaType: typeof d.mediaType === 'string' ? d.mediaType : '', digest: d.digest, size: d.size };
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  if (d.annotations && typeof d.annotations === 'object') out.annotations = d.annotations as Record<string, string>;
  if (d.platform && typeof d.platform === 'object') out.platform = d.platform as Descriptor['platform'];
  return out;
}

/**
 * Parses a manifest body. The media type comes from the Content-Type header unless that is empty or generic
 * ("application/json", "text/plain"), then from the body. Throws InvalidArgumentError for schema 1 (dockerd's
 * deprecation message), unknown media types and malformed bodies.
 */
export function parseManifest(body: Uint8Array, contentType: string | undefined, ref?: string): ParsedManifest {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw invalid(`invalid manifest: ${(err as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw invalid('invalid manifest: not a JSON object');
  let mt = bareMediaType(contentType);
  const bodyType = typeof obj.mediaType === 'string' ? obj.mediaType : '';
  if (mt === '' || mt === 'application/json' || mt === 'text/plain' || mt === 'application/octet-stream') {
    if (bodyType !== '') mt = bodyType;
    else if (obj.schemaVersion === 1) mt = DOCKER_SCHEMA1_SIGNED;
    else if (Array.isArray(obj.manifests)) mt = MEDIA.ociIndex;
    else if (obj.config !== undefined) mt = MEDIA.ociManifest;
  }
  if (mt === DOCKER_SCHEMA1 || mt === DOCKER_SCHEMA1_SIGNED) throw deprecatedSchema1Error(ref);
  const known = [MEDIA.dockerManifest, MEDIA.ociManifest, MEDIA.dockerManifestList, MEDIA.ociIndex] as string[];
  if (!known.includes(mt)) throw invalid(`unsupported manifest media type and no default available: ${mt}`);
  if (bodyType !== '' && bodyType !== mt) throw invalid(`invalid manifest: mediaType in manifest should be '${mt}' not '${bodyType}'`);
  if (mt === MEDIA.dockerManifest || mt === MEDIA.ociManifest) {
    if (obj.schemaVersion !== 2) throw invalid(`invalid manifest: unsupported schemaVersion ${String(obj.schemaVersion)}`);
    if (!Array.isArray(obj.layers)) throw invalid('invalid manifest: no layers');
    return {
      kind: 'image',
      mediaType: mt,
      config: descriptor(obj.config, 'config'),
      layers: obj.layers.map((l, i) => descriptor(l, `layer ${i}`)),
    };
  }
  if (mt === MEDIA.dockerManifestList || mt === MEDIA.ociIndex) {
    if (obj.schemaVersion !== 2) throw invalid(`invalid manifest: unsupported schemaVersion ${String(obj.schemaVersion)}`);
    if (!Array.isArray(obj.manifests)) throw invalid('invalid manifest: no manifests');
    return { kind: 'index', mediaType: mt, manifests: obj.manifests.map((m, i) => descriptor(m, `manifest ${i}`)) };
  }
  throw invalid(`unsupported manifest media type and no default available: ${mt}`);
}

/** dockerd's checkSupportedMediaType for configs and layers: Docker and OCI types, and a few legacy ones. */
export function checkSupportedMediaType(mediaType: string): void {
  const m = mediaType.toLowerCase();
  if (m.startsWith('application/vnd.docker.ai.')) throw invalid('AI models are not yet supported by the Engine, please use "docker model pull/run" instead');
  for (const t of ['application/vnd.oci.image', 'application/vnd.docker']) if (m === t || m.startsWith(`${t}.`)) return;
  if (['application/octet-stream', 'application/json', 'text/html', ''].includes(m)) return;
  throw invalid(`unsupported media type ${mediaType}`);
}

const IMAGE_CONFIG_TYPES = [MEDIA.dockerConfig, MEDIA.ociConfig, 'application/octet-stream', 'application/json', 'text/html', ''];

/** validateMediaType of the config: an image config, or the "Encountered remote …" error dockerd gives. */
export function checkConfigMediaType(mediaType: string): void {
  if ((IMAGE_CONFIG_TYPES as string[]).includes(mediaType)) return;
  const cls = mediaType === DOCKER_PLUGIN_CONFIG ? 'plugin' : 'unknown';
  throw invalid(`Encountered remote "${mediaType}"(${cls}) when fetching`);
}

/** True for layers that registries need not hold (Windows base layers and other foreign or nondistributable ones). */
export function isForeignLayer(mediaType: string): boolean {
  return mediaType === DOCKER_FOREIGN_LAYER || mediaType.startsWith(OCI_NONDISTRIBUTABLE_PREFIX);
}

/** Compression of a layer blob told by its media type. */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' | 'unknown' {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  if (mediaType.endsWith('.tar') || mediaType === MEDIA.dockerLayer) return 'none';
  return 'unknown';
}

export interface PushLayer {
  digest: string;
  size: number;
  compression: 'gzip' | 'zstd' | 'none';
  /** Kept for foreign layers that were not uploaded. */
  urls?: string[];
  foreign?: boolean;
}

/** Media types of a pushed layer in each manifest flavour. */
function layerMediaType(l: PushLayer, oci: boolean): string {
  if (l.foreign) {
    if (!oci) return DOCKER_FOREIGN_LAYER;
    return `${OCI_NONDISTRIBUTABLE_PREFIX}v1.tar${l.compression === 'none' ? '' : `+${l.compression}`}`;
  }
  if (!oci) return l.compression === 'none' ? MEDIA.dockerLayer : MEDIA.dockerLayerGzip;
  return l.compression === 'gzip' ? MEDIA.ociLayerGzip : l.compression === 'zstd' ? MEDIA.ociLayerZstd : MEDIA.ociLayer;
}

/**
 * The manifest of a pushed image: Docker schema 2 (as dockerd pushes) unless a layer is zstd-compressed, which
 * only OCI can express. Serialised like Go's json.MarshalIndent(m, "", "   ").
 */
export function buildImageManifest(config: { digest: string; size: number }, layers: readonly PushLayer[]): { mediaType: string; bytes: Buffer } {
  const oci = layers.some((l) => l.compression === 'zstd');
  const mediaType = oci ? MEDIA.ociManifest : MEDIA.dockerManifest;
  const m = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: oci ? MEDIA.ociConfig : MEDIA.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: layerMediaType(l, oci), size: l.size, digest: l.digest, ...(l.foreign && l.urls?.length ? { urls: l.urls } : {}) })),
  };
  return { mediaType, bytes: Buffer.from(JSON.stringify(m, null, 3)) };
}
