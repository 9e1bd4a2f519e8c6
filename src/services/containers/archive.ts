import { existsSync } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Ctx } from '../../common/ctx.ts';
import { BerthError, InvalidArgumentError, NotFoundError, SystemError, errorMessage } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { type PathStat, archiveAbsPath, followsLastElement, pathStat } from '../../domain/container/archive-paths.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';
import { resolveUser } from '../../domain/oci-spec/user.ts';
import { type IdentityMapping, type IdPair, isEmptyMapping, pairToContainer, pairToHost } from '../../domain/userns/id-map.ts';
import type { EventsService } from '../events/events.ts';
import type { VolumesForContainers } from '../volumes/contract.ts';
import { type ArchiveOwners, archiveView } from './archive-tar.ts';
import { extractToView } from './archive-extract.ts';
import type { ContainerService } from './container-service.ts';
import { DirView, type FsView, LayerView, MountedView, type ViewMount, resolveInView } from './fs-view.ts';

/** File systems whose content `docker cp` leaves out of an archive of a running container (dockerd never sees them). */
const PSEUDO_FS = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue', 'debugfs', 'securityfs', 'tracefs', 'fusectl', 'configfs', 'pstore', 'bpf']);

/** The network files dockerd mounts into a container (container dir → container path). */
const NETWORK_FILES = [
  ['hosts', '/etc/hosts'],
  ['resolv.conf', '/etc/resolv.conf'],
  ['hostname', '/etc/hostname'],
] as const;

export interface ArchiveDeps {
  containers: ContainerService;
  volumes: VolumesForContainers;
  events: EventsService;
  /**
   * The daemon's `--userns-remap` mapping (dockerd's daemon.idMapping, for every container, `--userns=host` ones
   * too, since their layers are shifted as well): archives say the container's IDs, extracted files get host IDs.
   */
  idMapping?: IdentityMapping;
}

interface OpenView {
  view: FsView;
  rec: ContainerRecord;
  close(): Promise<void>;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT';
}

/**
 * `docker cp`: the archive endpoints over a container's file system (moby's daemon/archive*.go). A running
 * container is read and written through /proc/<pid>/root, so its volumes, binds and tmpfs mounts are where the
 * container sees them; a stopped one through its overlay layers (no mount) with its volumes and binds over them.
 * Operations hold the container's lifecycle lock (an archive until it is read), so a start does not race them.
 */
export class ContainerArchive {
  readonly #d: ArchiveDeps;
  readonly #ids: IdentityMapping | undefined;
  /** Host owners as the container sees them (undefined without remapping). */
  readonly #owners: ArchiveOwners | undefined;

  constructor(d: ArchiveDeps) {
    this.#d = d;
    const ids = isEmptyMapping(d.idMapping) ? undefined : d.idMapping;
    this.#ids = ids;
    this.#owners = ids ? (p) => pairToContainer(ids, p) : undefined;
  }

