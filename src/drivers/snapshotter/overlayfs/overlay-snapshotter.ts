import { randomInt } from 'node:crypto';
import { chown, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Ctx } from '../../../common/ctx.ts';
import { newId } from '../../../common/ids.ts';
import { type IdentityMapping, isEmptyMapping, type IdPair, pairToContainer, rootPair } from '../../../domain/userns/id-map.ts';
import type { AppliedLayer, Change, RootfsLayout, Snapshotter } from '../contract.ts';
import { applyLayer } from './apply-layer.ts';
import { overlayChanges } from './changes.ts';
import { diffLayer } from './diff-layer.ts';
import { exportMerged } from './export-merged.ts';
import type { OwnerMap } from './tar-writer.ts';

export interface OverlayOptions {
  /**
   * The daemon's `--userns-remap` mapping: layers are unpacked with their owners shifted into the remapped range,
   * a snapshot's writable dirs belong to the remapped root, and diffs and exports shift owners back.
   */
  idMapping?: IdentityMapping;
}

const LINK_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** dockerd's overlay2 short link names: 26 characters of [A-Z0-9]. */
function newLinkName(): string {
  let s = '';
  for (let i = 0; i < 26; i++) s += LINK_CHARS[randomInt(LINK_CHARS.length)];
  return s;
}

/**
 * dockerd's overlay2 layout under `<dataRoot>/overlay2`:
 *   <id>/diff   the layer's (or container's upper) files
 *   <id>/link   its short name; l/<short> → ../<id>/diff keeps lowerdir= option strings small
 *   <id>/lower  the short names of the layers below, top-most first ("l/A:l/B")
 *   <id>/work   overlay's work dir (container snapshots only)
 * A layer is unpacked into <id>.tmp and renamed when it is committed (its parent known), so a crash never leaves
 * a half layer, or one unpacked ahead of the layers below it, in use: init removes every <id>.tmp.
 */
export class OverlaySnapshotter implements Snapshotter {
  readonly name = 'overlay2';
  readonly root: string;
  readonly #links = new Map<string, string>();
  readonly #ids: IdentityMapping | undefined;
  /** Owner of the dirs the snapshotter makes for containers (the remapped root, else the host's). */
  readonly #rootIds: IdPair;
  readonly #owners: OwnerMap | undefined;

  constructor(dataRoot: string, opts: OverlayOptions = {}) {
    this.root = `${dataRoot}/overlay2`;
    this.#ids = isEmptyMapping(opts.idMapping) ? undefined : opts.idMapping;
    this.#rootIds = rootPair(this.#ids);
    const ids = this.#ids;
    this.#owners = ids ? (p) => pairToContainer(ids, p) : undefined;
  }

  async #own(...paths: string[]): Promise<void> {
    if (!this.#ids) return;
    for (const p of paths) await chown(p, this.#rootIds.uid, this.#rootIds.gid);
  }

  async init(ctx: Ctx): Promise<void> {
    await mkdir(`${this.root}/l`, { recursive: true });
    for (const name of await readdir(this.root)) {
      if (name.endsWith('.tmp')) {
        ctx.log.info('removing half-applied layer', { dir: name });
        await rm(`${this.root}/${name}`, { recursive: true, force: true });
      }
    }
  }

  async #link(id: string): Promise<string> {
    let l = this.#links.get(id);
    if (l === undefined) {
      l = (await readFile(`${this.root}/${id}/link`, 'utf8')).trim();
      this.#links.set(id, l);
    }
    return l;
  }

  async #lowerString(parents: readonly string[]): Promise<string> {
    const links = await Promise.all(parents.map((p) => this.#link(p)));
    return links.map((l) => `l/${l}`).join(':');
  }

  async #makeLink(id: string): Promise<void> {
    const link = newLinkName();
    await writeFile(`${this.root}/${id}/link`, link);
    await rm(`${this.root}/l/${link}`, { force: true });
    await symlink(`../${id}/diff`, `${this.root}/l/${link}`);
    this.#links.set(id, link);
  }

