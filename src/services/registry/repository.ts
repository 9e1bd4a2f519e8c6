import { BerthError, InvalidArgumentError } from '../../common/errors.ts';
import { sha256 } from '../../domain/image/config.ts';
import { codeMessage, formatRegistryErrors, parseRegistryErrors, type RegistryErrorEntry } from '../../domain/registry/api-errors.ts';
import { challengesOf } from '../../domain/registry/auth-challenge.ts';
import { bareMediaType, MANIFEST_ACCEPT } from '../../domain/registry/manifest.ts';
import type { HttpResponse } from './http.ts';
import type { RegistrySession } from './session.ts';

/** An error answer of the registry (distribution's errcode.Errors, or an unexpected status). */
export class RegistryApiError extends BerthError {
  override name = 'RegistryApiError';
  readonly status: number;
  readonly entries: RegistryErrorEntry[];
  constructor(status: number, entries: RegistryErrorEntry[], message: string) {
    super(message);
    this.status = status;
    this.entries = entries;
  }
  get code(): string | undefined {
    return this.entries[0]?.code;
  }
}

/** distribution's HandleErrorResponse. */
export async function errorFromResponse(res: HttpResponse): Promise<RegistryApiError> {
  const body = await res.text().catch(() => '');
  if (res.status >= 400 && res.status < 500) {
    const entries = parseRegistryErrors(res.status, body);
    // OAuth errors in the challenge come first (RFC 6750 §3), merged with what the body says
    for (const c of challengesOf(res.headerAll('www-authenticate'))) {
      if (c.scheme !== 'bearer') continue;
      const code = c.params.error === 'invalid_token' ? 'UNAUTHORIZED' : c.params.error === 'insufficient_scope' ? 'DENIED' : undefined;
      if (!code) continue;
      const all = [{ code, message: c.params.error_description || codeMessage(code) }, ...(entries ?? [])];
      return new RegistryApiError(res.status, all, formatRegistryErrors(all));
    }
    if (entries) return new RegistryApiError(res.status, entries, formatRegistryErrors(entries));
    let why = 'no error details found in HTTP response body';
    try {
      JSON.parse(body);
    } catch {
      why = body === '' ? 'unexpected end of JSON input' : `invalid character '${body[0]}' looking for beginning of value`;
    }
    return new RegistryApiError(res.status, [], `error parsing HTTP ${res.status} response body: ${why}: ${JSON.stringify(body)}`);
  }
  return new RegistryApiError(res.status, [], `received unexpected HTTP status: ${res.status} ${res.statusText}`);
}

export interface ManifestDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}

export interface FetchedManifest extends ManifestDescriptor {
  bytes: Buffer;
}

/** The manifest digest a response names, when it does. */
function contentDigest(res: HttpResponse): string | undefined {
  const d = res.headers['docker-content-digest'];
  return typeof d === 'string' && d !== '' ? d : undefined;
}

const MAX_MANIFEST = 4 * 1024 * 1024;

/** A repository on one registry endpoint: manifests, tags, blobs and uploads (distribution's client.NewRepository). */
export class Repository {
  readonly session: RegistrySession;
  /** The repository path on the registry ("library/busybox"). */
  readonly path: string;

  constructor(session: RegistrySession, path: string) {
    this.session = session;
    this.path = path;
  }

