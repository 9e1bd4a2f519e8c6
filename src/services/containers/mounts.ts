import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { InvalidArgumentError, NotFoundError, SystemError, errorMessage } from '../../common/errors.ts';
import {
  type MountPointRecord,
  cleanPath,
  duplicateMountPointError,
  parseBind,
  parseMountSpec,
  parseVolumesFrom,
  readWrite,
  tmpfsOptions,
  validateTmpfsDestination,
} from '../../domain/container/mounts.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';
import type { SpecMount } from '../../domain/oci-spec/spec.ts';
import { type IdentityMapping, type IdPair, isEmptyMapping, rootPair } from '../../domain/userns/id-map.ts';
import { run } from '../../system/exec/exec.ts';
import type { VolumesForContainers } from '../volumes/contract.ts';
import { ensurePropagation, resolveInRoot } from './scope-path.ts';

export type MountPoints = Record<string, MountPointRecord>;

export interface ContainerMountsDeps {
  volumes: VolumesForContainers;
  findContainer: (ref: string) => ContainerRecord | undefined;
  /**
   * The daemon's `--userns-remap` mapping, if any: a missing bind source the daemon creates belongs to the
   * containers' root on the host (dockerd's daemon-wide idMapping.RootPair(), `--userns=host` containers too).
   */
  idMapping?: () => IdentityMapping | undefined;
}

/**
 * A container's mount points: built at create from `--volumes-from`, `-v`, `--mount` and the image's VOLUMEs
 * (volumes are created and referenced then, and new empty ones get the image's content), mounted at each start
 * (volume `mount` events), unmounted at each stop (`unmount`), released at removal (`rm -v` removes the
 * anonymous ones). Mirrors dockerd's registerMountPoints / createContainerVolumesOS / setupMounts.
 */
export class ContainerMounts {
  readonly #d: ContainerMountsDeps;
  /** Containers whose volumes are mounted (started, not yet cleaned up). */
  readonly #mounted = new Set<string>();

  constructor(d: ContainerMountsDeps) {
    this.#d = d;
  }

  /**
   * Undo of register/createImageVolumes for a create that failed: releases the references and removes the
   * volumes this create made (a failed `docker run` leaves no volume behind).
   */
  async discard(ctx: Ctx, rec: ContainerRecord, mps: MountPoints, created: string[]): Promise<void> {
    for (const m of Object.values(mps)) if (m.Type === 'volume' && m.Name) this.#d.volumes.release(m.Name, rec.Id);
    for (const name of created) {
      this.#d.volumes.release(name, rec.Id);
      await this.#d.volumes.remove(ctx, name).catch(() => {});
    }
  }

