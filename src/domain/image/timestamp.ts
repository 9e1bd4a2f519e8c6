import { InvalidArgumentError } from '../../common/errors.ts';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds. Throws InvalidArgumentError(`time: invalid duration "x"`). */
export function parseGoDuration(s: string): number {
  const bad = (): InvalidArgumentError => new InvalidArgumentError(`time: invalid duration "${s}"`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const m = re.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') {
      if (m === null && /^[0-9.]+$/.test(rest)) throw new InvalidArgumentError(`time: missing unit in duration "${s}"`);
      throw bad();
    }
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/**
 * Docker's timetypes.GetTimestamp: the `until`/`since` filter values. Accepts a Go duration ("10m", relative to
 * now), a Unix timestamp ("1700000000" or "1700000000.5"), or an RFC 3339 date or date-time. Returns the instant as
 * Unix seconds (fractional).
 */
export function parseTimestamp(value: string, nowMs = Date.now()): number {
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(value)) return Number(value);
  try {
    const ns = parseGoDuration(value);
    return (nowMs - ns / 1e6) / 1000;
  } catch {
    // not a duration
  }
  let v = value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) v += 'T00:00:00';
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(v);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?/.test(v)) {
    const ms = Date.parse(hasZone ? v : v + 'Z');
    if (!Number.isNaN(ms)) {
      // sub-millisecond digits are dropped by Date.parse: keep them
      const frac = /\.(\d+)/.exec(v);
      const extra = frac && frac[1]!.length > 3 ? Number('0.' + frac[1]!.slice(3)) / 1000 : 0;
      return ms / 1000 + extra;
    }
  }
  throw new InvalidArgumentError(`failed to parse value as time or duration: "${value}"`);
}
