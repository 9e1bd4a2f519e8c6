import type { Ctx } from '../../common/ctx.ts';
import { ConflictError } from '../../common/errors.ts';
import { shortId } from '../../common/ids.ts';
import { familiarString, parseNormalizedNamed, type Reference, refName } from '../../domain/image/reference.ts';
import type { ImageCore } from './core.ts';

export interface DeleteRecord {
  Untagged?: string;
  Deleted?: string;
}

/** dockerd's imageDeleteConflict: "cannot be forced" for hard conflicts, "must be forced" for soft ones. */
class DeleteConflict extends ConflictError {
  readonly used: boolean;
  constructor(id: string, hard: boolean, used: boolean, what: string) {
    super(`conflict: unable to delete ${shortId(id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${what}`);
    this.used = used;
  }
}

const HARD_CHILD = 1;
const HARD_RUNNING = 2;
const SOFT_REFERENCE = 4;
const SOFT_STOPPED = 8;
const HARD = HARD_CHILD | HARD_RUNNING;
const SOFT = SOFT_REFERENCE | SOFT_STOPPED;

function isImageIdPrefix(id: string, s: string): boolean {
  return id.startsWith(s) || id.slice(id.indexOf(':') + 1).startsWith(s);
}

/** True when the references are one tag (plus digests of that same repository) or one digest. */
function isSingleReference(refs: Reference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: Reference | undefined;
  const canonical = new Set<string>();
  for (const r of refs) {
    if (r.digest !== undefined) canonical.add(refName(r));
    else if (single === undefined) single = r;
    else return false;
  }
  single ??= refs[0]!;
  return canonical.size === 1 && canonical.has(refName(single));
}

function checkConflict(core: ImageCore, id: string, mask: number): DeleteConflict | undefined {
  if (mask & HARD_CHILD && core.images.children(id).length > 0) return new DeleteConflict(id, true, false, 'image has dependent child images');
  const users = core.containers()?.usersOf(id) ?? [];
  if (mask & HARD_RUNNING) {
    const c = users.find((u) => u.running);
    if (c) return new DeleteConflict(id, true, true, `image is being used by running container ${shortId(c.id)}`);
  }
  if (mask & SOFT_REFERENCE && core.refs.referencesTo(id).length > 0) return new DeleteConflict(id, false, false, 'image is referenced in multiple repositories');
  if (mask & SOFT_STOPPED) {
    const c = users.find((u) => !u.running);
    if (c) return new DeleteConflict(id, false, true, `image is being used by stopped container ${shortId(c.id)}`);
  }
  return undefined;
}

async function untag(core: ImageCore, id: string, ref: Reference, records: DeleteRecord[]): Promise<void> {
  await core.refs.delete(ref);
  core.emit('untag', id, id);
  records.push({ Untagged: familiarString(ref) });
}

/**
 * `docker rmi`, with dockerd's rules: a name only untags while other references remain; an id removes the image
 * with its references when they all belong to one repository; running containers are a hard conflict, stopped
 * ones and extra references soft (overridden by force). Untagged parents are pruned unless noprune.
 * Call under core.lock.
 */
export async function deleteImage(ctx: Ctx, core: ImageCore, refOrId: string, force: boolean, prune: boolean): Promise<DeleteRecord[]> {
  const img = core.lookup(refOrId);
  const id = img.id;
  const records: DeleteRecord[] = [];
  let repoRefs = core.refs.referencesTo(id);
  let removedRepositoryRef = false;
  if (!isImageIdPrefix(id, refOrId)) {
    if (!force && isSingleReference(repoRefs)) {
      const user = core.containers()?.usersOf(id)[0];
      if (user) {
        throw new ConflictError(`conflict: unable to remove repository reference "${refOrId}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(id)}`);
      }
    }
    let parsed = parseNormalizedNamed(refOrId);
    if (parsed.tag === undefined && parsed.digest === undefined) parsed = { ...parsed, tag: 'latest' };
    if (core.refs.get(parsed) !== id) {
      // resolved by id prefix after all: treat as an id reference
      return deleteById(ctx, core, id, force, prune, records, repoRefs);
    }
    await untag(core, id, parsed, records);
    repoRefs = core.refs.referencesTo(id);
    if (parsed.digest === undefined) {
      const tagLeft = repoRefs.some((r) => r.digest === undefined && refName(r) === refName(parsed));
      if (!tagLeft) {
        for (const r of repoRefs) {
          if (r.digest !== undefined && refName(r) === refName(parsed)) await untag(core, id, r, records);
        }
        repoRefs = core.refs.referencesTo(id);
      }
    }
    if (repoRefs.length > 0) return records;
    removedRepositoryRef = true;
  } else {
    return deleteById(ctx, core, id, force, prune, records, repoRefs);
  }
  await deleteHelper(ctx, core, id, records, force, prune, removedRepositoryRef);
  return records;
}

