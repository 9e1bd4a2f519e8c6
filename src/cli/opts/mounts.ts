/** `--mount` (opts.MountOpt) and `-v` (the compose volume-spec parser docker uses to classify binds). */
import { resolve } from 'node:path';
import { ramInBytes } from '../format/units.ts';
import { parseBool } from '../flags/spec.ts';
import { csvFields } from './validators.ts';

export interface Mount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: {
    Propagation?: string;
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    ReadOnlyForceRecursive?: boolean;
  };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  ImageOptions?: { Subpath?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] };
}

function setOnMap(target: Record<string, string>, value: string): void {
  const i = value.indexOf('=');
  const k = i >= 0 ? value.slice(0, i) : value;
  if (k !== '') target[k] = i >= 0 ? value.slice(i + 1) : '';
}

/** opts.MountOpt.Set for one --mount value. */
export function parseMount(value: string): Mount {
  const fields = csvFields(value);
  const m: Mount = { Type: 'volume' };
  const volumeOptions = () => {
    m.VolumeOptions ??= { Labels: {} };
    m.VolumeOptions.DriverConfig ??= {};
    return m.VolumeOptions;
  };
  const bindOptions = () => (m.BindOptions ??= {});
  const tmpfsOptions = () => (m.TmpfsOptions ??= {});
  const imageOptions = () => (m.ImageOptions ??= {});
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq >= 0 ? field.slice(0, eq) : field).toLowerCase();
    const val = eq >= 0 ? field.slice(eq + 1) : '';
    if (eq < 0) {
      switch (key) {
        case 'readonly':
        case 'ro':
          m.ReadOnly = true;
          continue;
        case 'volume-nocopy':
          volumeOptions().NoCopy = true;
          continue;
        case 'bind-nonrecursive':
          bindOptions().NonRecursive = true;
          continue;
        default:
          throw new Error(`invalid field '${field}' must be a key=value pair`);
      }
    }
    const bool = () => {
      try {
        return parseBool(val);
      } catch {
        throw new Error(`invalid value for ${key}: ${val}`);
      }
    };
    switch (key) {
      case 'type':
        m.Type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        m.Source = !val.startsWith('/') && val.startsWith('.') ? resolve(val) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.Target = val;
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = bool();
        break;
      case 'consistency':
        m.Consistency = val.toLowerCase();
        break;
      case 'bind-propagation':
        bindOptions().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bindOptions().NonRecursive = bool();
        break;
      case 'bind-recursive':
        switch (val) {
          case 'enabled':
            break;
          case 'disabled':
            bindOptions().NonRecursive = true;
            break;
          case 'writable':
            bindOptions().ReadOnlyNonRecursive = true;
            break;
          case 'readonly':
            bindOptions().ReadOnlyForceRecursive = true;
            break;
          default:
            throw new Error(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
        }
        break;
      case 'volume-subpath':
        volumeOptions().Subpath = val;
        break;
      case 'volume-nocopy':
        try {
          volumeOptions().NoCopy = parseBool(val);
        } catch {
          throw new Error(`invalid value for volume-nocopy: ${val}`);
        }
        break;
      case 'volume-label':
        setOnMap(volumeOptions().Labels!, val);
        break;
      case 'volume-driver':
        volumeOptions().DriverConfig!.Name = val;
        break;
      case 'volume-opt': {
        const d = volumeOptions().DriverConfig!;
        d.Options ??= {};
        setOnMap(d.Options, val);
        break;
      }
      case 'image-subpath':
        imageOptions().Subpath = val;
        break;
      case 'tmpfs-size':
        try {
          tmpfsOptions().SizeBytes = ramInBytes(val);
        } catch {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val) || Number.parseInt(val, 8) > 0xffffffff) throw new Error(`invalid value for ${key}: ${val}`);
        tmpfsOptions().Mode = Number.parseInt(val, 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw new Error('type is required');
  if (!m.Target) throw new Error('target is required');
  if (m.VolumeOptions && m.Type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.ImageOptions && m.Type !== 'image') throw new Error(`cannot mix 'image-*' options with mount type '${m.Type}'`);
  if (m.BindOptions && m.Type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.TmpfsOptions && m.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  if (m.BindOptions?.ReadOnlyNonRecursive && !m.ReadOnly) throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  if (m.BindOptions?.ReadOnlyForceRecursive) {
    if (!m.ReadOnly) throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (m.BindOptions.Propagation !== 'rprivate') throw new Error("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction");
  }
  return normalizeMount(m);
}

/** Orders keys like Go's struct encoding (and drops empty omitempty fields). */
function normalizeMount(m: Mount): Mount {
  const out: Mount = {};
  if (m.Type) out.Type = m.Type;
  if (m.Source) out.Source = m.Source;
  if (m.Target) out.Target = m.Target;
  if (m.ReadOnly) out.ReadOnly = true;
  if (m.Consistency) out.Consistency = m.Consistency;
  if (m.BindOptions) {
    const b = m.BindOptions;
    const o: NonNullable<Mount['BindOptions']> = {};
    if (b.Propagation) o.Propagation = b.Propagation;
    if (b.NonRecursive) o.NonRecursive = true;
    if (b.CreateMountpoint) o.CreateMountpoint = true;
    if (b.ReadOnlyNonRecursive) o.ReadOnlyNonRecursive = true;
    if (b.ReadOnlyForceRecursive) o.ReadOnlyForceRecursive = true;
    out.BindOptions = o;
  }
  if (m.VolumeOptions) {
    const v = m.VolumeOptions;
    const o: NonNullable<Mount['VolumeOptions']> = {};
    if (v.NoCopy) o.NoCopy = true;
    if (v.Labels && Object.keys(v.Labels).length) o.Labels = sortKeys(v.Labels);
    if (v.Subpath) o.Subpath = v.Subpath;
    if (v.DriverConfig) {
      const d: { Name?: string; Options?: Record<string, string> } = {};
      if (v.DriverConfig.Name) d.Name = v.DriverConfig.Name;
      if (v.DriverConfig.Options && Object.keys(v.DriverConfig.Options).length) d.Options = sortKeys(v.DriverConfig.Options);
      o.DriverConfig = d;
    }
    out.VolumeOptions = o;
  }
  if (m.ImageOptions) out.ImageOptions = m.ImageOptions.Subpath ? { Subpath: m.ImageOptions.Subpath } : {};
  if (m.TmpfsOptions) {
    const t = m.TmpfsOptions;
    const o: NonNullable<Mount['TmpfsOptions']> = {};
    if (t.SizeBytes) o.SizeBytes = t.SizeBytes;
    if (t.Mode) o.Mode = t.Mode;
    out.TmpfsOptions = o;
  }
  return out;
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

export interface VolumeSpec {
  type: 'bind' | 'volume';
  source: string;
  target: string;
}

function isWindowsDrive(buffer: string, ch: string): boolean {
  return ch === ':' && buffer.length === 1 && /\p{L}/u.test(buffer);
}

/** compose loader.ParseVolume, as far as `run -v` needs it (bind vs volume, errors). */
export function parseVolumeSpec(spec: string): VolumeSpec {
  const chars = [...spec];
  if (chars.length === 0 || spec.length === 0) throw new Error('invalid empty volume spec');
  if (spec.length <= 2) return { type: 'volume', source: '', target: spec };
  let buffer = '';
  let source = '';
  let target = '';
  const finish = (): VolumeSpec => {
    let type: 'bind' | 'volume' = 'volume';
    if (source !== '' && isFilePath(source)) type = 'bind';
    return { type, source, target };
  };
  for (const ch of [...chars, '\0']) {
    if (isWindowsDrive(buffer, ch)) {
      buffer += ch;
    } else if (ch === ':' || ch === '\0') {
      const end = ch === '\0';
      if (buffer.length === 0) throw new Error(`invalid spec: ${spec}: empty section between colons`);
      if (source === '' && end) target = buffer;
      else if (source === '') source = buffer;
      else if (target === '') target = buffer;
      else if (ch === ':') throw new Error(`invalid spec: ${spec}: too many colons`);
      buffer = '';
    } else {
      buffer += ch;
    }
  }
  return finish();
}

function isFilePath(source: string): boolean {
  if (source[0] === '.' || source[0] === '/' || source[0] === '~') return true;
  if ([...source].length === 1) return false;
  if (source.startsWith('\\\\')) return true;
  return isWindowsDrive(source[0]!, source[1]!);
}
