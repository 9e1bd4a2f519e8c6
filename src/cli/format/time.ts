/** Go time formatting the CLI output relies on: time.Time.String() and RFC 3339 timestamps with nanoseconds. */

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function zoneName(d: Date, offsetMin: number): string {
  if (offsetMin === 0) {
    const tz = process.env.TZ;
    if (!tz || tz === 'UTC' || tz === 'Etc/UTC' || tz === 'UTC0' || tz === ':UTC') return 'UTC';
  }
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
    if (part && !part.value.startsWith('GMT')) return part.value;
  } catch {
    // fall through
  }
  const sign = offsetMin >= 0 ? '+' : '-';
  const a = Math.abs(offsetMin);
  return a % 60 === 0 ? `${sign}${pad(a / 60)}` : `${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

/**
 * time.Time.String() — "2006-01-02 15:04:05.999999999 -0700 MST". With utc=true the time is shown in UTC
 * (values decoded from JSON timestamps); otherwise in the local zone (time.Unix values).
 */
export function goTimeString(ms: number, nanosExtra = 0, utc = false): string {
  const d = new Date(ms);
  const offsetMin = utc ? 0 : -d.getTimezoneOffset();
  const t = new Date(ms + offsetMin * 60000);
  const frac = (Math.floor(((ms % 1000) + 1000) % 1000) * 1e6 + nanosExtra).toString().padStart(9, '0').replace(/0+$/, '');
  const sign = offsetMin >= 0 ? '+' : '-';
  const a = Math.abs(offsetMin);
  return (
    `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}` +
    `${frac ? `.${frac}` : ''} ${sign}${pad(Math.floor(a / 60))}${pad(a % 60)} ${utc ? 'UTC' : zoneName(d, offsetMin)}`
  );
}

/** time.Unix(sec, 0).String() in the local zone. */
export function unixString(sec: number): string {
  return goTimeString(sec * 1000);
}

/** Parses an RFC 3339 timestamp keeping sub-millisecond nanoseconds: [ms, extraNanos]. */
export function parseRfc3339(s: string): [number, number] {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return [Date.parse(s), 0];
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const ms = Date.parse(`${m[1]}.${frac.slice(0, 3)}${m[3]}`);
  return [ms, Number(frac.slice(3))];
}

/** time.Time.String() of an RFC 3339 timestamp from the API (shown in its own zone; UTC for "Z"). */
export function rfc3339ToGoString(s: string): string {
  if (!s || s.startsWith('0001-01-01')) return '0001-01-01 00:00:00 +0000 UTC';
  const [ms, ns] = parseRfc3339(s);
  return goTimeString(ms, ns, s.endsWith('Z'));
}

/** sortorder.NaturalLess: digit runs compare numerically. */
export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a[i]!;
    const cb = b[j]!;
    const da = ca >= '0' && ca <= '9';
    const db = cb >= '0' && cb <= '9';
    if (da && db) {
      let ei = i;
      while (ei < a.length && a[ei]! >= '0' && a[ei]! <= '9') ei++;
      let ej = j;
      while (ej < b.length && b[ej]! >= '0' && b[ej]! <= '9') ej++;
      const na = a.slice(i, ei).replace(/^0+/, '');
      const nb = b.slice(j, ej).replace(/^0+/, '');
      if (na.length !== nb.length) return na.length < nb.length;
      if (na !== nb) return na < nb;
      if (ei - i !== ej - j) return ei - i < ej - j;
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca < cb;
    i++;
    j++;
  }
  return a.length - i < b.length - j;
}

export function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}