  async #open(ctx: Ctx, rec: ContainerRecord): Promise<OpenView> {
    if (rec.State.Running && !rec.State.Restarting && rec.State.Pid > 0) {
      const root = `/proc/${rec.State.Pid}/root`;
      return { view: new DirView(root, await pseudoMounts(rec.State.Pid)), rec, close: async () => {} };
    }
    const { layout } = await this.#d.containers.rootfsOf(rec.Id);
    const base = new LayerView(ctx, [layout.upperDir, ...layout.lowerDirs]);
    const mounts: ViewMount[] = [];
    const held: string[] = [];
    const ref = `cp-${newId().slice(0, 12)}`;
    const close = async () => {
      for (const name of held) await this.#d.volumes.unmount(ctx, name, ref).catch(() => {});
    };
    try {
      const dir = this.#d.containers.store.dir(rec.Id);
      const taken = new Set(Object.keys(rec.MountPoints ?? {}));
      for (const [file, dest] of NETWORK_FILES) {
        if (!taken.has(dest) && existsSync(join(dir, file))) mounts.push({ destination: dest, view: new DirView(join(dir, file)) });
      }
      for (const m of Object.values(rec.MountPoints ?? {})) {
        let source = m.Source;
        if (m.Type === 'volume' && m.Name) {
          source = await this.#d.volumes.mount(ctx, m.Name, ref);
          held.push(m.Name);
          const sub = m.Spec.VolumeOptions?.Subpath;
          if (sub) source = await inside(source, sub);
        } else if (m.Type !== 'bind') continue;
        if (source && existsSync(source)) mounts.push({ destination: m.Destination, view: new DirView(source) });
      }
    } catch (err) {
      await close();
      throw err;
    }
    return { view: new MountedView(base, mounts), rec, close };
  }

  /**
   * Runs `fn` with the container's file system under its lock; the lock and the view are released when the
   * promise `fn` returns (its `hold`) settles. ENOENT becomes dockerd's "Could not find the file …".
   */
  #with<T>(ctx: Ctx, ref: string, path: string, fn: (v: OpenView) => Promise<{ value: T; hold?: Promise<unknown> }>): Promise<T> {
    if (!path) return Promise.reject(new InvalidArgumentError('bad parameter: path cannot be empty'));
    return new Promise<T>((resolve, reject) => {
      const fail = (err: unknown) => reject(isMissing(err) ? new NotFoundError(`Could not find the file ${path} in container ${ref}`) : err);
      this.#d.containers
        .exclusive(ref, async (rec) => {
          const v = await this.#open(ctx, rec);
          try {
            const { value, hold } = await fn(v);
            resolve(value);
            await hold?.catch(() => {});
          } finally {
            await v.close();
          }
        })
        .catch(fail);
    });
  }

  async #stat(view: FsView, absPath: string): Promise<{ stat: PathStat; source: string; isDir: boolean }> {
    const source = await resolveInView(view, absPath, followsLastElement(absPath));
    const e = await view.lookup(source);
    if (!e) throw Object.assign(new Error(`lstat ${absPath}: no such file or directory`), { code: 'ENOENT' });
    const isDir = e.st.isDirectory();
    if (!isDir && followsLastElement(absPath)) throw new SystemError(`lstat ${absPath}: not a directory`);
    const big = await lstat(e.host, { bigint: true });
    const linkTarget = e.st.isSymbolicLink() ? await resolveInView(view, absPath, true) : '';
    return { stat: pathStat(absPath, { mode: e.st.mode, size: e.st.size, mtimeNs: big.mtimeNs }, linkTarget), source, isDir };
  }

  /** HEAD /containers/{id}/archive */
  stat(ctx: Ctx, ref: string, path: string): Promise<PathStat> {
    return this.#with(ctx, ref, path, async ({ view }) => ({ value: (await this.#stat(view, archiveAbsPath(path))).stat }));
  }

  /** GET /containers/{id}/archive: the stat of the resource and a tar of it (read it to release the container). */
  archive(ctx: Ctx, ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    return this.#with(ctx, ref, path, async ({ view, rec }) => {
      const absPath = archiveAbsPath(path);
      const { stat, source } = await this.#stat(view, absPath);
      const tar = archiveView(view, source, absPath, ctx.log, this.#owners);
      this.#emit(rec, 'archive-path');
      // a stopped container's layers stay locked until the archive is read; a running one is read live
      return { value: { stat, tar }, hold: rec.State.Running ? undefined : finished(tar) };
    });
  }

  /** PUT /containers/{id}/archive: unpacks `input` into the directory `path`. */
  extract(ctx: Ctx, ref: string, path: string, input: Readable, o: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void> {
    return this.#with(ctx, ref, path, async ({ view, rec }) => {
      const dest = await resolveInView(view, `/${path}`, true);
      const e = await view.lookup(dest);
      if (!e) throw Object.assign(new Error(`lstat ${dest}: no such file or directory`), { code: 'ENOENT' });
      if (!e.st.isDirectory()) throw new InvalidArgumentError('extraction point is not a directory');
      checkWritable(rec, dest);
      const chown = o.copyUIDGID && rec.Config.User ? this.#toHost(await containerUser(view, rec.Config.User)) : undefined;
      try {
        await extractToView(ctx, view, dest, input, { noOverwriteDirNonDir: o.noOverwriteDirNonDir, chown, idMapping: this.#ids });
      } catch (err) {
        // dockerd: not-exist errors are "Could not find the file", typed ones keep their status, the rest are 500s
        if (err instanceof BerthError || isMissing(err)) throw err;
        throw new SystemError(errorMessage(err), { cause: err });
      }
      this.#emit(rec, 'extract-to-dir');
      return { value: undefined };
    });
  }

  /**
   * `cp -a`'s container user as host IDs: with `--userns-remap` shifted into the range, so that the container
   * sees its user own the files (moby#53084); an ID outside the range is a server error.
   */
  #toHost(user: IdPair): IdPair {
    if (!this.#ids) return user;
    try {
      return pairToHost(this.#ids, user);
    } catch (err) {
      throw new SystemError(errorMessage(err), { cause: err });
    }
  }

  #emit(rec: ContainerRecord, action: string): void {
    this.#d.events.emit({
      type: 'container',
      action,
      id: rec.Id,
      from: rec.Config.Image,
      attributes: { ...rec.Config.Labels, image: rec.Config.Image, name: rec.Name.slice(1) },
    });
  }
}

/** dockerd's checkWritablePath: a volume or bind must be read-write, the rootfs must not be read-only. */
function checkWritable(rec: ContainerRecord, path: string): void {
  let best: { dest: string; rw: boolean } | undefined;
  for (const m of Object.values(rec.MountPoints ?? {})) {
    const d = m.Destination;
    if ((path === d || path.startsWith(`${d}/`)) && (!best || d.length > best.dest.length)) best = { dest: d, rw: m.RW };
  }
  if (best) {
    if (!best.rw) throw new InvalidArgumentError('mounted volume is marked read-only');
    return;
  }
  if (rec.HostConfig.ReadonlyRootfs) throw new InvalidArgumentError('container rootfs is marked read-only');
}

/** The owner for `docker cp -a` into a container with a user: its uid and gid from the container's own files. */
async function containerUser(view: FsView, spec: string): Promise<IdPair> {
  const read = async (p: string): Promise<string | undefined> => {
    const e = await view.lookup(await resolveInView(view, p));
    return e?.st.isFile() ? readFile(e.host, 'utf8') : undefined;
  };
  try {
    const u = resolveUser(spec, await read('/etc/passwd'), await read('/etc/group'));
    return { uid: u.uid, gid: u.gid };
  } catch (err) {
    throw new InvalidArgumentError(`failed to look up user ${JSON.stringify(spec)} in container: ${errorMessage(err)}`);
  }
}

/** Mount points of pseudo file systems in a running container (by its mountinfo). */
async function pseudoMounts(pid: number): Promise<string[]> {
  const text = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0) continue;
    if (PSEUDO_FS.has(f[sep + 1]!)) out.push(f[4]!.replace(/\\040/g, ' '));
  }
  return out;
}

/** A volume's subpath, which must stay inside the volume. */
async function inside(volume: string, sub: string): Promise<string> {
  const base = await realpath(volume);
  const p = await realpath(join(base, sub));
  if (p !== base && !p.startsWith(`${base}/`)) throw new InvalidArgumentError(`subpath ${sub} is outside of the volume`);
  return p;
}
