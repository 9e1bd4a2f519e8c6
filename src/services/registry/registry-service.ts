import type { LookupFunction } from 'node:net';
import os from 'node:os';
import type { Ctx } from '../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, SystemError, UnauthorizedError } from '../../common/errors.ts';
import { type Logger, nullLogger } from '../../common/log.ts';
import { hostPlatform } from '../../domain/image/config.ts';
import { familiarName, familiarString, isNameOnly, parseAnyReference, type Reference, refName, tagNameOnly, trimNamed, withDigest } from '../../domain/image/reference.ts';
import { type AuthConfig, loginHost } from '../../domain/registry/auth-config.ts';
import { parseManifest } from '../../domain/registry/manifest.ts';
import { formatPlatform, type Platform, parsePlatform } from '../../domain/registry/platform.ts';
import { type ProgressSink, statusLine } from '../../domain/registry/progress.ts';
import { parseRegistrySettings, type RegistryOptions, type RegistrySettings } from '../../domain/registry/registry-config.ts';
import { BlobSources } from './blob-sources.ts';
import type { ImagesForRegistry } from './contract.ts';
import { type Endpoint, EndpointResolver } from './endpoints.ts';
import { continueOnError, translatePullError, translatePushError } from './errors.ts';
import { RegistryTransport } from './http.ts';
import { Limiter } from './limiter.ts';
import { Puller, platformMismatchWarning } from './pull.ts';
import { Pusher } from './push.ts';
import { Repository } from './repository.ts';
import { RegistryAuthError, RegistrySession, TokenCache } from './session.ts';

export interface RegistryServiceOptions extends RegistryOptions {
  images: ImagesForRegistry;
  /** `max-concurrent-downloads` (default 3) and `max-concurrent-uploads` (default 5), daemon-wide. */
  maxConcurrentDownloads?: number;
  maxConcurrentUploads?: number;
  /** Layers unpacked at once, daemon-wide (default: the number of cores, 2 to 4). */
  maxConcurrentUnpacks?: number;
  /** `max-download-attempts` (default 5); uploads use the same count. */
  maxDownloadAttempts?: number;
  /** Seconds added to the pause before each retry (dockerd: 5). */
  retryDelaySeconds?: number;
  /** Per-registry certificates: `<certsDir>/<host:port>/{*.crt,*.cert,*.key}` (default /etc/berth/certs.d). */
  certsDir?: string;
  /** Where berth remembers which repositories hold which layer blobs (a JSON file); none when unset. */
  stateDir?: string;
  /** Upload blobs in PATCH chunks of this size instead of one request. */
  uploadChunkSize?: number;
  /** DNS lookup for registry hosts (tests point names at loopback). */
  lookup?: LookupFunction;
  log?: Logger;
  /** The host platform (default from the running process). */
  platform?: Platform;
  /** User-Agent product sent to registries. */
  userAgent?: string;
  /** Prefixes always insecure besides `insecureRegistries` (default loopback: 127.0.0.0/8, ::1/128, as dockerd). */
  defaultInsecureCidrs?: readonly string[];
}

export interface PullRequest {
  /** A tagged or digested reference, or a bare name to pull every tag (`pull -a`). */
  ref: Reference;
  /** `--platform` as given ("linux/arm64"); the host's when empty. */
  platform?: string;
  auth?: AuthConfig;
  /** The client's User-Agent, appended as UpstreamClient(…). */
  clientUserAgent?: string;
}

export interface PushRequest {
  /** A tagged reference, or a bare name to push every tag (`push -a`). */
  ref: Reference;
  auth?: AuthConfig;
  clientUserAgent?: string;
}

export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms: { architecture: string; os: string; 'os.version'?: string; 'os.features'?: string[]; variant?: string }[] | null;
}

/**
 * Registries over the OCI distribution API (HTTP API v2): pull, push, login and distribution inspect, with
 * daemon.json's registry-mirrors, insecure-registries, allow-nondistributable-artifacts and concurrency limits,
 * certs.d TLS settings, and dockerd's progress messages. Endpoints are tried in dockerd's order (mirrors, then
 * the registry; https, then http for insecure ones), falling back on transport failures.
 */
