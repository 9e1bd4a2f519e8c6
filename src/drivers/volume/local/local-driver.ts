import { chmod, chown, mkdir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ctx } from '../../../common/ctx.ts';
import { InvalidArgumentError, SystemError } from '../../../common/errors.ts';
import { writeFileAtomic } from '../../../common/fs.ts';
import { parseRamBytes } from '../../../domain/container/units.ts';
import { validateVolumeName } from '../../../domain/container/mounts.ts';
import type { IdPair } from '../../../domain/userns/id-map.ts';
import { run } from '../../../system/exec/exec.ts';
import type { DriverVolume, VolumeDriver } from '../contract.ts';

const VALID_OPTS = ['type', 'o', 'device', 'size'];
const MANDATORY: [string, string[]][] = [
  ['device', ['type']],
  ['type', ['device']],
  ['o', ['device', 'type']],
];

/** What opts.json holds (dockerd's optsConfig field names, so a dockerd data root reads the same). */
interface OptsConfig {
  MountType: string;
  MountOpts: string;
  MountDevice: string;
  Quota: { Size: number };
}

interface LocalVolume extends DriverVolume {
  root: string;
  opts?: OptsConfig;
  refs: Set<string>;
  mounted: boolean;
}

/** Validates local driver options (moby's local.Root.validateOpts). */
export function validateLocalOpts(opts: Record<string, string>, quotaSupported = false): void {
  for (const k of Object.keys(opts)) if (!VALID_OPTS.includes(k)) throw new InvalidArgumentError(`invalid option: ${JSON.stringify(k)}`);
  if (opts.type === 'cifs' && opts.device) {
    let port = '';
    try {
      port = new URL(opts.device).port;
    } catch {
      // not a URL: nothing to check
    }
    if (port) throw new InvalidArgumentError("port not allowed in CIFS device URL, include 'port' in 'o='");
  }
  if ('size' in opts) {
    const size = parseRamBytes(opts.size!);
    if (size > 0 && !quotaSupported) throw new InvalidArgumentError('quota size requested but no quota support');
  }
  for (const [k, needs] of MANDATORY) {
    if (!(k in opts)) continue;
    for (const n of needs) if (!(n in opts)) throw new InvalidArgumentError(`missing required option: ${JSON.stringify(n)}`);
  }
}

/**
 * The `local` volume driver: a directory `<root>/<name>/_data` per volume; with `type`/`device`/`o` options the
 * data directory is a mount point mounted on first use (`--opt type=none --opt o=bind --opt device=/path`,
 * `type=tmpfs`, `type=nfs` …) and unmounted after the last user.
 */
export class LocalVolumeDriver implements VolumeDriver {
  readonly name = 'local';
  readonly scope = 'local' as const;
  readonly #root: string;
  readonly #vols = new Map<string, LocalVolume>();
  readonly #owner: IdPair | undefined;

  /** `rootIdentity`: the containers' root on the host (`--userns-remap`): new volumes belong to it, as with dockerd. */
  constructor(root: string, opts: { rootIdentity?: IdPair } = {}) {
    this.#root = root;
    const o = opts.rootIdentity;
    this.#owner = o && (o.uid !== 0 || o.gid !== 0) ? o : undefined;
  }

