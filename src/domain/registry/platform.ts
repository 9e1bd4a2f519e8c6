import { InvalidArgumentError } from '../../common/errors.ts';

/**
 * Platforms as containerd's `platforms` package handles them for dockerd: parsing `--platform` values,
 * normalisation (aarch64 → arm64, armhf → arm/v7, …), the "Only" matcher that also accepts compatible older
 * variants (arm64 runs arm/v8…v5, amd64 runs 386), and the preference order among matches.
 */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos']);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32',
  'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

function normalizeOs(os: string): string {
  const o = os.toLowerCase();
  return o === 'macos' ? 'darwin' : o;
}

/** containerd's normalizeArch. */
export function normalizeArch(arch: string, variant = ''): { architecture: string; variant: string } {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return { architecture: a, variant: v };
}

export function normalizePlatform(p: Platform): Platform {
  const { architecture, variant } = normalizeArch(p.architecture, p.variant ?? '');
  const out: Platform = { os: normalizeOs(p.os), architecture };
  if (variant !== '') out.variant = variant;
  return out;
}

function invalidSpec(spec: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`"${spec}": ${why}: invalid argument`);
}

/**
 * platforms.Parse: "linux", "amd64", "linux/arm64", "linux/arm/v7". A lone OS gets `host`'s architecture, a lone
 * architecture gets the host's OS. Throws InvalidArgumentError.
 */
export function parsePlatform(spec: string, host: Platform): Platform {
  if (spec.includes('(')) throw invalidSpec(spec, 'OS version is not supported by berth');
  const parts = spec.split('/');
  for (const p of parts) if (!/^[A-Za-z0-9_.-]+$/.test(p)) throw invalidSpec(spec, `invalid component "${p}"`);
  if (parts.length === 1) {
    const p = parts[0]!;
    if (KNOWN_OS.has(normalizeOs(p))) {
      const out: Platform = { os: normalizeOs(p), architecture: host.architecture };
      if (host.variant) out.variant = host.variant;
      return normalizePlatform(out);
    }
    const a = normalizeArch(p);
    if (KNOWN_ARCH.has(a.architecture)) return normalizePlatform({ os: host.os, architecture: a.architecture, variant: a.variant });
    throw invalidSpec(spec, 'unknown operating system or architecture');
  }
  if (parts.length === 2 || parts.length === 3) {
    const os = normalizeOs(parts[0]!);
    if (!KNOWN_OS.has(os)) throw invalidSpec(spec, 'unknown operating system');
    const a = normalizeArch(parts[1]!, parts[2] ?? '');
    if (!KNOWN_ARCH.has(a.architecture)) throw invalidSpec(spec, 'unknown architecture');
    return normalizePlatform({ os, architecture: a.architecture, variant: a.variant });
  }
  throw invalidSpec(spec, 'cannot parse platform specifier');
}

/** platforms.FormatAll without OS version: "linux/amd64", "linux/arm/v7". */
export function formatPlatform(p: Platform): string {
  return [p.os || 'unknown', p.architecture || 'unknown', ...(p.variant ? [p.variant] : [])].join('/');
}

/** platformVector: the platform and the older ones it can run, best first. */
function platformVector(p: Platform): Platform[] {
  const out: Platform[] = [p];
  const num = (v: string | undefined): number => Number.parseInt((v ?? '').replace(/^v/, ''), 10);
  if (p.architecture === 'amd64') {
    const n = num(p.variant);
    if (Number.isInteger(n) && n > 1) for (let i = n - 1; i >= 1; i--) out.push({ os: p.os, architecture: 'amd64', ...(i > 1 ? { variant: `v${i}` } : {}) });
    out.push({ os: p.os, architecture: '386' });
  } else if (p.architecture === 'arm') {
    const n = num(p.variant);
    if (Number.isInteger(n) && n > 5) for (let i = n - 1; i >= 5; i--) out.push({ os: p.os, architecture: 'arm', variant: `v${i}` });
  } else if (p.architecture === 'arm64') {
    out.push(...platformVector({ os: p.os, architecture: 'arm', variant: p.variant ?? 'v8' }));
  }
  return out;
}

function same(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/**
 * platforms.Only(p): a matcher for what a host of platform `p` can run, and a rank (lower is better) to order
 * several matches. Platforms are normalised before comparing.
 */
export function onlyPlatform(p: Platform): { match(x: Platform): boolean; rank(x: Platform): number } {
  const vector = platformVector(normalizePlatform(p));
  const rank = (x: Platform): number => {
    const n = normalizePlatform(x);
    const i = vector.findIndex((v) => same(v, n));
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  return { match: (x) => rank(x) !== Number.POSITIVE_INFINITY, rank };
}
