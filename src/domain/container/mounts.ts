import { InvalidArgumentError } from '../../common/errors.ts';

/**
 * Docker's mount expressions, pure: `-v src:dst[:mode]` (HostConfig.Binds), `--mount` (HostConfig.Mounts),
 * `--volumes-from`, tmpfs options. Follows moby's volume/mounts linux parser, with its error texts.
 */

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** HostConfig.Mounts[] as the API carries it (`--mount`). */
export interface ApiMount {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
  [k: string]: unknown;
}

/** A container's mount point, persisted with the container (moby's volume/mounts.MountPoint). */
export interface MountPointRecord {
  Type: MountType;
  /** Volume name ('' for an anonymous volume until it is created). */
  Name: string;
  /** Host path: the bind source, or the volume's mountpoint once created. */
  Source: string;
  Destination: string;
  /** Volume driver ('' for binds and tmpfs). */
  Driver: string;
  /** The user's mode string (`ro,z`, `nocopy`…); "z" for local volumes without one, as dockerd. */
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** Copy the image's content at the destination into the volume when it is empty (volumes only). */
  CopyData: boolean;
  /** The request that made this mount point (its Source is '' for an anonymous volume). */
  Spec: ApiMount;
  /** `--mount type=bind` never creates a missing source. */
  SkipMountpointCreation?: boolean;
}

/** Docker's MountPoint view (inspect and list `Mounts`). */
export interface MountPointView {
  Type: MountType;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

const PROPAGATION = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared'];
const DEFAULT_PROPAGATION = 'rprivate';
const RW_MODES = ['rw', 'ro'];
const LABEL_MODES = ['z', 'Z'];
const COPY_MODES = ['nocopy'];
const CONSISTENCY = ['consistent', 'cached', 'delegated'];

/** A volume name the local driver accepts (moby's RestrictedNamePattern). */
export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function errInvalidSpec(spec: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid volume specification: '${spec}'`);
}

function errMountConfig(type: string, msg: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid mount config for type ${JSON.stringify(type)}: ${msg}`);
}

/** Path.Clean for absolute and relative paths (no filesystem access). */
export function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!abs) parts.push('..');
    } else parts.push(seg);
  }
  const out = parts.join('/');
  if (abs) return `/${out}`;
  return out || '.';
}

