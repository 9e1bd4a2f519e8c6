import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { BerthError, ConflictError, NotFoundError, errorMessage } from '../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import { newId } from '../../common/ids.ts';
import type { DriverVolume, VolumeDriver } from '../../drivers/volume/contract.ts';
import type { EventsService } from '../events/events.ts';
import { ANONYMOUS_LABEL, type VolumeCreateOptions, type VolumeView, type VolumesForContainers } from './contract.ts';
import { filterVolumes, pruneSelection, rfc3339Local } from './filters.ts';

interface VolumeMeta {
  Name: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
}

export interface VolumesServiceOptions {
  /** Where the service keeps its metadata (`<data-root>/volumes`, shared with the local driver's dirs). */
  root: string;
  drivers: VolumeDriver[];
  events: EventsService;
}

/**
 * Volumes: names, labels, driver options and references (moby's VolumesService + VolumeStore). Data lives in
 * the drivers. A volume referenced by a container (created or running) is "in use" and cannot be removed.
 */
export class VolumesService implements VolumesForContainers {
  readonly #drivers = new Map<string, VolumeDriver>();
  readonly #meta = new Map<string, VolumeMeta>();
  readonly #refs = new Map<string, Set<string>>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #metaFile: string;
  readonly #events: EventsService;
  #pruning = false;
  #saving: Promise<void> = Promise.resolve();

  private constructor(o: VolumesServiceOptions) {
    for (const d of o.drivers) this.#drivers.set(d.name, d);
    this.#metaFile = join(o.root, '.metadata.json');
    this.#events = o.events;
  }

