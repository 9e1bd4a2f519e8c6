/**
 * docker/go-units as the docker CLI uses it: human durations ("Up 5 minutes", "About an hour"), SI sizes
 * ("1.98MB", HumanSizeWithPrecision with Go's %.*g), binary sizes ("1GiB") and size parsing (RAMInBytes).
 */

/** Go's fmt %.<prec>g for a non-negative finite number. */
export function goFormatG(x: number, prec: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : Number.isNaN(x) ? 'NaN' : '-Inf';
  if (prec === 0) prec = 1;
  const [mant, expStr] = x.toExponential(prec - 1).split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= prec) {
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(prec - 1 - exp, 0));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]!];
}

export function humanSizeWithPrecision(size: number, precision: number): string {
  const [s, u] = sizeAndUnit(size, 1000, DECIMAL);
  return `${goFormatG(s, precision)}${u}`;
}

/** units.HumanSize: 4 significant digits, SI units. */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** units.BytesSize: "%.4g%s" with binary units. */
export function bytesSize(size: number): string {
  const [s, u] = sizeAndUnit(size, 1024, BINARY);
  return `${goFormatG(s, 4)}${u}`;
}

/** units.HumanDuration for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3600000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3600000) / 24 / 365)} years`;
}

/** "<n> ago" for a Unix time in seconds, as the CLI's CreatedSince/RunningFor fields print it. */
export function sinceAgo(unixSeconds: number, nowMs: number = Date.now()): string {
  return `${humanDuration(nowMs - unixSeconds * 1000)} ago`;
}

function parseSize(sizeStr: string, binary: boolean): number {
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--) {
    if ('01234567890. '.includes(sizeStr[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new Error(`invalid size: '${sizeStr}'`);
  let num: string;
  let sfx: string;
  if (sizeStr[sep] !== ' ') {
    num = sizeStr.slice(0, sep + 1);
    sfx = sizeStr.slice(sep + 1);
  } else {
    num = sizeStr.slice(0, sep);
    sfx = sizeStr.slice(sep + 1);
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`);
  let size = Number(num);
  if (size < 0) throw new Error(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const bad = () => new Error(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  const l = sfx.toLowerCase();
  if (l[0] === 'b') {
    if (l.length > 1) throw bad();
    return Math.trunc(size);
  }
  const idx = 'kmgtp'.indexOf(l[0]!);
  if (idx < 0) throw bad();
  size *= (binary ? 1024 : 1000) ** (idx + 1);
  if ((l.length === 2 && l[1] !== 'b') || (l.length === 3 && l.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size);
}

/** units.RAMInBytes: "512m" → 536870912 (binary multiples). */
export function ramInBytes(s: string): number {
  return parseSize(s, true);
}

/** units.FromHumanSize: "1.5GB" → 1500000000 (decimal multiples). */
export function fromHumanSize(s: string): number {
  return parseSize(s, false);
}

/** Go's time.Duration.String() for a duration in nanoseconds (as bigint-safe number). */
export function goDurationString(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1000) out = `${u}ns`;
  else if (u < 1e6) out = `${trimFloat(u / 1e3)}µs`;
  else if (u < 1e9) out = `${trimFloat(u / 1e6)}ms`;
  else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    const s = trimFloat(u / 1e9);
    out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(x: number): string {
  return String(Number(x.toFixed(9)));
}

/** Go's time.ParseDuration; returns nanoseconds. */
export function parseGoDuration(s: string): number {
  const orig = s;
  if (s === '0') return 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '') throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  const units: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
  let total = 0;
  const re = /^(\d*\.?\d*)([a-z\u00b5\u03bc]+)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m && /^\d*\.?\d*$/.test(s)) throw new Error(`time: missing unit in duration ${JSON.stringify(orig)}`);
    if (!m || m[1] === '' || m[1] === '.') throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
    const unit = units[m[2]!];
    if (unit === undefined) {
      throw new Error(`time: unknown unit ${JSON.stringify(m[2])} in duration ${JSON.stringify(orig)}`);
    }
    total += Number(m[1]) * unit;
    s = s.slice(m[0].length);
  }
  return Math.round(neg ? -total : total);
}
