import { InvalidArgumentError } from '../../common/errors.ts';

/**
 * Image references, parsed and normalised exactly as Docker does (github.com/distribution/reference):
 * `bb` ≡ `docker.io/library/bb`, shown back in the "familiar" form `bb:latest`.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path-component ["/" path-component]*
 */
export interface Reference {
  /** "docker.io", "localhost:5000", "[::1]:5000" */
  domain: string;
  /** "library/bb", "ns/name" */
  path: string;
  tag?: string;
  /** "sha256:<hex>" */
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
export const NAME_TOTAL_LENGTH_MAX = 255;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const host = `(?:${domainName}|${ipv6})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRe = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredNameRe = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredTagRe = new RegExp(`^${tagPat}$`);
const identifierRe = /^[a-f0-9]{64}$/;

export const ERR_REFERENCE_INVALID_FORMAT = 'invalid reference format';

function invalid(msg: string): InvalidArgumentError {
  return new InvalidArgumentError(msg);
}

const DIGEST_HEX_LEN: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** opencontainers/go-digest's Parse + Validate. Returns the digest or throws InvalidArgumentError. */
export function parseDigest(s: string): string {
  const i = s.indexOf(':');
  if (i <= 0 || i + 1 === s.length) throw invalid('invalid checksum digest format');
  const alg = s.slice(0, i);
  const hex = s.slice(i + 1);
  const len = DIGEST_HEX_LEN[alg];
  if (len === undefined) {
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(alg)) throw invalid('invalid checksum digest format');
    throw invalid('unsupported digest algorithm');
  }
  if (hex.length !== len) throw invalid('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw invalid('invalid checksum digest format');
  return s;
}

export function isDigest(s: string): boolean {
  try {
    parseDigest(s);
    return true;
  } catch {
    return false;
  }
}

/** reference.Parse: no normalisation (the domain may be empty). */
export function parseReference(s: string): Reference {
  const m = referenceRe.exec(s);
  if (!m) {
    if (s === '') throw invalid('repository name must have at least one component');
    if (referenceRe.test(s.toLowerCase())) throw invalid('repository name must be lowercase');
    throw invalid(ERR_REFERENCE_INVALID_FORMAT);
  }
  const name = m[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) throw invalid(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const nm = anchoredNameRe.exec(name);
  const ref: Reference = { domain: nm?.[1] ?? '', path: nm?.[2] ?? name };
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) ref.digest = parseDigest(m[3]);
  return ref;
}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return { domain, remainder };
}

/** reference.ParseNormalizedNamed: `bb` → docker.io/library/bb. Throws InvalidArgumentError. */
export function parseNormalizedNamed(s: string): Reference {
  if (identifierRe.test(s)) throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon > -1 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) throw invalid(`invalid reference format: repository name (${remote}) must be lowercase`);
  return parseReference(`${domain}/${remainder}`);
}

export type AnyReference = { kind: 'digest'; digest: string } | { kind: 'named'; ref: Reference };

/** reference.ParseAnyReference: a 64-hex id or a digest becomes a digest reference, anything else a name. */
export function parseAnyReference(s: string): AnyReference {
  if (identifierRe.test(s)) return { kind: 'digest', digest: `sha256:${s}` };
  if (isDigest(s)) return { kind: 'digest', digest: s };
  return { kind: 'named', ref: parseNormalizedNamed(s) };
}

/** Full repository name: "docker.io/library/bb". */
export function refName(r: Reference): string {
  return r.domain ? `${r.domain}/${r.path}` : r.path;
}

/** Full string form: "docker.io/library/bb:latest@sha256:…". */
export function refString(r: Reference): string {
  let s = refName(r);
  if (r.tag !== undefined) s += `:${r.tag}`;
  if (r.digest !== undefined) s += `@${r.digest}`;
  return s;
}

/** reference.FamiliarName: "docker.io/library/bb" → "bb", "docker.io/ns/x" → "ns/x". */
export function familiarName(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return refName(r);
  if (r.path.startsWith(OFFICIAL_PREFIX)) {
    const rest = r.path.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return r.path;
}

/** reference.FamiliarString: "bb:latest", "localhost:5000/x@sha256:…". */
export function familiarString(r: Reference): string {
  let s = familiarName(r);
  if (r.tag !== undefined) s += `:${r.tag}`;
  if (r.digest !== undefined) s += `@${r.digest}`;
  return s;
}

/** reference.TagNameOnly: adds ":latest" to a name that has neither tag nor digest. */
export function tagNameOnly(r: Reference): Reference {
  if (r.tag === undefined && r.digest === undefined) return { ...r, tag: DEFAULT_TAG };
  return r;
}

export function isNameOnly(r: Reference): boolean {
  return r.tag === undefined && r.digest === undefined;
}

/** reference.WithTag: replaces the tag (keeps a digest, as Go's WithTag does for canonical references). */
export function withTag(r: Reference, tag: string): Reference {
  if (!anchoredTagRe.test(tag)) throw invalid('invalid tag format');
  const out: Reference = { domain: r.domain, path: r.path, tag };
  if (r.digest !== undefined) out.digest = r.digest;
  return out;
}

/** reference.WithDigest */
export function withDigest(r: Reference, digest: string): Reference {
  const out: Reference = { domain: r.domain, path: r.path, digest: parseDigest(digest) };
  if (r.tag !== undefined) out.tag = r.tag;
  return out;
}

/** reference.TrimNamed: drop tag and digest. */
export function trimNamed(r: Reference): Reference {
  return { domain: r.domain, path: r.path };
}

/**
 * httputils.RepoTagReference: the `repo`/`tag` query parameters of tag, import and commit as one name:tag.
 * Returns undefined when repo is empty.
 */
export function repoTagReference(repo: string, tag: string): Reference | undefined {
  if (repo === '') return undefined;
  const ref = parseNormalizedNamed(repo);
  if (ref.digest !== undefined) throw invalid('cannot import digest reference');
  if (tag !== '') return withTag(ref, tag);
  return tagNameOnly(ref);
}

/** True when `s` is a full 64-hex image id, with or without "sha256:". */
export function isFullImageId(s: string): boolean {
  return identifierRe.test(s.replace(/^sha256:/, ''));
}
