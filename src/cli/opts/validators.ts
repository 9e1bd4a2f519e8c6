/**
 * docker/cli's opts validators and value parsers for container flags (opts/*.go), with the same error texts.
 * They run while flags are parsed, so errors surface as `invalid argument "…" for "--flag" flag: …` (exit 125).
 */
import { isIP, isIPv4, isIPv6 } from '../../domain/net/ipv4.ts';
import { ramInBytes } from '../format/units.ts';
import type { ThrottleDevice, WeightDevice } from '../../domain/container/resources.ts';

export function validateEnv(val: string, env: Record<string, string | undefined> = process.env): string {
  const eq = val.indexOf('=');
  const k = eq >= 0 ? val.slice(0, eq) : val;
  if (k === '') throw new Error(`invalid environment variable: ${val}`);
  if (eq >= 0) return val;
  const v = env[k];
  return v !== undefined ? `${k}=${v}` : val;
}

export function validateLabel(value: string): string {
  const eq = value.indexOf('=');
  const key = (eq >= 0 ? value.slice(0, eq) : value).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return value;
}

/** net.ParseIP(...).String(): canonical form. */
export function canonicalIp(s: string): string | undefined {
  if (isIPv4(s)) return s.split('.').map((o) => String(Number(o))).join('.');
  if (isIPv6(s)) {
    try {
      const host = new URL(`http://[${s}]/`).hostname;
      const v = host.slice(1, -1);
      const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v);
      if (m) {
        const a = Number.parseInt(m[1]!, 16);
        const b = Number.parseInt(m[2]!, 16);
        return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
      }
      return v;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function validateIPAddress(val: string): string {
  const ip = canonicalIp(val.trim());
  if (ip === undefined) throw new Error(`IP address is not correctly formatted: ${val}`);
  return ip;
}

export function validateMACAddress(val: string): string {
  const s = val.trim();
  if (!/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s) && !/^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(s)) {
    throw new Error(`address ${s}: invalid MAC address`);
  }
  return val;
}

const DOMAIN_RE = /^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\.?\s*$/;

export function validateDNSSearch(val: string): string {
  val = val.replace(/^ +| +$/g, '');
  if (val === '.') return val;
  if (!/[a-zA-Z]/.test(val)) throw new Error(`${val} is not a valid domain`);
  const m = DOMAIN_RE.exec(val);
  if (m && m[1]!.length < 255) return m[1]!;
  throw new Error(`${val} is not a valid domain`);
}

export function validateExtraHost(val: string): string {
  let i = val.indexOf('=');
  if (i < 0) i = val.indexOf(':');
  const k = i >= 0 ? val.slice(0, i) : val;
  let v = i >= 0 ? val.slice(i + 1) : '';
  if (i < 0 || k === '' || k.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(val)}`);
  if (v !== 'host-gateway') {
    if (v.length > 2 && v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    if (!isIP(v.trim())) throw new Error(`invalid IP address in add-host: ${JSON.stringify(v)}`);
  }
  return `${k}:${v}`;
}

export function validateLink(val: string): string {
  if (val === '') throw new Error('empty string specified for links');
  if (val.split(':').length > 2) throw new Error(`bad format for links: ${val}`);
  return val;
}

const SYSCTL_NAMES = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

export function validateSysctl(val: string): string {
  const eq = val.indexOf('=');
  const k = eq >= 0 ? val.slice(0, eq) : '';
  if (eq < 0 || k === '') throw new Error(`sysctl '${val}' is not allowed`);
  if (SYSCTL_NAMES.has(k) || k.startsWith('net.') || k.startsWith('fs.mqueue.')) return val;
  throw new Error(`sysctl '${val}' is not allowed`);
}

export function validateAttach(val: string): string {
  const s = val.toLowerCase();
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s;
  throw new Error('valid streams are STDIN, STDOUT and STDERR');
}

export function validateDeviceCgroupRule(val: string): string {
  if (/^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/.test(val)) return val;
  throw new Error(`invalid device cgroup format '${val}'`);
}

/** opts.MemBytes.Set */
export function parseMemBytes(value: string): number {
  return ramInBytes(value);
}

/** opts.MemSwapBytes.Set: "-1" means unlimited. */
export function parseMemSwapBytes(value: string): number {
  if (value === '-1') return -1;
  return ramInBytes(value);
}

/** opts.ParseCPUs: a rational number of CPUs → nano CPUs. */
export function parseCpus(value: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(value);
  if (frac) {
    const num = BigInt(frac[1]!) * 1000000000n;
    const den = BigInt(frac[2]!);
    if (den === 0n || num % den !== 0n) throw new Error(den === 0n ? `failed to parse ${value} as a rational number` : 'value is too precise');
    return Number(num / den);
  }
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`failed to parse ${value} as a rational number`);
  const digits = `${m[2]}${m[3] ?? ''}`;
  let exp = Number(m[4] ?? 0) - (m[3] ?? '').length + 9;
  let n = BigInt(digits || '0');
  if (exp >= 0) n *= 10n ** BigInt(exp);
  else {
    const d = 10n ** BigInt(-exp);
    if (n % d !== 0n) throw new Error('value is too precise');
    n /= d;
    exp = 0;
  }
  return Number(m[1] === '-' ? -n : n);
}

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

const ULIMIT_NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

function parseInt64Strict(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** units.ParseUlimit */
export function parseUlimit(val: string): Ulimit {
  const eq = val.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${val}`);
  const name = val.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const limits = val.slice(eq + 1).split(':');
  let soft: number;
  let hard: number;
  if (limits.length === 2) {
    hard = parseInt64Strict(limits[1]!);
    soft = parseInt64Strict(limits[0]!);
  } else if (limits.length === 1) {
    soft = parseInt64Strict(limits[0]!);
    hard = soft;
  } else {
    throw new Error(`too many limit value arguments - ${val.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  }
  if (hard !== -1) {
    if (soft === -1) throw new Error(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${hard}`);
    if (soft > hard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { Name: name, Hard: hard, Soft: soft };
}

export type { ThrottleDevice, WeightDevice };

function splitDevice(val: string): [string, string] {
  const i = val.indexOf(':');
  if (i <= 0) throw new Error(`bad format: ${val}`);
  const k = val.slice(0, i);
  if (!k.startsWith('/dev/')) throw new Error(`bad format for device path: ${val}`);
  return [k, val.slice(i + 1)];
}

export function parseWeightDevice(val: string): WeightDevice {
  const [k, v] = splitDevice(val);
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`invalid weight for device: ${val}`);
  const w = Number(v);
  if (w > 0 && (w < 10 || w > 1000)) throw new Error(`invalid weight for device: ${val}`);
  return { Path: k, Weight: w };
}

export function parseThrottleBpsDevice(val: string): ThrottleDevice {
  const [k, v] = splitDevice(val);
  let rate: number;
  try {
    rate = ramInBytes(v);
  } catch {
    rate = -1;
  }
  if (rate < 0) {
    throw new Error(
      `invalid rate for device: ${val}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`,
    );
  }
  return { Path: k, Rate: rate };
}

export function parseThrottleIOpsDevice(val: string): ThrottleDevice {
  const [k, v] = splitDevice(val);
  if (!/^\d+$/.test(v)) throw new Error(`invalid rate for device: ${val}. The correct format is <device-path>:<number>. Number must be a positive integer`);
  return { Path: k, Rate: Number(v) };
}

/** encoding/csv reading of a single record (docker uses it for --mount and --network). */
export function csvFields(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= value.length) {
    if (value[i] === '"') {
      let f = '';
      i++;
      for (;;) {
        if (i >= value.length) throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            f += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        f += value[i++];
      }
      if (i < value.length && value[i] !== ',') throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
      out.push(f);
      i++;
    } else {
      const end = value.indexOf(',', i);
      const f = end < 0 ? value.slice(i) : value.slice(i, end);
      if (f.includes('"')) throw new Error(`parse error on line 1, column ${i + f.indexOf('"') + 1}: bare " in non-quoted-field`);
      out.push(f);
      if (end < 0) break;
      i = end + 1;
      if (i === value.length) {
        out.push('');
        break;
      }
    }
  }
  return out;
}
