import { SystemError } from '../../common/errors.ts';
import { formatRegistryError, parseRegistryErrors, urlError } from '../../domain/registry/api-errors.ts';
import { type Challenge, challengeScopes, challengesOf, repositoryScope } from '../../domain/registry/auth-challenge.ts';
import { type AuthConfig, basicCredentials } from '../../domain/registry/auth-config.ts';
import type { Endpoint } from './endpoints.ts';
import { type HttpRequest, type HttpResponse, RegistryNetworkError, type RegistryTransport } from './http.ts';

/**
 * Credentials the client could not present or that the token server refused, worded as Go's url.Error around
 * them ("Head \"…\": no basic auth credentials"). dockerd answers these with 500 on pull and push (the docker CLI
 * does not prompt for a login then) and never retries them; `unauthorized` marks a token server's 401/403, which a
 * login reports as 401.
 */
export class RegistryAuthError extends SystemError {
  override name = 'RegistryAuthError';
  readonly unauthorized: boolean;
  constructor(message: string, unauthorized = false) {
    super(message);
    this.unauthorized = unauthorized;
  }
}

/** Bearer tokens by realm, service, scopes and credentials, until they expire. Shared by all sessions of a service. */
export class TokenCache {
  readonly #m = new Map<string, { token: string; until: number }>();
  readonly #now: () => number;
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }
  get(key: string): string | undefined {
    const e = this.#m.get(key);
    if (!e) return undefined;
    if (e.until <= this.#now()) {
      this.#m.delete(key);
      return undefined;
    }
    return e.token;
  }
  set(key: string, token: string, ttlSeconds: number): void {
    // renew a little early, as distribution's token handler does
    this.#m.set(key, { token, until: this.#now() + Math.max(ttlSeconds - 5, 1) * 1000 });
  }
}

export interface SessionOptions {
  transport: RegistryTransport;
  endpoint: Endpoint;
  auth: AuthConfig;
  /** Repository path ("library/busybox"); empty for a login. */
  repository: string;
  /** "pull", or "push","pull". */
  actions: string[];
  tokens: TokenCache;
  userAgent: string;
  /** Ask the token server for a refresh token (login). */
  offlineAccess?: boolean;
  signal?: AbortSignal | undefined;
}

export type SessionRequest = Omit<HttpRequest, 'url' | 'tls' | 'signal'> & {
  /** Path under the endpoint ("/v2/…") or an absolute URL (upload locations). */
  path: string;
  /** Scopes needed besides the repository's (cross-repository mounts). */
  extraScopes?: string[];
};

/**
 * One authenticated conversation with one registry endpoint about one repository (distribution's
 * NewRepository + auth.NewAuthorizer): pings /v2/ for the challenge, then sends Basic credentials or Bearer
 * tokens (anonymous, password, refresh token or a given registry token), and retries once on a 401 that asks for
 * a wider scope.
 */
export class RegistrySession {
  readonly #o: SessionOptions;
  #challenges: Challenge[] = [];
  /** The refresh token a login got back. */
  refreshToken: string | undefined;

  constructor(o: SessionOptions) {
    this.#o = o;
  }

  get endpoint(): Endpoint {
    return this.#o.endpoint;
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : this.#o.endpoint.url + path;
  }