export class RegistryService {
  readonly #images: ImagesForRegistry;
  readonly #log: Logger;
  readonly #transport: RegistryTransport;
  readonly #tokens = new TokenCache();
  readonly #downloads: Limiter;
  readonly #uploads: Limiter;
  readonly #unpacks: Limiter;
  readonly #compressing = { active: 0 };
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #sources: BlobSources;
  readonly #resolver: EndpointResolver;
  readonly #platform: Platform;
  readonly #userAgent: string;
  #settings: RegistrySettings;
  #opts: RegistryServiceOptions;

  constructor(opts: RegistryServiceOptions) {
    this.#opts = opts;
    this.#images = opts.images;
    this.#log = opts.log ?? nullLogger;
    this.#settings = parseRegistrySettings(opts, opts.defaultInsecureCidrs);
    this.#transport = new RegistryTransport(opts.lookup ? { lookup: opts.lookup } : {});
    this.#downloads = new Limiter(opts.maxConcurrentDownloads ?? 3);
    this.#uploads = new Limiter(opts.maxConcurrentUploads ?? 5);
    this.#unpacks = new Limiter(opts.maxConcurrentUnpacks ?? Math.min(4, Math.max(2, os.availableParallelism())));
    this.#sources = new BlobSources(opts.stateDir ? `${opts.stateDir}/blob-sources.json` : undefined, this.#log);
    const resolverOpts: ConstructorParameters<typeof EndpointResolver>[0] = { settings: () => this.#settings, certsDir: opts.certsDir ?? '/etc/berth/certs.d' };
    if (opts.lookup) resolverOpts.lookup = opts.lookup;
    this.#resolver = new EndpointResolver(resolverOpts);
    this.#platform = opts.platform ?? hostPlatform();
    this.#userAgent = opts.userAgent ?? `berth/0.1.0 os/linux arch/${this.#platform.architecture} kernel/${os.release()}`;
  }

  /** Applies reloaded settings (SIGHUP): mirrors, insecure registries, concurrency. Throws on invalid ones. */
  reload(opts: Partial<RegistryServiceOptions>): void {
    const next = { ...this.#opts, ...opts };
    this.#settings = parseRegistrySettings(next, next.defaultInsecureCidrs);
    this.#opts = next;
    this.#downloads.max = next.maxConcurrentDownloads ?? 3;
    this.#uploads.max = next.maxConcurrentUploads ?? 5;
  }

  /** `IndexConfigs`/`InsecureRegistryCIDRs`/`Mirrors` for `docker info` come from here. */
  get settings(): RegistrySettings {
    return this.#settings;
  }

  /** True when berth talks to this registry host without TLS verification (and may use plain HTTP). */
  async isInsecure(hostPort: string): Promise<boolean> {
    return !(await this.#resolver.isSecure(hostPort));
  }

  #ua(client?: string): string {
    return client ? `${this.#userAgent} UpstreamClient(${client.replace(/[()]/g, (c) => `\\${c}`)})` : this.#userAgent;
  }

  #session(ep: Endpoint, path: string, actions: string[], auth: AuthConfig, signal: AbortSignal | undefined, ua: string, offlineAccess = false): RegistrySession {
    return new RegistrySession({ transport: this.#transport, endpoint: ep, auth, repository: path, actions, tokens: this.#tokens, userAgent: ua, offlineAccess, signal });
  }

  /**
   * Tries `fn` on each endpoint in order; a failure moves on when continueOnError allows it. The last failure is
   * thrown (translated by `translate`).
   */
  async #eachEndpoint<T>(ctx: Ctx, endpoints: Endpoint[], fn: (ep: Endpoint) => Promise<T>, translate: (e: unknown) => unknown, what: string): Promise<T> {
    let last: unknown;
    for (const ep of endpoints) {
      try {
        return await fn(ep);
      } catch (err) {
        if (ctx.signal?.aborted) throw err;
        if (!continueOnError(err, ep.mirror)) throw translate(err);
        ctx.log.info(`attempting next endpoint for ${what} after error`, { endpoint: ep.url, error: String(err) });
        last = err;
      }
    }
    throw translate(last ?? new SystemError(`no endpoints found for ${what}`));
  }

  /** `docker pull`: progress goes to `out`; errors before the first message can still become HTTP errors. */
  async pull(ctx: Ctx, req: PullRequest, out: ProgressSink): Promise<void> {
    const ref = req.ref;
    if (familiarName(ref) === 'scratch') throw new ForbiddenError("'scratch' is a reserved name");
    const explicit = req.platform ? parsePlatform(req.platform, this.#platform) : undefined;
    const platform = explicit ?? this.#platform;
    const endpoints = await this.#resolver.endpoints(ref.domain, true);
    const ua = this.#ua(req.clientUserAgent);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(ctx.signal?.reason);
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const pulled = await this.#eachEndpoint(
        ctx,
        endpoints,
        async (ep) => {
          const session = this.#session(ep, ref.path, ['pull'], req.auth ?? {}, controller.signal, ua);
          await session.ping();
          const puller = new Puller(
            {
              store: this.#images,
              transport: this.#transport,
              downloads: this.#downloads,
              unpacks: this.#unpacks,
              progress: out,
              log: ctx.log,
              signal: controller.signal,
              attempts: this.#opts.maxDownloadAttempts ?? 5,
              retryDelaySeconds: this.#opts.retryDelaySeconds ?? 5,
              platform,
              inflight: this.#inflight,
              sources: this.#sources,
              repoName: refName(ref),
            },
            new Repository(session, ref.path),
          );
          if (isNameOnly(ref)) return { updated: await puller.pullAllTags(ref), id: undefined };
          return puller.pullTag(ref);
        },
        (e) => translatePullError(e, ref),
        familiarString(ref),
      );
      out(statusLine(`Status: ${pulled.updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(ref)}`));
      this.#images.emit('pull', familiarString(ref), familiarName(ref));
      if (explicit && pulled.id) {
        const img = await this.#images.image(pulled.id);
        const warning = platformMismatchWarning(ref, explicit, img.config);
        if (warning) {
          ctx.log.warn('ignoring platform mismatch on single-arch image', { image: familiarName(ref), wanted: formatPlatform(explicit) });
          out(statusLine(warning));
        }
      }
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** `docker push`: "The push refers to repository […]" first, then layers, digest line and aux per tag. */
  async push(ctx: Ctx, req: PushRequest, out: ProgressSink): Promise<void> {
    const ref = req.ref;
    if (ref.digest !== undefined) throw new InvalidArgumentError('cannot push a digest reference');
    const endpoints = await this.#resolver.endpoints(ref.domain, false);
    out(statusLine(`The push refers to repository [${refName(ref)}]`));
    const associations = this.#images.referencesByName(ref);
    if (associations.length === 0) throw new SystemError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    const targets: { tag: string; id: string }[] = [];
    if (ref.tag !== undefined) {
      const id = this.#images.refGet(ref);
      if (!id) throw new SystemError(`tag does not exist: ${familiarString(ref)}`);
      targets.push({ tag: ref.tag, id });
    } else {
      for (const a of associations) if (a.ref.tag !== undefined && a.ref.digest === undefined) targets.push({ tag: a.ref.tag, id: a.id });
      if (targets.length === 0) throw new SystemError(`no tags to push for ${familiarName(ref)}`);
    }
    const ua = this.#ua(req.clientUserAgent);
    await this.#eachEndpoint(
      ctx,
      endpoints,
      async (ep) => {
        const controller = new AbortController();
        const onAbort = (): void => controller.abort(ctx.signal?.reason);
        ctx.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          const session = this.#session(ep, ref.path, ['push', 'pull'], req.auth ?? {}, controller.signal, ua);
          await session.ping();
          const pusher = new Pusher(
            {
              store: this.#images,
              uploads: this.#uploads,
              compressing: this.#compressing,
              progress: out,
              log: ctx.log,
              signal: controller.signal,
              abort: (e) => controller.abort(e),
              attempts: this.#opts.maxDownloadAttempts ?? 5,
              retryDelaySeconds: this.#opts.retryDelaySeconds ?? 5,
              sources: this.#sources,
              chunkSize: this.#opts.uploadChunkSize,
              allowNondistributable: ep.allowNondistributable,
              domain: ref.domain,
              repoName: refName(ref),
            },
            new Repository(session, ref.path),
          );
          for (const t of targets) {
            const { digest } = await pusher.pushTag(t.tag, t.id);
            await this.#images.locked(() => this.#images.addDigest(withDigest(trimNamed(ref), digest), t.id));
          }
        } finally {
          ctx.signal?.removeEventListener('abort', onAbort);
        }
      },
      translatePushError,
      familiarString(ref),
    );
    this.#images.emit('push', familiarString(ref), familiarName(ref));
  }

  /** `POST /auth`: checks credentials against the registry; returns Docker's body. */
  async login(ctx: Ctx, auth: AuthConfig, clientUserAgent?: string): Promise<{ Status: string; IdentityToken?: string }> {
    const host = loginHost(auth.serveraddress);
    const endpoints = await this.#resolver.endpoints(host, false);
    let last: unknown;
    for (const ep of endpoints) {
      try {
        const session = this.#session(ep, '', [], auth, ctx.signal, this.#ua(clientUserAgent), true);
        await session.ping();
        const res = await session.send({ method: 'GET', path: '/v2/' });
        res.drain();
        if (res.status !== 200) throw new UnauthorizedError(`login attempt to ${ep.url}/v2/ failed with status: ${res.status} ${res.statusText}`);
        return session.refreshToken ? { Status: 'Login Succeeded', IdentityToken: session.refreshToken } : { Status: 'Login Succeeded' };
      } catch (err) {
        if (ctx.signal?.aborted) throw err;
        // translateV2AuthError: a refusal of the credentials is final (and a 401); other failures try the next endpoint
        if (err instanceof UnauthorizedError) throw err;
        if (err instanceof RegistryAuthError && err.unauthorized) throw new UnauthorizedError(err.message, { cause: err });
        ctx.log.info('error logging in to endpoint, trying next endpoint', { endpoint: ep.url, error: String(err) });
        last = err;
      }
    }
    throw last ?? new SystemError(`no endpoints found for ${host}`);
  }

  /** `GET /distribution/{name}/json`: the manifest descriptor and platforms of a remote image. */
  async inspect(ctx: Ctx, name: string, auth: AuthConfig = {}, clientUserAgent?: string): Promise<DistributionInspect> {
    const any = parseAnyReference(name);
    if (any.kind === 'digest') throw new SystemError('no manifest found for full image ID');
    const ref = any.ref.digest === undefined ? tagNameOnly(any.ref) : any.ref;
    const endpoints = await this.#resolver.endpoints(ref.domain, true);
    return this.#eachEndpoint(
      ctx,
      endpoints,
      async (ep) => {
        const session = this.#session(ep, ref.path, ['pull'], auth, ctx.signal, this.#ua(clientUserAgent));
        await session.ping();
        const repo = new Repository(session, ref.path);
        let digest = ref.digest;
        let size = 0;
        if (digest === undefined) {
          const d = await repo.resolveTag(ref.tag!);
          digest = d.digest;
          size = d.size;
        }
        const m = await repo.manifest(digest);
        const parsed = parseManifest(m.bytes, m.mediaType, familiarString(ref));
        const out: DistributionInspect = { Descriptor: { mediaType: parsed.mediaType, digest, size: size || m.bytes.length }, Platforms: null };
        if (parsed.kind === 'index') {
          out.Platforms = parsed.manifests.map((d) => {
            const p = (d.platform ?? {}) as NonNullable<typeof d.platform>;
            return {
              architecture: p.architecture ?? '',
              os: p.os ?? '',
              ...(p['os.version'] ? { 'os.version': p['os.version'] } : {}),
              ...(p.variant ? { variant: p.variant } : {}),
            };
          });
        } else {
          try {
            const c = JSON.parse((await repo.blob(parsed.config.digest)).toString('utf8')) as { os?: string; architecture?: string; variant?: string };
            if (c.os || c.architecture) out.Platforms = [{ architecture: c.architecture ?? '', os: c.os ?? '', ...(c.variant ? { variant: c.variant } : {}) }];
          } catch (err) {
            ctx.log.debug('cannot read image config for distribution inspect', { error: String(err) });
          }
        }
        return out;
      },
      (e) => translatePullError(e, ref),
      familiarString(ref),
    );
  }

  close(): void {
    this.#transport.close();
  }
}