  static async create(ctx: Ctx, o: VolumesServiceOptions): Promise<VolumesService> {
    const s = new VolumesService(o);
    for (const d of o.drivers) await d.init(ctx);
    const saved = (await readJson<Record<string, VolumeMeta>>(s.#metaFile)) ?? {};
    for (const [name, m] of Object.entries(saved)) {
      if (s.#drivers.get(m.Driver)?.get(name)) s.#meta.set(name, m);
    }
    // volumes a driver has but the metadata lost (or a copied data root): adopt them without labels
    for (const d of o.drivers) {
      for (const v of d.list()) if (!s.#meta.has(v.name)) s.#meta.set(v.name, { Name: v.name, Driver: d.name, Labels: null, Options: v.options });
    }
    return s;
  }

  async #locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.then(
      () => {},
      () => {},
    );
    this.#locks.set(name, settled);
    try {
      return await next;
    } finally {
      if (this.#locks.get(name) === settled) this.#locks.delete(name);
    }
  }

  #save(): Promise<void> {
    const snapshot = Object.fromEntries(this.#meta);
    this.#saving = this.#saving.then(() => writeJsonAtomic(this.#metaFile, snapshot));
    return this.#saving;
  }

  #driver(name: string, volume: string, op: string): VolumeDriver {
    const d = this.#drivers.get(name);
    if (!d) throw new NotFoundError(`${op} ${volume}: error looking up volume plugin ${name}: plugin ${JSON.stringify(name)} not found`);
    return d;
  }

  #view(m: VolumeMeta, dv: DriverVolume): VolumeView {
    return {
      CreatedAt: rfc3339Local(dv.createdAt),
      Driver: m.Driver,
      Labels: m.Labels,
      Mountpoint: dv.path,
      Name: m.Name,
      Options: m.Options,
      Scope: this.#drivers.get(m.Driver)?.scope ?? 'local',
    };
  }

  emit(name: string, action: string, attributes: Record<string, string>): void {
    this.#events.emit({ type: 'volume', action, id: name, attributes });
  }

  // ------------------------------------------------------------------ create / get / list

  async create(ctx: Ctx, name: string, driver: string, o: VolumeCreateOptions = {}): Promise<VolumeView> {
    let labels = o.labels ?? null;
    if (name === '') {
      name = newId();
      labels = { ...(labels ?? {}), [ANONYMOUS_LABEL]: '' };
    }
    const vname = name;
    return this.#locked(vname, async () => {
      const existing = this.#meta.get(vname);
      if (existing) {
        const dv = this.#drivers.get(existing.Driver)?.get(vname);
        if (dv) {
          if (driver && driver !== existing.Driver) throw new ConflictError(`create ${vname}: volume name must be unique: driver '${existing.Driver}' already has volume '${vname}'`);
          if (o.ref) this.reference(vname, o.ref);
          return this.#view(existing, dv);
        }
        this.#meta.delete(vname);
      }
      const dname = driver || 'local';
      const d = this.#driver(dname, vname, 'create');
      const opts = o.opts && Object.keys(o.opts).length > 0 ? { ...o.opts } : null;
      let dv: DriverVolume;
      try {
        dv = await d.create(ctx, vname, opts ?? {});
      } catch (err) {
        if (err instanceof BerthError) {
          const E = err.constructor as new (m: string, o?: { cause?: unknown }) => BerthError;
          throw new E(`create ${vname}: ${err.message}`, { cause: err });
        }
        throw err;
      }
      const m: VolumeMeta = { Name: vname, Driver: d.name, Labels: labels, Options: opts };
      this.#meta.set(vname, m);
      if (o.ref) this.reference(vname, o.ref);
      await this.#save();
      this.emit(vname, 'create', { driver: d.name });
      return this.#view(m, dv);
    });
  }

  #find(name: string): { m: VolumeMeta; dv: DriverVolume } | undefined {
    const m = this.#meta.get(name);
    if (!m) return undefined;
    const dv = this.#drivers.get(m.Driver)?.get(name);
    return dv ? { m, dv } : undefined;
  }

  get(name: string): VolumeView {
    const f = this.#find(name);
    if (!f) throw new NotFoundError(`get ${name}: no such volume`);
    return this.#view(f.m, f.dv);
  }

  /** GET /volumes: filters dangling, name, driver, label. */
  list(filters: Map<string, string[]>): { Volumes: VolumeView[]; Warnings: string[] | null } {
    const all = [...this.#meta.values()].flatMap((m) => {
      const f = this.#find(m.Name);
      return f ? [{ view: this.#view(f.m, f.dv), refs: this.#refs.get(m.Name)?.size ?? 0 }] : [];
    });
    const sel = filterVolumes(all, filters);
    return { Volumes: sel.sort((a, b) => (a.Name < b.Name ? -1 : 1)), Warnings: null };
  }

  /** Volumes with their disk usage and reference counts (`docker system df -v`). */
  async usage(): Promise<VolumeView[]> {
    const out: VolumeView[] = [];
    for (const m of this.#meta.values()) {
      const f = this.#find(m.Name);
      if (!f) continue;
      const v = this.#view(f.m, f.dv);
      v.UsageData = { Size: m.Driver === 'local' && !m.Options ? await dirSize(f.dv.path) : -1, RefCount: this.#refs.get(m.Name)?.size ?? 0 };
      out.push(v);
    }
    return out;
  }

  // ------------------------------------------------------------------ references and mounts

  reference(name: string, ref: string): void {
    let s = this.#refs.get(name);
    if (!s) {
      s = new Set();
      this.#refs.set(name, s);
    }
    s.add(ref);
  }

  release(name: string, ref: string): void {
    const s = this.#refs.get(name);
    if (!s) return;
    s.delete(ref);
    if (s.size === 0) this.#refs.delete(name);
  }

  refsOf(name: string): string[] {
    return [...(this.#refs.get(name) ?? [])];
  }

  async mount(ctx: Ctx, name: string, ref: string): Promise<string> {
    const f = this.#find(name);
    if (!f) throw new NotFoundError(`get ${name}: no such volume`);
    return this.#driver(f.m.Driver, name, 'mount').mount(ctx, name, ref);
  }

  async unmount(ctx: Ctx, name: string, ref: string): Promise<void> {
    const f = this.#find(name);
    if (!f) return;
    await this.#drivers.get(f.m.Driver)?.unmount(ctx, name, ref);
  }

  liveRestore(name: string, ref: string): void {
    const m = this.#meta.get(name);
    if (m) this.#drivers.get(m.Driver)?.liveRestore(name, ref);
  }

  // ------------------------------------------------------------------ remove / prune

  async remove(ctx: Ctx, name: string, o: { force?: boolean } = {}): Promise<void> {
    await this.#locked(name, async () => {
      const f = this.#find(name);
      if (!f) {
        if (o.force) return;
        throw new NotFoundError(`get ${name}: no such volume`);
      }
      const refs = this.refsOf(name);
      if (refs.length > 0) throw new ConflictError(`remove ${name}: volume is in use - [${refs.join(', ')}]`);
      try {
        await this.#drivers.get(f.m.Driver)!.remove(ctx, name);
      } catch (err) {
        if (!o.force) throw new (err instanceof BerthError ? (err.constructor as typeof BerthError) : BerthError)(`remove ${name}: ${errorMessage(err)}`, { cause: err });
      }
      this.#meta.delete(name);
      await this.#save();
      this.emit(name, 'destroy', { driver: f.m.Driver });
    });
  }

  /**
   * POST /volumes/prune: unused local volumes without driver options; only anonymous ones unless the `all`
   * filter is true (API < 1.42 behaves as all=true, as dockerd).
   */
  async prune(ctx: Ctx, filters: Map<string, string[]>, apiVersion: number): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    if (this.#pruning) throw new ConflictError('a prune operation is already running');
    this.#pruning = true;
    try {
      const f = new Map(filters);
      if (apiVersion < 1.42) f.set('all', ['true']);
      const candidates = [...this.#meta.values()].flatMap((m) => {
        const x = this.#find(m.Name);
        return x && m.Driver === 'local' && !m.Options && !this.#refs.get(m.Name)?.size ? [this.#view(x.m, x.dv)] : [];
      });
      const sel = pruneSelection(candidates, f);
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const v of sel) {
        const size = await dirSize(v.Mountpoint);
        try {
          await this.remove(ctx, v.Name);
        } catch (err) {
          ctx.log.warn('Could not remove volume', { volume: v.Name, error: errorMessage(err) });
          continue;
        }
        reclaimed += size;
        deleted.push(v.Name);
      }
      this.emit('', 'prune', { reclaimed: String(reclaimed) });
      return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
    } finally {
      this.#pruning = false;
    }
  }
}

/** Bytes used by a directory tree (moby's directory.Size: regular files, hard links counted once). */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  const walk = async (d: string): Promise<void> => {
    let ents: import('node:fs').Dirent[];
    try {
      ents = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        await walk(p);
        continue;
      }
      const st = await lstat(p).catch(() => undefined);
      if (!st) continue;
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  };
  await walk(dir);
  return total;
}
