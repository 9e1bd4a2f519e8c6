/**
 * docker's timetypes.GetTimestamp (for --since/--until): a Go duration ("42m") becomes the Unix second of
 * now-d; RFC 3339-like times become "<sec>.<nanos>" (local zone when none is given); a Unix timestamp passes.
 */
import { parseGoDuration } from '../format/units.ts';

export function parseTimestamp(value: string, nowMs: number): string {
  if (value !== '0') {
    try {
      const d = parseGoDuration(value);
      return String(Math.floor((nowMs - d / 1e6) / 1000));
    } catch {
      // not a duration
    }
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?([zZ]|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) {
    if (value.includes('-')) throw new Error(`parsing time ${JSON.stringify(value)}: cannot parse ${JSON.stringify(value)} as "2006"`);
    if (!/^\d+(\.\d{1,9})?$/.test(value)) throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
    return value;
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', tz] = m;
  let ms: number;
  if (tz) {
    ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${tz === 'z' ? 'Z' : tz}`);
  } else {
    ms = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime();
  }
  if (Number.isNaN(ms)) throw new Error(`parsing time ${JSON.stringify(value)}: month out of range`);
  const nanos = Number(frac.padEnd(9, '0') || '0');
  return `${Math.floor(ms / 1000)}.${String(nanos).padStart(9, '0')}`;
}
