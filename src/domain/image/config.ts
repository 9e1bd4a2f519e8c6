import { createHash } from 'node:crypto';
/** The image config as Docker/OCI store it (`config` of the image config blob), Docker's field names. */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number; StartInterval?: number };
  OnBuild?: string[] | null;
  Shell?: string[];
  ArgsEscaped?: boolean;
}

/** One entry of the image config's `history`. */
export interface HistoryEntry {
  created?: string;
  author?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * The image config blob (Docker's image JSON, a superset of the OCI image config). Its sha256 is the image id.
 * Field names are the on-disk ones.
 */
export interface ImageConfigBlob {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  container?: string;
  container_config?: Record<string, unknown>;
  config?: ImageConfig;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** One entry of a docker-archive manifest.json. */
export interface DockerArchiveManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  Parent?: string;
  LayerSources?: Record<string, Descriptor>;
}

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';

/** The diff id of an empty layer (a tar of 1024 zero bytes), as Docker's layer.EmptyLayer. */
export const EMPTY_LAYER_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export function sha256(data: string | Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** Chain ids of a layer stack: chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  }
  return out;
}

export function hexOf(digest: string): string {
  const i = digest.indexOf(':');
  return i === -1 ? digest : digest.slice(i + 1);
}

/** Docker's GOARCH names for Node's process.arch. */
export function hostPlatform(): { os: string; architecture: string; variant?: string } {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const architecture = map[process.arch] ?? process.arch;
  if (architecture === 'arm') return { os: 'linux', architecture, variant: 'v7' };
  return { os: 'linux', architecture };
}

/** Go's time.Time zero value as Docker prints it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC3339 with nanoseconds from a JS Date (milliseconds padded), as Docker writes `created`. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, (_m, ms: string) => (ms === '000' ? 'Z' : `.${ms.replace(/0+$/, '')}Z`));
}
