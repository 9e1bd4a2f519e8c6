/**
 * Errors of the distribution API as the Go client renders them: `{"errors":[{"code":"MANIFEST_UNKNOWN",…}]}`
 * bodies become "manifest unknown: manifest unknown" (lower-cased code description, then the registry's
 * message), and failed requests read like Go's url.Error (`Get "http://127.0.0.1:5999/v2/": dial tcp
 * 127.0.0.1:5999: connect: connection refused`).
 */

/** The codes distribution registers (errcode and api/v2) with their descriptor messages. */
const CODE_MESSAGES: Record<string, string> = {
  UNKNOWN: 'unknown error',
  UNSUPPORTED: 'The operation is unsupported.',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNAVAILABLE: 'service unavailable',
  TOOMANYREQUESTS: 'too many requests',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  SIZE_INVALID: 'provided length did not match content length',
  NAME_INVALID: 'invalid repository name',
  TAG_INVALID: 'manifest tag did not match URI',
  NAME_UNKNOWN: 'repository name not known to registry',
  MANIFEST_UNKNOWN: 'manifest unknown',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNVERIFIED: 'manifest failed signature verification',
  MANIFEST_BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  PAGINATION_NUMBER_INVALID: 'invalid number of results requested',
};

export interface RegistryErrorEntry {
  /** A registered code ("MANIFEST_UNKNOWN"); unknown codes read as "UNKNOWN", as Go's ParseErrorCode does. */
  code: string;
  message: string;
  detail?: unknown;
  /** Decoded from a body without detail and with the code's own message: Go keeps only the code. */
  bare?: boolean;
}

function codeText(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** errcode's Error(): "manifest unknown: manifest unknown", or the code alone for a bare one ("unauthorized"). */
export function formatRegistryError(e: RegistryErrorEntry): string {
  return e.bare ? codeText(e.code) : `${codeText(e.code)}: ${e.message}`;
}

/** The description distribution registers for a code ("requested access to the resource is denied"). */
export function codeMessage(code: string): string {
  return CODE_MESSAGES[code] ?? CODE_MESSAGES.UNKNOWN!;
}

/** errcode.Errors.Error(): one error as itself, several as "errors:\n<e1>\n<e2>\n". */
export function formatRegistryErrors(entries: readonly RegistryErrorEntry[]): string {
  if (entries.length === 1) return formatRegistryError(entries[0]!);
  return `errors:\n${entries.map((e) => `${formatRegistryError(e)}\n`).join('')}`;
}

/**
 * parseHTTPErrorResponse: `{"errors":[…]}` bodies, or the `{"details":"…"}` token servers send (401 →
 * unauthorized, 429 → too many requests). A 401 without either is "unauthorized: authentication required";
 * anything else without details gives undefined (the caller reports the unexpected response).
 */
export function parseRegistryErrors(status: number, body: string): RegistryErrorEntry[] | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch {
    obj = undefined;
  }
  const o = obj !== null && typeof obj === 'object' ? (obj as { errors?: unknown; details?: unknown }) : undefined;
  if (o && typeof o.details === 'string' && o.details !== '') {
    const code = status === 401 ? 'UNAUTHORIZED' : status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN';
    return [{ code, message: o.details, detail: o.details }];
  }
  if (o && Array.isArray(o.errors) && o.errors.length > 0) {
    return o.errors.map((e) => {
      const x = (e ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
      const raw = typeof x.code === 'string' ? x.code.toUpperCase() : '';
      const code = raw in CODE_MESSAGES ? raw : 'UNKNOWN';
      const entry: RegistryErrorEntry = { code, message: typeof x.message === 'string' ? x.message : '' };
      if (x.detail !== undefined && x.detail !== null) entry.detail = x.detail;
      // Errors.UnmarshalJSON keeps a bare code when there is no detail and nothing beyond the code's message
      else if (entry.message === '' || entry.message === CODE_MESSAGES[code]) entry.bare = true;
      return entry;
    });
  }
  if (status === 401) return [{ code: 'UNAUTHORIZED', message: CODE_MESSAGES.UNAUTHORIZED!, detail: body }];
  return undefined;
}

/** Go's url.Error operation name: "Get", "Head", "Put". */
export function goOp(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/** `Get "https://host/v2/": <cause>` */
export function urlError(method: string, url: string, cause: string): string {
  return `${goOp(method)} ${JSON.stringify(url)}: ${cause}`;
}

/**
 * What Go's net package says for a failed connection, from Node's error code: "dial tcp 127.0.0.1:5999: connect:
 * connection refused", "dial tcp: lookup nosuch.example: no such host", "read: connection reset by peer"…
 */
export function goNetError(code: string | undefined, host: string, addr: string | undefined, fallback: string): string {
  const dial = `dial tcp ${addr ?? host}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `${dial}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${dial}: connect: no route to host`;
    case 'ENETUNREACH':
      return `${dial}: connect: network is unreachable`;
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `${dial}: i/o timeout`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${hostWithoutPort(host)}: no such host`;
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${hostWithoutPort(host)}: Temporary failure in name resolution`;
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'EPIPE':
      return 'write: broken pipe';
    default:
      return fallback;
  }
}

/** Go's crypto/tls alert texts, by alert number (what "remote error: tls: …" names). */
const TLS_ALERTS: Record<number, string> = {
  0: 'close notify',
  10: 'unexpected message',
  20: 'bad record MAC',
  21: 'decryption failed',
  22: 'record overflow',
  30: 'decompression failure',
  40: 'handshake failure',
  42: 'bad certificate',
  43: 'unsupported certificate',
  44: 'revoked certificate',
  45: 'expired certificate',
  46: 'unknown certificate',
  47: 'illegal parameter',
  48: 'unknown certificate authority',
  49: 'access denied',
  50: 'error decoding message',
  51: 'error decrypting message',
  70: 'protocol version not supported',
  71: 'insufficient security level',
  80: 'internal error',
  86: 'inappropriate fallback',
  90: 'user canceled',
  100: 'no renegotiation',
  109: 'missing extension',
  110: 'unsupported extension',
  112: 'unrecognized name',
  116: 'certificate required',
  120: 'no application protocol',
};
/**
 * A TLS alert the server sent, as OpenSSL reports it ("…ssl/tls alert bad certificate…SSL alert number 42"),
 * worded as Go's client words it ("remote error: tls: bad certificate"); undefined when there is none.
 */
export function goTlsAlert(opensslMessage: string): string | undefined {
  const n = /SSL alert number (\d+)/.exec(opensslMessage)?.[1];
  if (n === undefined) return undefined;
  return `remote error: tls: ${TLS_ALERTS[Number(n)] ?? `alert(${n})`}`;
}

function hostWithoutPort(
h: string): string {
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const i = h.lastIndexOf(':');
  return i > 0 && h.indexOf(':') === i ? h.slice(0, i) : h;
}