  /**
   * GET /v2/: learns the auth challenge from a 401. Network errors propagate; any other answer is accepted, as
   * distribution's PingV2Registry does (the requests that follow will tell).
   */
  async ping(): Promise<void> {
    const res = await this.#o.transport.request({
      method: 'GET',
      url: this.url('/v2/'),
      headers: { 'User-Agent': this.#o.userAgent },
      tls: this.#o.endpoint.tls,
      signal: this.#o.signal,
    });
    res.drain();
    if (res.status === 401) this.#challenges = challengesOf(res.headerAll('www-authenticate'));
  }

  /** True when the registry asked for credentials at all. */
  get needsAuth(): boolean {
    return this.#challenges.length > 0;
  }

  #scopes(extra: string[] = []): string[] {
    const out = this.#o.repository ? [repositoryScope(this.#o.repository, this.#o.actions)] : [];
    for (const s of extra) if (!out.includes(s)) out.push(s);
    return out;
  }

  async #authorization(method: string, url: string, scopes: string[]): Promise<string | undefined> {
    const a = this.#o.auth;
    const bearer = this.#challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      if (a.registrytoken) return `Bearer ${a.registrytoken}`;
      return `Bearer ${await this.#token(method, url, bearer, scopes)}`;
    }
    if (this.#challenges.some((c) => c.scheme === 'basic')) {
      const creds = basicCredentials(a);
      if (!creds) throw new RegistryAuthError(urlError(method, url, 'no basic auth credentials'));
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    return undefined;
  }

  async #token(method: string, url: string, c: Challenge, scopes: string[]): Promise<string> {
    const realm = c.params.realm;
    if (!realm) throw new RegistryAuthError(urlError(method, url, 'no realm specified for token auth challenge'));
    const service = c.params.service ?? '';
    const a = this.#o.auth;
    const creds = basicCredentials(a);
    const who = a.identitytoken ? `rt:${a.identitytoken}` : creds ? `u:${creds.username}:${creds.password}` : 'anon';
    const key = `${realm}|${service}|${[...scopes].sort().join(' ')}|${who}`;
    const cached = this.#o.tokens.get(key);
    if (cached) return cached;

    let res: HttpResponse;
    let tokenUrl: string;
    try {
      if (a.identitytoken) {
        tokenUrl = realm;
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: a.identitytoken, service, client_id: 'docker' });
        if (scopes.length) form.set('scope', scopes.join(' '));
        if (this.#o.offlineAccess) form.set('access_type', 'offline');
        res = await this.#o.transport.request({
          method: 'POST',
          url: realm,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'User-Agent': this.#o.userAgent },
          body: Buffer.from(form.toString()),
          signal: this.#o.signal,
          tls: this.#tlsFor(realm),
        });
      } else {
        const u = new URL(realm);
        if (service) u.searchParams.set('service', service);
        for (const s of scopes) u.searchParams.append('scope', s);
        if (creds) u.searchParams.set('account', creds.username);
        if (this.#o.offlineAccess) {
          u.searchParams.set('offline_token', 'true');
          u.searchParams.set('client_id', 'docker');
        }
        tokenUrl = u.toString();
        const headers: Record<string, string> = { 'User-Agent': this.#o.userAgent };
        if (creds) headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
        res = await this.#o.transport.request({ method: 'GET', url: tokenUrl, headers, signal: this.#o.signal, tls: this.#tlsFor(tokenUrl), followRedirects: true });
      }
    } catch (err) {
      if (err instanceof RegistryNetworkError) throw new RegistryNetworkError(urlError(method, url, err.message), err.code, err);
      throw err;
    }
    const body = await res.text();
    if (res.status < 200 || res.status >= 300) {
      const entries = parseRegistryErrors(res.status, body);
      const detail = entries?.length ? formatRegistryError(entries[0]!) : `token server ${tokenUrl} answered ${res.status} ${res.statusText}`;
      if (res.status === 401 || res.status === 403) throw new RegistryAuthError(urlError(method, url, detail), true);
      throw new RegistryNetworkError(urlError(method, url, detail), undefined, undefined);
    }
    let t: { token?: string; access_token?: string; expires_in?: number; refresh_token?: string };
    try {
      t = JSON.parse(body) as typeof t;
    } catch (err) {
      throw new RegistryAuthError(urlError(method, url, `unable to decode token response: ${(err as Error).message}`));
    }
    const token = t.token || t.access_token;
    if (!token) throw new RegistryAuthError(urlError(method, url, 'authorization server did not include a token in the response'));
    if (t.refresh_token) this.refreshToken = t.refresh_token;
    const ttl = typeof t.expires_in === 'number' && t.expires_in > 0 ? t.expires_in : 60;
    this.#o.tokens.set(key, token, ttl);
    return token;
  }

  /** A token server on the registry's own host shares its TLS settings; others get the defaults. */
  #tlsFor(url: string): Endpoint['tls'] | undefined {
    return new URL(url).host === new URL(this.#o.endpoint.url).host ? this.#o.endpoint.tls : undefined;
  }

  /** Sends a request with credentials; a 401 asking for more scope is retried once when the body can be sent again. */
  async send(r: SessionRequest): Promise<HttpResponse> {
    const url = this.url(r.path);
    let scopes = this.#scopes(r.extraScopes);
    const replayable = r.body === undefined || Buffer.isBuffer(r.body);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'User-Agent': this.#o.userAgent, ...r.headers };
      const authz = await this.#authorization(r.method, url, scopes);
      if (authz) headers.Authorization = authz;
      const res = await this.#o.transport.request({ ...r, url, headers, tls: this.#o.endpoint.tls, signal: this.#o.signal });
      if (res.status !== 401 || attempt > 0 || !replayable) return res;
      const fresh = challengesOf(res.headerAll('www-authenticate'));
      const bearer = fresh.find((c) => c.scheme === 'bearer');
      if (this.#challenges.length === 0 && fresh.length > 0) {
        // a registry that did not ask at ping time asks now
        this.#challenges = fresh;
      } else if (bearer) {
        // a new scope is worth one more token; the same scope again would get the same answer
        const wanted = challengeScopes(bearer).filter((s) => !scopes.includes(s));
        if (wanted.length === 0) return res;
        this.#challenges = fresh;
        scopes = [...scopes, ...wanted];
      } else {
        return res;
      }
      res.drain();
    }
  }
}