  async init(_ctx: Ctx): Promise<void> {
    await mkdir(this.#root, { recursive: true, mode: 0o701 });
    for (const ent of await readdir(this.#root, { withFileTypes: true })) {
      if (!ent.isDirectory()) continue;
      const root = join(this.#root, ent.name);
      const st = await stat(root).catch(() => undefined);
      if (!st) continue;
      const v: LocalVolume = { name: ent.name, root, path: join(root, '_data'), options: null, createdAt: st.ctimeMs, refs: new Set(), mounted: false };
      try {
        const o = JSON.parse(await readFile(join(root, 'opts.json'), 'utf8')) as OptsConfig | null;
        if (o && (o.MountType || o.MountDevice || o.MountOpts || o.Quota?.Size)) v.opts = o;
      } catch {
        // no options
      }
      if (v.opts) v.options = optionsOf(v.opts);
      if (v.opts && needsMount(v.opts)) v.mounted = await isMountPoint(v.path);
      this.#vols.set(v.name, v);
    }
  }

  async create(_ctx: Ctx, name: string, opts: Record<string, string>): Promise<DriverVolume> {
    validateVolumeName(name);
    validateLocalOpts(opts);
    const existing = this.#vols.get(name);
    if (existing) return existing;
    const root = join(this.#root, name);
    const path = join(root, '_data');
    await mkdir(root, { recursive: true, mode: 0o701 });
    try {
      await mkdir(path, { recursive: true, mode: 0o755 });
      await chmod(path, 0o755);
      if (this.#owner) {
        await chown(root, this.#owner.uid, this.#owner.gid);
        await chown(path, this.#owner.uid, this.#owner.gid);
      }
      let o: OptsConfig | undefined;
      if (Object.keys(opts).length > 0) {
        o = { MountType: opts.type ?? '', MountOpts: opts.o ?? '', MountDevice: opts.device ?? '', Quota: { Size: opts.size ? parseRamBytes(opts.size) : 0 } };
        await writeFileAtomic(join(root, 'opts.json'), JSON.stringify(o), 0o600);
      }
      const st = await stat(root);
      const v: LocalVolume = { name, root, path, options: o ? optionsOf(o) : null, createdAt: st.ctimeMs, refs: new Set(), mounted: false, opts: o };
      this.#vols.set(name, v);
      return v;
    } catch (err) {
      await rm(root, { recursive: true, force: true });
      throw new SystemError(`error while creating volume data path '${path}': ${(err as Error).message}`, { cause: err });
    }
  }

  get(name: string): DriverVolume | undefined {
    return this.#vols.get(name);
  }

  list(): DriverVolume[] {
    return [...this.#vols.values()];
  }

  async remove(ctx: Ctx, name: string): Promise<void> {
    const v = this.#vols.get(name);
    if (!v) return;
    if (v.refs.size > 0) throw new SystemError('volume has active mounts');
    await this.#unmountData(ctx, v);
    let real = v.root;
    try {
      real = await realpath(v.path);
    } catch {
      // data dir gone: remove the root
    }
    const base = await realpath(this.#root);
    if (real === base || !real.startsWith(`${base}/`)) throw new SystemError(`unable to remove a directory outside of the local volume root ${this.#root}: ${real}`);
    await rm(real, { recursive: true, force: true });
    await rm(v.root, { recursive: true, force: true });
    this.#vols.delete(name);
  }

  async mount(ctx: Ctx, name: string, ref: string): Promise<string> {
    const v = this.#vols.get(name);
    if (!v) throw new SystemError(`volume ${name} not found`);
    if (v.opts && needsMount(v.opts) && !v.mounted) {
      const o = v.opts;
      if (!o.MountDevice) throw new SystemError('missing device in volume options');
      const args = ['-t', o.MountType || 'none'];
      if (o.MountOpts) args.push('-o', o.MountOpts);
      const r = await run(ctx, 'mount', [...args, o.MountDevice, v.path], { allowFail: true });
      if (r.code !== 0) {
        const why = r.stderr.trim().replace(/^mount: /, '').replace(/password=[^,\s]*/g, 'password=********');
        throw new SystemError(`failed to mount local volume: mount ${o.MountDevice}:${v.path}, data: ${o.MountOpts.replace(/password=[^,]*/g, 'password=********')}: ${why}`);
      }
      v.mounted = true;
    }
    v.refs.add(ref);
    return v.path;
  }

  async unmount(ctx: Ctx, name: string, ref: string): Promise<void> {
    const v = this.#vols.get(name);
    if (!v) return;
    v.refs.delete(ref);
    if (v.refs.size > 0) return;
    await this.#unmountData(ctx, v);
  }

  liveRestore(name: string, ref: string): void {
    const v = this.#vols.get(name);
    if (!v) return;
    v.refs.add(ref);
  }

  async #unmountData(ctx: Ctx, v: LocalVolume): Promise<void> {
    if (!v.opts || !needsMount(v.opts) || !v.mounted) return;
    const r = await run(ctx, 'umount', [v.path], { allowFail: true });
    if (r.code !== 0 && (await isMountPoint(v.path))) throw new SystemError(`error unmounting volume ${v.name}: ${r.stderr.trim()}`);
    v.mounted = false;
  }
}

function needsMount(o: OptsConfig): boolean {
  return o.MountDevice !== '' || o.MountType !== '';
}

function optionsOf(o: OptsConfig): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.MountType) out.type = o.MountType;
  if (o.MountOpts) out.o = o.MountOpts;
  if (o.MountDevice) out.device = o.MountDevice;
  if (o.Quota?.Size) out.size = String(o.Quota.Size);
  return out;
}

async function isMountPoint(path: string): Promise<boolean> {
  try {
    const text = await readFile('/proc/self/mountinfo', 'utf8');
    return text.split('\n').some((l) => l.split(' ')[4] === path);
  } catch {
    return false;
  }
}
