/**
 * Registry credentials as the Engine API carries them: the `X-Registry-Auth` header of pull and push
 * (base64url of a JSON AuthConfig) and the body of `POST /auth`. Go decodes JSON keys case-insensitively, so
 * `Username` and `username` are the same field here too.
 */

export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("user:password"), the form config.json keeps. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  /** A refresh token returned by an earlier login (OAuth2 token flow). */
  identitytoken?: string;
  /** A bearer token given directly to the registry. */
  registrytoken?: string;
}

const FIELDS: readonly (keyof AuthConfig)[] = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'];

/** Picks the known fields of a decoded JSON object, matching keys case-insensitively; non-strings are ignored. */
export function authConfigFrom(obj: unknown): AuthConfig {
  const out: AuthConfig = {};
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return out;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const f = FIELDS.find((x) => x === k.toLowerCase());
    if (f && typeof v === 'string' && v !== '') out[f] = v;
  }
  return out;
}

/**
 * Decodes an `X-Registry-Auth` header. dockerd treats a missing or undecodable header as "no credentials" (the
 * CLI sends `e30=`, i.e. `{}`), so this never throws.
 */
export function decodeRegistryAuth(header: string | undefined): AuthConfig {
  if (!header) return {};
  try {
    const json = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    return authConfigFrom(JSON.parse(json));
  } catch {
    return {};
  }
}

/** Encodes credentials the way the docker CLI does (base64url with padding). */
export function encodeRegistryAuth(a: AuthConfig): string {
  return Buffer.from(JSON.stringify(a)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Username and password, taken from `auth` ("user:pass" in base64) when the plain fields are empty. */
export function basicCredentials(a: AuthConfig): { username: string; password: string } | undefined {
  if (a.username && a.password !== undefined) return { username: a.username, password: a.password };
  if (a.auth) {
    const s = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = s.indexOf(':');
    if (i > 0) return { username: s.slice(0, i), password: s.slice(i + 1) };
  }
  return undefined;
}

/** True when the config carries anything to authenticate with. */
export function hasCredentials(a: AuthConfig): boolean {
  return basicCredentials(a) !== undefined || !!a.identitytoken || !!a.registrytoken;
}

/**
 * The registry host a login is for: `serveraddress` with its scheme and path dropped; empty or Docker Hub's
 * addresses mean Docker Hub (`docker.io`). As moby's registry.Service.Auth and ConvertToHostname.
 */
export function loginHost(serverAddress: string | undefined): string {
  let s = (serverAddress ?? '').trim();
  if (s === '') return 'docker.io';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s);
  if (m) s = s.slice(m[0].length);
  s = s.split('/')[0]!;
  if (s === 'index.docker.io' || s === 'registry-1.docker.io' || s === 'docker.io') return 'docker.io';
  return s;
}