  /** Creates (or gets) a volume referenced by the container; remembers it in `created` when it is new. */
  async #volume(ctx: Ctx, rec: ContainerRecord, name: string, driver: string, created: string[], o: { opts?: Record<string, string> | null; labels?: Record<string, string> | null } = {}) {
    let existed = false;
    if (name) {
      try {
        this.#d.volumes.get(name);
        existed = true;
      } catch {
        // a new volume
      }
    }
    const v = await this.#d.volumes.create(ctx, name, driver, { ...o, ref: rec.Id });
    if (!existed) created.push(v.Name);
    return v;
  }

  /**
   * HostConfig.VolumesFrom, Binds and Mounts → mount points (later ones replace earlier ones at the same
   * destination; a bind or --mount twice at one destination is an error). Volumes are created now and
   * referenced by the container; on failure every reference taken is released.
   */
  async register(ctx: Ctx, rec: ContainerRecord, created: string[]): Promise<MountPoints> {
    const h = rec.HostConfig;
    const mps: MountPoints = {};
    const taken: { name: string }[] = [];
    const vs = this.#d.volumes;
    try {
      for (const spec of h.VolumesFrom ?? []) {
        const { ref, mode } = parseVolumesFrom(spec);
        const src = this.#d.findContainer(ref);
        if (!src) throw new InvalidArgumentError(`No such container: ${ref}`);
        for (const m of Object.values(src.MountPoints ?? {})) {
          const cp: MountPointRecord = { ...m, RW: m.RW && readWrite(mode), CopyData: false };
          if (m.Type === 'volume' && m.Name) {
            vs.get(m.Name);
            vs.reference(m.Name, rec.Id);
            taken.push({ name: m.Name });
          }
          mps[cp.Destination] = cp;
        }
      }
      for (const dest of Object.keys(h.Tmpfs ?? {})) validateTmpfsDestination(dest);
      const tmpfs = new Set(Object.keys(h.Tmpfs ?? {}).map((d) => cleanPath(d)));
      const binds = new Set<string>();
      // a volume mount point names the volume it got (an anonymous one gets its generated name)
      const useVolume = (mp: MountPointRecord, v: { Name: string; Driver: string; Mountpoint: string }) => {
        taken.push({ name: v.Name });
        mp.Name = v.Name;
        mp.Driver = v.Driver;
        mp.Source = v.Mountpoint;
        if (mp.Driver === 'local' && mp.Mode === '') mp.Mode = 'z';
      };
      for (const b of h.Binds ?? []) {
        const mp = parseBind(b, h.VolumeDriver);
        if (binds.has(mp.Destination) || tmpfs.has(mp.Destination)) throw duplicateMountPointError(mp.Destination);
        if (mp.Type === 'volume') useVolume(mp, await this.#volume(ctx, rec, mp.Name, mp.Driver, created));
        binds.add(mp.Destination);
        mps[mp.Destination] = mp;
      }
      for (const raw of (h.Mounts ?? []) as MountPointRecord['Spec'][]) {
        if (raw === null || typeof raw !== 'object') throw new InvalidArgumentError('json: cannot unmarshal into Go struct field HostConfig.Mounts of type mount.Mount');
        const mp = parseMountSpec(raw, (p) => existsSync(p));
        if (binds.has(mp.Destination)) throw duplicateMountPointError(raw.Target ?? mp.Destination);
        if (mp.Type === 'volume') {
          const vo = raw.VolumeOptions;
          useVolume(mp, await this.#volume(ctx, rec, mp.Name, mp.Driver, created, { opts: vo?.DriverConfig?.Options ?? null, labels: vo?.Labels ?? null }));
        }
        binds.add(mp.Destination);
        mps[mp.Destination] = mp;
      }
      // references of mount points a later one replaced
      const kept = new Set(Object.values(mps).filter((m) => m.Type === 'volume').map((m) => m.Name));
      for (const t of taken) if (!kept.has(t.name)) vs.release(t.name, rec.Id);
      return mps;
    } catch (err) {
      for (const t of taken) vs.release(t.name, rec.Id);
      for (const name of created) await vs.remove(ctx, name).catch(() => {});
      created.length = 0;
      throw err;
    }
  }

  /** Config.Volumes destinations (image VOLUME, `-v /path`) with nothing mounted yet. */
  imageVolumeTargets(rec: ContainerRecord, mps: MountPoints): string[] {
    const tmpfs = new Set(Object.keys(rec.HostConfig.Tmpfs ?? {}).map((d) => cleanPath(d)));
    return Object.keys(rec.Config.Volumes ?? {})
      .map((v) => cleanPath(v))
      .filter((d, i, all) => all.indexOf(d) === i && !mps[d] && !tmpfs.has(d));
  }

  /** Anonymous volumes for the image's VOLUMEs (and `-v /path`), referenced by the container. */
  async createImageVolumes(ctx: Ctx, rec: ContainerRecord, mps: MountPoints, created: string[]): Promise<void> {
    for (const dest of this.imageVolumeTargets(rec, mps)) {
      const v = await this.#volume(ctx, rec, '', rec.HostConfig.VolumeDriver, created);
      mps[dest] = { Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: dest, Driver: v.Driver, Mode: '', RW: true, Propagation: '', CopyData: true, Spec: { Type: 'volume' } };
    }
  }

  /** Volume mount points that get the image's content: copy mode on and the volume still empty. */
  async toPopulate(mps: MountPoints): Promise<MountPointRecord[]> {
    const out: MountPointRecord[] = [];
    for (const m of Object.values(mps)) {
      if (m.Type !== 'volume' || !m.CopyData) continue;
      const entries = await readdir(m.Source).catch(() => [] as string[]);
      if (entries.length === 0) out.push(m);
    }
    return out;
  }

  /**
   * Copies the image's content at each destination into its (empty) volume, with owners and modes, as dockerd
   * does at create. `rootfs` is the container's root filesystem, mounted by the caller. An image VOLUME over a
   * file is refused with dockerd's message.
   */
  async populate(ctx: Ctx, rec: ContainerRecord, rootfs: string, list: MountPointRecord[], imageTargets: string[]): Promise<void> {
    for (const dest of imageTargets) {
      const p = await resolveInRoot(rootfs, dest);
      const st = await stat(p).catch(() => undefined);
      if (st && !st.isDirectory()) throw new SystemError(`cannot mount volume over existing file, file exists ${p}`);
    }
    for (const m of list) {
      const src = await resolveInRoot(rootfs, m.Destination);
      const st = await stat(src).catch(() => undefined);
      if (!st?.isDirectory()) continue;
      const path = await this.#d.volumes.mount(ctx, m.Name, `populate-${rec.Id}`);
      try {
        const target = m.Spec.VolumeOptions?.Subpath ? await subpathIn(path, m.Spec.VolumeOptions.Subpath) : path;
        if ((await readdir(target)).length > 0) continue;
        const r = await run(ctx, 'cp', ['-a', '--', `${src}/.`, `${target}/`], { allowFail: true });
        if (r.code !== 0) throw new SystemError(`failed to populate volume: ${r.stderr.trim()}`);
      } finally {
        await this.#d.volumes.unmount(ctx, m.Name, `populate-${rec.Id}`);
      }
    }
  }

  /**
   * The OCI mounts of a start: volumes mounted (a `mount` event each), missing `-v` bind sources created,
   * `--mount type=tmpfs` and `--tmpfs`. On failure the volumes mounted so far are unmounted again.
   */
  async setup(ctx: Ctx, rec: ContainerRecord): Promise<SpecMount[]> {
    const out: SpecMount[] = [];
    const tmpfs = new Set(Object.keys(rec.HostConfig.Tmpfs ?? {}).map((d) => cleanPath(d)));
    const mounted: MountPointRecord[] = [];
    try {
      for (const m of Object.values(rec.MountPoints ?? {})) {
        if (tmpfs.has(m.Destination)) continue;
        if (m.Type === 'tmpfs') {
          const opts = tmpfsOptions(m.Spec.TmpfsOptions ?? undefined, m.Spec.ReadOnly ?? false);
          out.push({ type: 'tmpfs', destination: m.Destination, options: opts ? opts.split(',') : [] });
          continue;
        }
        if (m.Type === 'volume') {
          let path = await this.#d.volumes.mount(ctx, m.Name, rec.Id);
          mounted.push(m);
          const sub = m.Spec.VolumeOptions?.Subpath;
          if (sub) path = await subpathIn(path, sub);
          this.#d.volumes.emit(m.Name, 'mount', { driver: m.Driver, container: rec.Id, destination: m.Destination, 'read/write': String(m.RW), propagation: m.Propagation });
          out.push({ type: 'bind', source: path, destination: m.Destination, readonly: !m.RW, propagation: m.Propagation || undefined });
          continue;
        }
        if (!m.SkipMountpointCreation) {
          await mkdirAllOwnedNew(m.Source, 0o755, this.#rootOwner()).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOTDIR' && err.code !== 'EEXIST') throw new SystemError(`error while creating mount source path '${m.Source}': ${err.message}`);
          });
        }
        if (m.Propagation && m.Propagation !== 'rprivate' && m.Propagation !== 'private') {
          await ensurePropagation(m.Source, m.Propagation).catch((err: Error) => {
            throw new SystemError(err.message);
          });
        }
        out.push({ type: 'bind', source: m.Source, destination: m.Destination, readonly: !m.RW, propagation: m.Propagation || undefined, nonRecursive: m.Spec.BindOptions?.NonRecursive || undefined });
      }
      for (const [dest, opts] of Object.entries(rec.HostConfig.Tmpfs ?? {})) {
        out.push({ type: 'tmpfs', destination: cleanPath(dest), options: opts ? opts.split(',') : [] });
      }
    } catch (err) {
      for (const m of mounted) await this.#d.volumes.unmount(ctx, m.Name, rec.Id).catch(() => {});
      throw err;
    }
    if (mounted.length > 0) this.#mounted.add(rec.Id);
    return out;
  }

  /** The owner of what the daemon creates for containers on the host: the remapped root, else undefined (root). */
  #rootOwner(): IdPair | undefined {
    const m = this.#d.idMapping?.();
    return isEmptyMapping(m) ? undefined : rootPair(m);
  }

  /** After the container stopped: unmount its volumes (an `unmount` event each). Idempotent. */
  async unmountAll(ctx: Ctx, rec: ContainerRecord): Promise<void> {
    if (!this.#mounted.delete(rec.Id)) return;
    for (const m of Object.values(rec.MountPoints ?? {})) {
      if (m.Type !== 'volume' || !m.Name) continue;
      try {
        await this.#d.volumes.unmount(ctx, m.Name, rec.Id);
        this.#d.volumes.emit(m.Name, 'unmount', { driver: m.Driver, container: rec.Id });
      } catch (err) {
        ctx.log.warn('volume unmount failed', { volume: m.Name, container: rec.Id, error: errorMessage(err) });
      }
    }
  }

  /** Container removal: release its volumes; with `rm -v` remove the anonymous ones no other container uses. */
  async remove(ctx: Ctx, rec: ContainerRecord, removeVolumes: boolean): Promise<void> {
    await this.unmountAll(ctx, rec);
    const errs: string[] = [];
    for (const m of Object.values(rec.MountPoints ?? {})) {
      if (m.Type !== 'volume' || !m.Name) continue;
      this.#d.volumes.release(m.Name, rec.Id);
      if (!removeVolumes || m.Spec.Source) continue;
      try {
        await this.#d.volumes.remove(ctx, m.Name);
      } catch (err) {
        if (!/volume is in use/.test(errorMessage(err)) && !/no such volume/.test(errorMessage(err))) errs.push(errorMessage(err));
      }
    }
    if (errs.length > 0) ctx.log.warn(`Error removing volumes:\n${errs.join('\n')}`, { container: rec.Id });
  }

  /** Daemon start: the container's references again, and its mounts if it still runs. */
  restore(rec: ContainerRecord, running: boolean): void {
    let any = false;
    for (const m of Object.values(rec.MountPoints ?? {})) {
      if (m.Type !== 'volume' || !m.Name) continue;
      this.#d.volumes.reference(m.Name, rec.Id);
      if (running) {
        this.#d.volumes.liveRestore(m.Name, rec.Id);
        any = true;
      }
    }
    if (any) this.#mounted.add(rec.Id);
  }
}

/**
 * mkdir -p of `path`; with `owner`, the directories it creates (only those) are chowned to it (moby's
 * idtools.MkdirAllAndChownNew). Exported for tests.
 */
export async function mkdirAllOwnedNew(path: string, mode: number, owner: IdPair | undefined): Promise<void> {
  const target = resolve(path);
  const first = await mkdir(target, { recursive: true, mode });
  if (first === undefined || !owner) return;
  let p = resolve(first);
  await chown(p, owner.uid, owner.gid);
  for (const part of relative(p, target).split('/').filter((x) => x !== '')) {
    p = join(p, part);
    await chown(p, owner.uid, owner.gid);
  }
}

/** `volume-subpath`: the path inside the volume, which must exist and stay inside it after symlinks (safepath.Join). */
async function subpathIn(volumePath: string, sub: string): Promise<string> {
  const base = await realpath(volumePath);
  const joined = `${base}/${sub}`;
  let p: string;
  try {
    p = await realpath(joined);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new NotFoundError(`cannot access path ${joined}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
  }
  if (p !== base && !p.startsWith(`${base}/`)) throw new InvalidArgumentError(`path concatenation escapes the base directory, base: ${base}, subpath: ${sub}`);
  return p;
}
