import { posix } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';

/**
 * OCI layer whiteouts (image-spec layer.md): `dir/.wh.name` deletes `dir/name` from the lower layers, and
 * `dir/.wh..wh..opq` makes `dir` opaque (hides everything below it). Other `.wh..wh.` names are reserved and ignored.
 * In overlayfs the same facts are a char device 0/0 named `name`, and the xattr trusted.overlay.opaque=y on `dir`.
 */
export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export type TarPathKind =
  | { kind: 'entry'; path: string }
  | { kind: 'whiteout'; path: string; target: string }
  | { kind: 'opaque'; path: string; dir: string }
  | { kind: 'meta'; path: string };

/**
 * Cleans a tar entry name into a relative path ("./a//b/" → "a/b", "./" → ""). Refuses names that leave the root.
 */
export function cleanTarPath(name: string): string {
  const p = posix.normalize('/' + name).replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '.' || p === '') return '';
  for (const part of name.split('/')) {
    if (part === '..') throw new InvalidArgumentError(`invalid tar entry name (path escapes the root): ${name}`);
  }
  return p;
}

/** What a (cleaned) tar path means in an OCI layer. */
export function classifyTarPath(path: string): TarPathKind {
  const base = posix.basename(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'entry', path };
  const dir = posix.dirname(path);
  const parent = dir === '.' ? '' : dir;
  if (base === WHITEOUT_OPAQUE) return { kind: 'opaque', path, dir: parent };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'meta', path };
  const name = base.slice(WHITEOUT_PREFIX.length);
  return { kind: 'whiteout', path, target: parent ? `${parent}/${name}` : name };
}

/** "a/b" → "a/.wh.b" */
export function whiteoutFor(path: string): string {
  const dir = posix.dirname(path);
  const base = WHITEOUT_PREFIX + posix.basename(path);
  return dir === '.' ? base : `${dir}/${base}`;
}

/** "a" → "a/.wh..wh..opq", "" → ".wh..wh..opq" */
export function opaqueMarkerFor(dir: string): string {
  return dir ? `${dir}/${WHITEOUT_OPAQUE}` : WHITEOUT_OPAQUE;
}
