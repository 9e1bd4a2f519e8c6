import { posix } from 'node:path';

/**
 * Path and stat rules of `docker cp` (GET/HEAD/PUT /containers/{id}/archive), as moby's go-archive package and
 * daemon/archive*.go apply them. Paths are container paths (always '/'-separated).
 */

/** Go's filepath.Clean for slash paths: "" → ".", no trailing slash except for the root. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Go's filepath.Base: trailing slashes dropped, "" → ".", only slashes → "/". */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's filepath.Dir. */
export function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  return goClean(p.slice(0, i + 1));
}

function specifiesCurrentDir(p: string): boolean {
  return goBase(p) === '.';
}

/** go-archive PreserveTrailingDotOrSeparator: keeps the "/." or "/" the user wrote, which Clean removes. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!out.endsWith('/')) out += '/';
    out += '.';
  }
  if (!out.endsWith('/') && original.endsWith('/')) out += '/';
  return out;
}

/** The absolute container path the daemon works on: `filepath.Join("/", path)` with the trailing "/" or "/." kept. */
export function archiveAbsPath(path: string): string {
  return preserveTrailingDotOrSeparator(goClean(`/${path}`), path);
}

/**
 * Where a path's symlinks are resolved: a path that ends in "/" or "/." follows a symlink in its last element
 * (lstat of "link/" is the target's), any other only in the elements before it.
 */
export function followsLastElement(absPath: string): boolean {
  return absPath.endsWith('/') || goBase(absPath) === '.';
}

/**
 * Names of the archive's entries (TarResourceRebaseOpts): a directory's entries start with the base name of the
 * requested path ("etc", "etc/hostname"; "." for "/etc/.", and "/bin" for the root itself), a file is its base
 * name. `rel` is the entry's path below the requested resource ("." for the resource). Directories get a trailing
 * "/", as Go's tar.FileInfoHeader writes them.
 */
export function archiveEntryName(absPath: string, rel: string, isDir: boolean): string {
  const rebase = goBase(absPath);
  const prefix = rebase === '/' ? '' : rebase;
  const name = rel === '.' ? prefix : `${prefix}/${rel}`;
  return isDir && !name.endsWith('/') ? `${name}/` : name;
}

// Go's os.FileMode bits
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_NAMED_PIPE = 2 ** 25;
const MODE_SOCKET = 2 ** 24;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_CHAR_DEVICE = 2 ** 21;
const MODE_STICKY = 2 ** 20;

const S_IFMT = 0o170000;

/** A Unix st_mode as Go's os.FileMode (what the stat header's `mode` holds). */
export function goFileMode(stMode: number): number {
  let m = stMode & 0o777;
  switch (stMode & S_IFMT) {
    case 0o060000:
      m += MODE_DEVICE;
      break;
    case 0o020000:
      m += MODE_DEVICE + MODE_CHAR_DEVICE;
      break;
    case 0o040000:
      m += MODE_DIR;
      break;
    case 0o010000:
      m += MODE_NAMED_PIPE;
      break;
    case 0o120000:
      m += MODE_SYMLINK;
      break;
    case 0o140000:
      m += MODE_SOCKET;
      break;
  }
  if (stMode & 0o2000) m += MODE_SETGID;
  if (stMode & 0o4000) m += MODE_SETUID;
  if (stMode & 0o1000) m += MODE_STICKY;
  return m;
}

export function goModeIsDir(mode: number): boolean {
  return mode >= MODE_DIR;
}

export function goModeIsSymlink(mode: number): boolean {
  return Math.floor(mode / MODE_SYMLINK) % 2 === 1;
}

/** A device (ModeDevice): what `docker cp` refuses as a destination (ValidateOutputPathFileMode). */
export function goModeIsDevice(mode: number): boolean {
  return Math.floor(mode / MODE_DEVICE) % 2 === 1;
}

/** Go's time.Time JSON form (RFC3339Nano, UTC): fraction digits without trailing zeros, none when zero. */
export function goTimeJson(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

/** The ContainerPathStat of the archive endpoints. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export function pathStat(absPath: string, st: { mode: number; size: number; mtimeNs: bigint }, linkTarget = ''): PathStat {
  return { name: goBase(absPath), size: st.size, mode: goFileMode(st.mode), mtime: goTimeJson(st.mtimeNs), linkTarget };
}

/** The X-Docker-Container-Path-Stat header value: base64 of the JSON. */
export function encodePathStat(s: PathStat): string {
  return Buffer.from(JSON.stringify({ name: s.name, size: s.size, mode: s.mode, mtime: s.mtime, linkTarget: s.linkTarget })).toString('base64');
}

export function decodePathStat(header: string | undefined | null): PathStat | undefined {
  if (!header) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PathStat;
  } catch {
    return undefined;
  }
}

/**
 * A tar entry name (relative to the extraction directory) as go-archive's Unpack takes it: leading slashes
 * dropped, cleaned; undefined for the directory itself ("."); an error for a name that leaves it ("../x").
 */
export function cleanEntryName(name: string): string | undefined {
  const n = goClean(name.replace(/^\/+/, ''));
  if (n === '.') return undefined;
  if (n === '..' || n.startsWith('../')) throw new Error(`invalid entry name "${name}"`);
  return n;
}
