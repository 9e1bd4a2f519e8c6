/**
 * Image references as github.com/distribution/reference parses them on the client side: normalisation to
 * docker.io/library/…, the "familiar" short form for display, tag defaulting to "latest", digests.
 */

export interface Reference {
  /** Full name: "docker.io/library/busybox", "127.0.0.1:5055/bb". */
  name: string;
  domain: string;
  /** Name without the domain: "library/busybox". */
  path: string;
  tag?: string;
  digest?: string;
}

const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN_RE = /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const HEX64 = /^[a-f0-9]{64}$/;

export class InvalidReferenceError extends Error {
  override name = 'InvalidReferenceError';
}

function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let rest: string;
  const first = i >= 0 ? name.slice(0, i) : '';
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = 'docker.io';
    rest = name;
  } else {
    domain = first;
    rest = name.slice(i + 1);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return [domain, rest];
}

/** reference.ParseNormalizedNamed */
export function parseNormalizedNamed(s: string): Reference {
  if (HEX64.test(s)) throw new InvalidReferenceError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new InvalidReferenceError('invalid reference format');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError('invalid reference format');
  }
  if (rest === '') throw new InvalidReferenceError('invalid reference format');
  const [domain, path] = splitDockerDomain(rest);
  if (path.toLowerCase() !== path) throw new InvalidReferenceError(`invalid reference format: repository name (${path}) must be lowercase`);
  if (!DOMAIN_RE.test(domain) || !path.split('/').every((c) => COMPONENT_RE.test(c))) {
    throw new InvalidReferenceError('invalid reference format');
  }
  const name = `${domain}/${path}`;
  if (name.length > 255) throw new InvalidReferenceError('repository name must not be more than 255 characters');
  return { name, domain, path, tag, digest };
}

/** reference.FamiliarName: drops docker.io/ and library/. */
export function familiarName(r: Reference): string {
  if (r.domain !== 'docker.io') return r.name;
  const p = r.path;
  if (p.startsWith('library/') && !p.slice(8).includes('/')) return p.slice(8);
  return p;
}

/** reference.FamiliarString */
export function familiarString(r: Reference): string {
  return familiarName(r) + (r.tag !== undefined ? `:${r.tag}` : '') + (r.digest !== undefined ? `@${r.digest}` : '');
}

/** reference.TagNameOnly: adds ":latest" when there is neither tag nor digest. */
export function tagNameOnly(r: Reference): Reference {
  if (r.tag === undefined && r.digest === undefined) return { ...r, tag: 'latest' };
  return r;
}

/** The tag the API gets for a pull: the digest if any, else the tag (default latest). */
export function apiTag(r: Reference): string {
  if (r.digest) return r.digest;
  return tagNameOnly(r).tag ?? '';
}

/** reference.ParseAnyReference: a 64-hex string is an image ID (no name). */
export function parseAnyReference(s: string): Reference | { id: string } {
  if (HEX64.test(s)) return { id: `sha256:${s}` };
  return parseNormalizedNamed(s);
}

/** stringid.TruncateID: drops an "algo:" prefix and keeps 12 characters. */
export function truncateId(id: string): string {
  const i = id.indexOf(':');
  const s = i >= 0 ? id.slice(i + 1) : id;
  return s.length > 12 ? s.slice(0, 12) : s;
}