  async #parentsOf(id: string): Promise<string[]> {
    // the lower file names links; map them back through the link files of the chain
    const chain: string[] = [];
    let cur: string | undefined = id;
    while (cur !== undefined) {
      const p: string = (await readFile(`${this.root}/${cur}/parent`, 'utf8').catch(() => '')).trim();
      if (p === '') break;
      chain.push(p);
      cur = p;
    }
    return chain;
  }

  async applyLayer(ctx: Ctx, parent: string | undefined, tar: Readable): Promise<AppliedLayer> {
    const applied = await this.unpackLayer(ctx, tar);
    try {
      await this.commitLayer(ctx, applied.id, parent);
    } catch (err) {
      await this.removeLayer(ctx, applied.id);
      throw err;
    }
    return applied;
  }

  async unpackLayer(ctx: Ctx, tar: Readable): Promise<AppliedLayer> {
    const id = newId();
    const tmp = `${this.root}/${id}.tmp`;
    await mkdir(tmp, { mode: 0o700 });
    try {
      await mkdir(`${tmp}/diff`, { mode: 0o755 });
      await this.#own(`${tmp}/diff`);
      return { id, ...(await applyLayer(ctx, tar, `${tmp}/diff`, { idMapping: this.#ids })) };
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  async commitLayer(_ctx: Ctx, id: string, parent: string | undefined): Promise<void> {
    const tmp = `${this.root}/${id}.tmp`;
    const pending = await stat(tmp).catch(() => undefined);
    if (!pending) {
      // committed already: fine when it stands where it was asked to
      const had = (await readFile(`${this.root}/${id}/parent`, 'utf8').catch(() => '')).trim();
      if ((had || undefined) !== parent) throw new Error(`layer ${id} is not pending, and stands on ${had || 'nothing'}`);
      return;
    }
    if (parent !== undefined) {
      const parents = [parent, ...(await this.#parentsOf(parent))];
      await writeFile(`${tmp}/lower`, await this.#lowerString(parents));
      await writeFile(`${tmp}/parent`, parent);
    }
    await rename(tmp, `${this.root}/${id}`);
    await this.#makeLink(id);
  }

  async removeLayer(_ctx: Ctx, id: string): Promise<void> {
    const link = await this.#link(id).catch(() => undefined);
    if (link) await rm(`${this.root}/l/${link}`, { force: true });
    this.#links.delete(id);
    await rm(`${this.root}/${id}`, { recursive: true, force: true });
    await rm(`${this.root}/${id}.tmp`, { recursive: true, force: true });
  }

  layerDir(id: string): string {
    return `${this.root}/${id}/diff`;
  }

  graphData(ids: readonly string[]): Record<string, string> {
    if (ids.length === 0) return {};
    const top = `${this.root}/${ids[0]}`;
    const data: Record<string, string> = {};
    if (ids.length > 1) data.LowerDir = ids.slice(1).map((i) => this.layerDir(i)).join(':');
    data.MergedDir = `${top}/merged`;
    data.UpperDir = `${top}/diff`;
    data.WorkDir = `${top}/work`;
    return data;
  }

  async prepare(_ctx: Ctx, key: string, parents: readonly string[]): Promise<RootfsLayout> {
    const dir = `${this.root}/${key}`;
    if (!(await this.exists(key))) {
      const tmp = `${dir}.tmp`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { mode: 0o700 });
      await mkdir(`${tmp}/diff`, { mode: 0o755 });
      await mkdir(`${tmp}/work`, { mode: 0o700 });
      await this.#own(`${tmp}/diff`, `${tmp}/work`);
      if (parents.length === 0) {
        await mkdir(`${tmp}/empty`, { mode: 0o755 });
        await this.#own(`${tmp}/empty`);
      } else await writeFile(`${tmp}/lower`, await this.#lowerString(parents));
      await writeFile(`${tmp}/parents`, parents.join('\n'));
      await rename(tmp, dir);
      await this.#makeLink(key);
    }
    return this.layout(key, parents);
  }

  async layout(key: string, parents: readonly string[]): Promise<RootfsLayout> {
    const dir = `${this.root}/${key}`;
    const links = await Promise.all(parents.map((p) => this.#link(p)));
    const rel = links.length > 0 ? links.map((l) => `l/${l}`) : [`${key}/empty`];
    return {
      lowerDirs: rel.map((r) => `${this.root}/${r}`),
      upperDir: `${dir}/diff`,
      workDir: `${dir}/work`,
      relativeLowerDirs: rel,
      baseDir: this.root,
    };
  }

  async exists(key: string): Promise<boolean> {
    const s = await stat(`${this.root}/${key}/work`).catch(() => undefined);
    return s !== undefined;
  }

  async remove(ctx: Ctx, key: string): Promise<void> {
    await this.removeLayer(ctx, key);
  }

  diff(ctx: Ctx, layout: RootfsLayout): Readable {
    return diffLayer(layout.upperDir, ctx.log, this.#owners);
  }

  changes(_ctx: Ctx, layout: RootfsLayout): Promise<Change[]> {
    return overlayChanges(layout.lowerDirs, layout.upperDir);
  }

  exportMerged(ctx: Ctx, layout: RootfsLayout): Readable {
    return exportMerged([layout.upperDir, ...layout.lowerDirs], ctx.log, this.#owners);
  }
}