/** True for a mode string each of whose options is known and no kind given twice (moby's linuxValidMountMode). */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, prop: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (RW_MODES.includes(o)) counts.rw++;
    else if (LABEL_MODES.includes(o)) counts.label++;
    else if (PROPAGATION.includes(o)) counts.prop++;
    else if (COPY_MODES.includes(o)) counts.copy++;
    else if (CONSISTENCY.includes(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

/** A valid mode without `ro` is read-write. */
export function readWrite(mode: string): boolean {
  if (!validMountMode(mode)) return false;
  return !mode.split(',').includes('ro');
}

function propagationOf(mode: string): string | undefined {
  return mode.split(',').find((o) => PROPAGATION.includes(o));
}

function validateTarget(type: string, target: string | undefined): void {
  if (!target) throw errMountConfig(type, 'field Target must not be empty');
  if (cleanPath(target.replaceAll('\\', '/')) === '/') throw errMountConfig(type, "invalid specification: destination can't be '/'");
  if (!target.replaceAll('\\', '/').startsWith('/')) throw errMountConfig(type, `invalid mount path: '${target}' mount path must be absolute`);
}

/** Is `p` a relative path that stays inside its base (Go's filepath.IsLocal)? */
export function isLocalPath(p: string): boolean {
  if (p === '' || p.startsWith('/')) return false;
  const c = cleanPath(p);
  return c !== '..' && !c.startsWith('../');
}

/**
 * Validates a `--mount` spec (moby's validateMountConfigImpl). `bindSourceExists` is asked only for binds; pass
 * undefined to skip the check (the `-v` form creates a missing source).
 */
export function validateMountConfig(m: ApiMount, bindSourceExists?: (p: string) => boolean): void {
  const t = m.Type;
  if (t !== 'bind' && m.BindOptions) throw errMountConfig(t, 'field BindOptions must not be specified');
  if (t !== 'volume' && m.VolumeOptions) throw errMountConfig(t, 'field VolumeOptions must not be specified');
  if (t !== 'tmpfs' && m.TmpfsOptions) throw errMountConfig(t, 'field TmpfsOptions must not be specified');
  validateTarget(t, m.Target);
  switch (t) {
    case 'bind': {
      if (!m.Source) throw errMountConfig(t, 'field Source must not be empty');
      const prop = m.BindOptions?.Propagation;
      if (prop && !PROPAGATION.includes(prop)) throw errMountConfig(t, `invalid propagation mode: ${prop}`);
      if (!m.Source.startsWith('/')) throw errMountConfig(t, `invalid mount path: '${m.Source}' mount path must be absolute`);
      if (bindSourceExists && !bindSourceExists(m.Source) && !m.BindOptions?.CreateMountpoint) {
        throw errMountConfig(t, `bind source path does not exist: ${m.Source}`);
      }
      if (m.BindOptions?.ReadOnlyNonRecursive && !m.ReadOnly) throw errMountConfig(t, 'must not set ReadOnlyNonRecursive when ReadOnly is false');
      if (m.BindOptions?.ReadOnlyForceRecursive && !m.ReadOnly) throw errMountConfig(t, 'must not set ReadOnlyForceRecursive when ReadOnly is false');
      break;
    }
    case 'volume': {
      const sub = m.VolumeOptions?.Subpath;
      if (sub) {
        if (!m.Source) throw errMountConfig(t, 'must not set Subpath when using anonymous volumes');
        if (!isLocalPath(sub)) throw errMountConfig(t, 'subpath must be a relative path within the volume');
      }
      break;
    }
    case 'tmpfs':
      if (m.Source) throw errMountConfig(t, 'field Source must not be specified');
      tmpfsOptions(m.TmpfsOptions ?? undefined, m.ReadOnly ?? false, t);
      break;
    default:
      throw errMountConfig(t, 'mount type unknown');
  }
}

/** The local driver's volume name rule (moby's local.Root.validateName). */
export function validateVolumeName(name: string): void {
  if (name.length === 1) throw new InvalidArgumentError('volume name is too short, names should be at least two alphanumeric characters');
  if (!VOLUME_NAME_RE.test(name)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** `--mount type=tmpfs` options as a mount(8) option string (moby's ConvertTmpfsOptions). */
export function tmpfsOptions(o: ApiMount['TmpfsOptions'] | undefined, readOnly: boolean, type = 'tmpfs'): string {
  const raw: string[] = [];
  if (readOnly) raw.push('ro');
  if (o?.Mode) raw.push(`mode=${o.Mode.toString(8)}`);
  if (o?.SizeBytes) {
    let size = o.SizeBytes;
    let suffix = '';
    for (const [s, d] of [
      ['g', 1 << 30],
      ['m', 1 << 20],
      ['k', 1 << 10],
    ] as const) {
      if (size % d === 0) {
        size /= d;
        suffix = s;
        break;
      }
    }
    raw.push(`size=${size}${suffix}`);
  }
  for (const opt of o?.Options ?? []) {
    if (opt.length < 1 || opt.length > 2) throw errMountConfig(type, 'invalid option array length');
    if (opt[0] !== 'exec' && opt[0] !== 'noexec') throw errMountConfig(type, `invalid option: ${opt[0]}`);
    raw.push(opt.length === 1 ? opt[0]! : `${opt[0]}=${opt[1]}`);
  }
  return raw.join(',');
}

/** A mount point from a validated `--mount` spec (moby's parseMountSpec). */
export function mountPointFromSpec(m: ApiMount): MountPointRecord {
  const type = m.Type as MountType;
  const mp: MountPointRecord = {
    Type: type,
    Name: '',
    Source: '',
    Destination: cleanPath(m.Target!.replaceAll('\\', '/')),
    Driver: '',
    Mode: '',
    RW: !m.ReadOnly,
    Propagation: '',
    CopyData: false,
    Spec: m,
  };
  if (type === 'volume') {
    mp.Name = m.Source ?? '';
    mp.CopyData = !m.VolumeOptions?.NoCopy;
    mp.Driver = m.VolumeOptions?.DriverConfig?.Name ?? '';
  } else if (type === 'bind') {
    mp.Source = cleanPath(m.Source!);
    mp.Propagation = m.BindOptions?.Propagation || DEFAULT_PROPAGATION;
  }
  return mp;
}

/** Parses `--mount` (HostConfig.Mounts[]). */
export function parseMountSpec(m: ApiMount, bindSourceExists?: (p: string) => boolean): MountPointRecord {
  validateMountConfig(m, bindSourceExists);
  const mp = mountPointFromSpec(m);
  if (m.Type === 'bind' && !m.BindOptions?.CreateMountpoint) mp.SkipMountpointCreation = true;
  return mp;
}

/** Parses `-v [src:]dst[:mode]` (HostConfig.Binds[] entries; moby's ParseMountRaw). */
export function parseBind(raw: string, volumeDriver = ''): MountPointRecord {
  const arr = raw.split(':');
  if (arr[0] === '') throw errInvalidSpec(raw);
  const spec: ApiMount = { Type: 'volume' };
  let mode = '';
  if (arr.length === 1) spec.Target = arr[0];
  else if (arr.length === 2) {
    if (validMountMode(arr[1]!)) throw errInvalidSpec(raw);
    spec.Source = arr[0];
    spec.Target = arr[1];
  } else if (arr.length === 3) {
    spec.Source = arr[0];
    spec.Target = arr[1];
    mode = arr[2]!;
  } else throw errInvalidSpec(raw);
  if (!validMountMode(mode)) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  spec.Type = spec.Source?.startsWith('/') ? 'bind' : 'volume';
  spec.ReadOnly = !readWrite(mode);
  if (volumeDriver && spec.Type === 'volume') spec.VolumeOptions = { DriverConfig: { Name: volumeDriver } };
  if (mode.split(',').includes('nocopy')) spec.VolumeOptions = { ...spec.VolumeOptions, NoCopy: true };
  const prop = propagationOf(mode);
  if (prop) spec.BindOptions = { Propagation: prop };
  try {
    validateMountConfig(spec);
  } catch (err) {
    throw new InvalidArgumentError(`${errInvalidSpec(raw).message}: ${(err as Error).message}`);
  }
  const mp = mountPointFromSpec(spec);
  mp.Mode = mode;
  return mp;
}

/** `--volumes-from id[:ro|rw]` → container reference and mode (moby's ParseVolumesFrom). */
export function parseVolumesFrom(spec: string): { ref: string; mode: string } {
  if (spec === '') throw new InvalidArgumentError('volumes-from specification cannot be an empty string');
  const i = spec.indexOf(':');
  const ref = i < 0 ? spec : spec.slice(0, i);
  const mode = i < 0 ? '' : spec.slice(i + 1);
  if (mode === '') return { ref, mode: 'rw' };
  if (!validMountMode(mode) || propagationOf(mode) || mode.split(',').includes('nocopy')) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  return { ref, mode };
}

/** Validates a `--tmpfs` destination (HostConfig.Tmpfs key). */
export function validateTmpfsDestination(dest: string): void {
  if (cleanPath(dest) === '/') throw new InvalidArgumentError("invalid specification: destination can't be '/'");
  if (!dest.startsWith('/')) throw new InvalidArgumentError(`invalid mount path: '${dest}' mount path must be absolute`);
}

export function duplicateMountPointError(dest: string): InvalidArgumentError {
  return new InvalidArgumentError(`Duplicate mount point: ${dest}`);
}

/** The `Mounts` view of a container's mount points, by destination. */
export function mountViews(mps: Record<string, MountPointRecord> | undefined): MountPointView[] {
  return Object.values(mps ?? {})
    .sort((a, b) => (a.Destination < b.Destination ? -1 : a.Destination > b.Destination ? 1 : 0))
    .map((m) => {
      const v: MountPointView = { Type: m.Type, Source: m.Source, Destination: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation };
      if (m.Name) v.Name = m.Name;
      if (m.Driver) v.Driver = m.Driver;
      // keep Docker's key order: Type, Name, Source, Destination, Driver, Mode, RW, Propagation
      return { Type: v.Type, ...(v.Name ? { Name: v.Name } : {}), Source: v.Source, Destination: v.Destination, ...(v.Driver ? { Driver: v.Driver } : {}), Mode: v.Mode, RW: v.RW, Propagation: v.Propagation };
    });
}