  async #ok(res: HttpResponse, ...accepted: number[]): Promise<HttpResponse> {
    const good = accepted.length ? accepted.includes(res.status) : res.status >= 200 && res.status < 300;
    if (good) return res;
    throw await errorFromResponse(res);
  }

  /**
   * tags.Get: HEAD the tag for its digest; when the registry does not say (or fails), GET it, which also brings
   * the error details. A GET answer comes back with its body.
   */
  async resolveTag(tag: string): Promise<ManifestDescriptor | FetchedManifest> {
    const path = `/v2/${this.path}/manifests/${tag}`;
    const head = await this.session.send({ method: 'HEAD', path, headers: { Accept: MANIFEST_ACCEPT } });
    head.drain();
    const d = contentDigest(head);
    if (head.status >= 200 && head.status < 400 && d) {
      return { digest: d, mediaType: bareMediaType(head.headers['content-type']), size: Number(head.headers['content-length'] ?? 0) };
    }
    const res = await this.#ok(await this.session.send({ method: 'GET', path, headers: { Accept: MANIFEST_ACCEPT } }));
    const bytes = await res.buffer(MAX_MANIFEST);
    return { digest: sha256(bytes), mediaType: bareMediaType(res.headers['content-type']), size: bytes.length, bytes };
  }

  /** GETs a manifest by digest and checks the bytes against it. */
  async manifest(digest: string): Promise<FetchedManifest> {
    const res = await this.#ok(await this.session.send({ method: 'GET', path: `/v2/${this.path}/manifests/${digest}`, headers: { Accept: MANIFEST_ACCEPT } }));
    const bytes = await res.buffer(MAX_MANIFEST);
    if (sha256(bytes) !== digest) throw new InvalidArgumentError(`manifest verification failed for digest ${digest}`);
    return { digest, mediaType: bareMediaType(res.headers['content-type']), size: bytes.length, bytes };
  }

  /** Every tag of the repository, following `Link` pagination. */
  async tags(): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = `/v2/${this.path}/tags/list`;
    while (path) {
      const res = await this.#ok(await this.session.send({ method: 'GET', path }));
      const body = JSON.parse((await res.buffer()).toString('utf8')) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      const link = res.headers.link;
      const m = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
      path = m ? new URL(m[1]!, res.url).toString() : undefined;
    }
    return out;
  }

  /** Size of a blob the repository has, undefined when it has not. */
  async blobSize(digest: string): Promise<number | undefined> {
    const res = await this.session.send({ method: 'HEAD', path: `/v2/${this.path}/blobs/${digest}`, followRedirects: true });
    res.drain();
    if (res.status === 404) return undefined;
    if (res.status >= 200 && res.status < 300) return Number(res.headers['content-length'] ?? 0);
    throw await errorFromResponse(res);
  }

  /** Opens a blob for reading from `offset` (206 when the registry honours the range, else 200 from the start). */
  async openBlob(digest: string, offset = 0): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    const res = await this.session.send({ method: 'GET', path: `/v2/${this.path}/blobs/${digest}`, headers, followRedirects: true });
    if (res.status === 200 || res.status === 206) return res;
    throw await errorFromResponse(res);
  }

  /** Reads a small blob (an image config) whole. */
  async blob(digest: string): Promise<Buffer> {
    const res = await this.openBlob(digest);
    return res.buffer();
  }

  /**
   * Starts an upload, or mounts `mount.digest` from repository `mount.from` of the same registry. Returns the
   * upload location, or `mounted` when the registry linked the blob (201).
   */
  async startUpload(mount?: { digest: string; from: string }): Promise<{ mounted: true } | { mounted: false; location: string }> {
    let path = `/v2/${this.path}/blobs/uploads/`;
    const extraScopes: string[] = [];
    if (mount) {
      path += `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}`;
      extraScopes.push(`repository:${mount.from}:pull`);
    }
    const res = await this.session.send({ method: 'POST', path, extraScopes });
    res.drain();
    if (mount && res.status === 201) return { mounted: true };
    if (res.status !== 202) throw await errorFromResponse(res);
    return { mounted: false, location: this.#location(res) };
  }

  #location(res: HttpResponse): string {
    const loc = res.headers.location;
    if (!loc) throw new RegistryApiError(res.status, [], `registry answered ${res.status} without a Location header`);
    return new URL(loc, res.url).toString();
  }

  /** Sends one chunk (PATCH with Content-Range); returns the next location. */
  async patch(location: string, chunk: Buffer | AsyncIterable<Uint8Array>, start: number, length?: number): Promise<string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (length !== undefined) headers['Content-Range'] = `${start}-${start + length - 1}`;
    const r: Parameters<RegistrySession['send']>[0] = { method: 'PATCH', path: location, headers, body: chunk };
    if (length !== undefined) r.contentLength = length;
    const res = await this.#ok(await this.session.send(r), 202, 204);
    res.drain();
    return this.#location(res);
  }

  /** Completes an upload (PUT ?digest=), with the remaining bytes as the body (a monolithic upload sends all here). */
  async complete(location: string, digest: string, body?: Buffer | AsyncIterable<Uint8Array>, length?: number): Promise<void> {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    const r: Parameters<RegistrySession['send']>[0] = { method: 'PUT', path: u.toString(), headers: { 'Content-Type': 'application/octet-stream' } };
    if (body !== undefined) r.body = body;
    if (length !== undefined) r.contentLength = length;
    const res = await this.#ok(await this.session.send(r), 201, 204);
    res.drain();
  }

  /** Abandons an upload (best effort). */
  async cancel(location: string): Promise<void> {
    try {
      (await this.session.send({ method: 'DELETE', path: location })).drain();
    } catch {
      // the registry will expire it
    }
  }

  /** PUTs a manifest under a tag or digest; returns the digest the registry reports (or the bytes' digest). */
  async putManifest(ref: string, mediaType: string, bytes: Buffer): Promise<string> {
    const res = await this.#ok(await this.session.send({ method: 'PUT', path: `/v2/${this.path}/manifests/${ref}`, headers: { 'Content-Type': mediaType }, body: bytes }), 201, 202, 204);
    res.drain();
    return contentDigest(res) ?? sha256(bytes);
  }
}
