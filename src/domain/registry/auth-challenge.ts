/**
 * WWW-Authenticate challenges (RFC 7235) as distribution's challenge package reads them, and the token scopes a
 * registry client asks for (`repository:library/busybox:pull`).
 */

export interface Challenge {
  /** Lower-case: "basic", "bearer". */
  scheme: string;
  /** Lower-case keys: realm, service, scope, error. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

function readToken(s: string, i: number): [string, number] {
  const start = i;
  while (i < s.length && TOKEN_CHAR.test(s[i]!)) i++;
  return [s.slice(start, i), i];
}

function readQuoted(s: string, i: number): [string, number] | undefined {
  // s[i] is the opening quote
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '\\' && j + 1 < s.length) {
      out += s[++j];
      continue;
    }
    if (c === '"') return [out, j + 1];
    out += c;
  }
  return undefined;
}

/**
 * Parses one WWW-Authenticate header value. A value may hold several challenges
 * (`Basic realm="x", Bearer realm="y",service="z"`); parameters without a scheme token in front belong to the
 * challenge before them. Malformed tails are dropped, as Go's parser does.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = skipSpace(header, 0);
  let current: Challenge | undefined;
  while (i < header.length) {
    const [tok, next] = readToken(header, i);
    if (tok === '') {
      // stray separator
      if (header[i] === ',') {
        i = skipSpace(header, i + 1);
        continue;
      }
      break;
    }
    const j = skipSpace(header, next);
    if (header[j] === '=' && current) {
      // auth-param of the current challenge
      let k = skipSpace(header, j + 1);
      let value: string;
      if (header[k] === '"') {
        const q = readQuoted(header, k);
        if (!q) break;
        [value, k] = q;
      } else {
        [value, k] = readToken(header, k);
      }
      current.params[tok.toLowerCase()] = value;
      k = skipSpace(header, k);
      if (header[k] === ',') k = skipSpace(header, k + 1);
      i = k;
      continue;
    }
    // a new challenge: scheme token
    current = { scheme: tok.toLowerCase(), params: {} };
    out.push(current);
    i = j;
    if (header[i] === ',') i = skipSpace(header, i + 1);
  }
  return out;
}

/** All challenges of a response's WWW-Authenticate headers. */
export function challengesOf(headers: readonly string[] | undefined): Challenge[] {
  return (headers ?? []).flatMap(parseChallenges);
}

/** distribution's RepositoryScope: `repository:<name>:<actions joined by ",">`. */
export function repositoryScope(path: string, actions: readonly string[]): string {
  return `repository:${path}:${actions.join(',')}`;
}

/** The scopes named in a challenge's `scope` parameter (space separated). */
export function challengeScopes(c: Challenge): string[] {
  return (c.params.scope ?? '').split(' ').filter((s) => s !== '');
}
