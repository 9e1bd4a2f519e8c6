import { InvalidArgumentError } from '../../common/errors.ts';
import { familiarMatch } from '../../domain/image/glob.ts';
import { parseTimestamp } from '../../domain/image/timestamp.ts';
import { familiarString } from '../../domain/image/reference.ts';
import type { ImageCore } from './core.ts';
import type { ImageRecord } from './image-store.ts';

/** Filters as the API hands them over: key → values. */
export type FilterMap = Map<string, string[]>;

export interface ImageListItem {
  record: ImageRecord;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** Number of containers using the image. */
  containers: number;
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** filters.GetBoolOrDefault */
export function boolFilter(f: FilterMap, key: string, dflt: boolean): boolean {
  const v = f.get(key);
  if (!v || v.length === 0) return dflt;
  if (v.length > 1) throw new InvalidArgumentError(`invalid filter '${key}': multiple values`);
  const s = v[0]!.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new InvalidArgumentError(`invalid filter '${key}=${v[0]}'`);
}

/** filters.MatchKVList for `label` (key or key=value); with `negate` for `label!`. */
export function labelsMatch(values: string[] | undefined, labels: Record<string, string> | null | undefined, negate = false): boolean {
  if (!values || values.length === 0) return true;
  const l = labels ?? {};
  const hit = (v: string): boolean => {
    const eq = v.indexOf('=');
    if (eq === -1) return v in l;
    return l[v.slice(0, eq)] === v.slice(eq + 1);
  };
  return negate ? !values.some(hit) : values.every(hit);
}

export function createdSeconds(r: ImageRecord): number {
  const t = r.config.created ? Date.parse(r.config.created) : Number.NaN;
  return Number.isNaN(t) ? 0 : t / 1000;
}

export const IMAGE_LIST_FILTERS = ['before', 'dangling', 'label', 'reference', 'since', 'until'] as const;

/** dockerd's Images(): the list behind GET /images/json, newest first. */
export function listImages(core: ImageCore, all: boolean, f: FilterMap): ImageListItem[] {
  for (const k of f.keys()) if (!(IMAGE_LIST_FILTERS as readonly string[]).includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  const danglingOnly = f.has('dangling') ? boolFilter(f, 'dangling', false) : false;
  const refTime = (key: string): number | undefined => {
    const v = f.get(key);
    if (!v || v.length === 0) return undefined;
    return createdSeconds(core.lookup(v[0]!));
  };
  const before = refTime('before');
  const since = refTime('since');
  const untilV = f.get('until');
  const until = untilV && untilV.length > 0 ? parseTimestamp(untilV[0]!) : undefined;
  const patterns = f.get('reference') ?? [];
  const users = new Map<string, number>();
  for (const img of core.images.all()) users.set(img.id, core.containers()?.usersOf(img.id).length ?? 0);

  const out: ImageListItem[] = [];
  for (const img of core.images.all()) {
    const children = core.images.children(img.id).length;
    if (danglingOnly && children > 0) continue;
    const created = createdSeconds(img);
    if (before !== undefined && !(created < before)) continue;
    if (since !== undefined && !(created > since)) continue;
    if (until !== undefined && !(created <= until)) continue;
    if (f.has('label') && !labelsMatch(f.get('label'), img.config.config?.Labels)) continue;
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const ref of core.refs.referencesTo(img.id)) {
      if (patterns.length > 0 && !patterns.some((p) => familiarMatch(p, ref))) continue;
      if (ref.digest !== undefined) repoDigests.push(familiarString(ref));
      if (ref.tag !== undefined) repoTags.push(familiarString(ref));
    }
    if (repoTags.length === 0 && repoDigests.length === 0) {
      if (!(all || children === 0)) continue;
      if (f.has('dangling') && !danglingOnly) continue;
      if (patterns.length > 0) continue;
    } else if (danglingOnly && repoTags.length > 0) {
      continue;
    }
    out.push({ record: img, repoTags, repoDigests, size: core.size(img), containers: users.get(img.id) ?? 0 });
  }
  return out.sort((a, b) => createdSeconds(b.record) - createdSeconds(a.record));
}

/** dockerd's ImageHistory: newest first; ids and tags for the image and its local parents, "<missing>" otherwise. */
export function imageHistory(core: ImageCore, refOrId: string): HistoryItem[] {
  const img = core.lookup(refOrId);
  const items: HistoryItem[] = [];
  const layers = core.layers.chain(img.topChain);
  let layerIndex = 0;
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      const l = layers[layerIndex];
      if (!l) throw new InvalidArgumentError('too many non-empty layers in History section');
      size = l.size;
      layerIndex++;
    }
    const t = h.created ? Date.parse(h.created) : Number.NaN;
    items.unshift({ Id: '<missing>', Created: Number.isNaN(t) ? 0 : Math.floor(t / 1000), CreatedBy: h.created_by ?? '', Tags: null, Size: size, Comment: h.comment ?? '' });
  }
  let cur: ImageRecord | undefined = img;
  for (const item of items) {
    if (!cur) break;
    item.Id = cur.id;
    const tags = core.refs
      .referencesTo(cur.id)
      .filter((r) => r.tag !== undefined)
      .map(familiarString);
    item.Tags = tags.length ? tags : null;
    cur = cur.parent ? core.images.get(cur.parent) : undefined;
  }
  return items;
}