async function deleteById(ctx: Ctx, core: ImageCore, id: string, force: boolean, prune: boolean, records: DeleteRecord[], repoRefs: Reference[]): Promise<DeleteRecord[]> {
  if (isSingleReference(repoRefs)) {
    const mask = HARD | (force ? 0 : SOFT & ~SOFT_REFERENCE);
    const c = checkConflict(core, id, mask);
    if (c) throw c;
    for (const r of repoRefs) await untag(core, id, r, records);
  }
  await deleteHelper(ctx, core, id, records, force, prune, false);
  return records;
}

async function deleteHelper(ctx: Ctx, core: ImageCore, id: string, records: DeleteRecord[], force: boolean, prune: boolean, quiet: boolean): Promise<void> {
  const conflict = checkConflict(core, id, HARD | (force ? 0 : SOFT));
  if (conflict) {
    const dangling = core.refs.referencesTo(id).length === 0 && core.images.children(id).length === 0;
    if (quiet && (!dangling || conflict.used)) return;
    throw conflict;
  }
  const parent = core.images.get(id)?.parent;
  for (const r of core.refs.referencesTo(id)) await untag(core, id, r, records);
  await core.images.delete(id);
  core.emit('delete', id, id);
  records.push({ Deleted: id });
  for (const l of await core.gc(ctx)) records.push({ Deleted: l.chainId });
  if (!prune || !parent || !core.images.get(parent)) return;
  await deleteHelper(ctx, core, parent, records, false, true, true);
}

export interface PruneReport {
  ImagesDeleted: DeleteRecord[] | null;
  SpaceReclaimed: number;
}

/**
 * `docker image prune`: dangling images (no tag, no child), or with all=true every image without a container.
 * `keep` filters by creation time and labels (until, label, label!). Conflicts are skipped silently.
 */
export async function pruneImages(ctx: Ctx, core: ImageCore, danglingOnly: boolean, keep: (id: string) => boolean): Promise<PruneReport> {
  const deleted: DeleteRecord[] = [];
  const sizes = new Map(core.layers.all().map((l) => [l.chainId, l.size]));
  const candidates = core.images.all().filter((img) => {
    const refs = core.refs.referencesTo(img.id);
    const children = core.images.children(img.id).length;
    if (danglingOnly && children > 0) return false;
    if (refs.length === 0 && children > 0) return false;
    return keep(img.id);
  });
  for (const img of candidates) {
    if (!core.images.get(img.id)) continue;
    const refs = core.refs.referencesTo(img.id);
    try {
      if (refs.length > 0) {
        const shouldDelete = !danglingOnly || !refs.some((r) => r.tag !== undefined);
        if (!shouldDelete) continue;
        for (const r of refs) {
          if (!core.images.get(img.id)) break;
          deleted.push(...(await deleteImage(ctx, core, familiarString(r), false, true)));
        }
      } else {
        deleted.push(...(await deleteImage(ctx, core, img.id.slice(7), false, true)));
      }
    } catch (err) {
      if (err instanceof ConflictError) continue;
      ctx.log.warn('prune: could not delete image', { id: img.id, error: String(err) });
    }
  }
  let reclaimed = 0;
  for (const d of deleted) if (d.Deleted && sizes.has(d.Deleted)) reclaimed += sizes.get(d.Deleted)!;
  core.emit('prune', '', undefined, { reclaimed: String(reclaimed) });
  return { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
}
