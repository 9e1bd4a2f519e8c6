import { InvalidArgumentError } from '../../common/errors.ts';
import type { NetworkRecord } from './state.ts';

export type Filters = Map<string, string[]>;

/** moby's filters.Match: an exact value or an (unanchored) regular expression. */
function match(values: readonly string[], source: string): boolean {
  return values.some((v) => {
    if (v === source) return true;
    try {
      return new RegExp(v).test(source);
    } catch {
      return false;
    }
  });
}

/** `label=key` or `label=key=value`: all of them must match. */
export function matchLabels(values: readonly string[], labels: Record<string, string>): boolean {
  return values.every((v) => {
    const i = v.indexOf('=');
    if (i < 0) return v in labels;
    return labels[v.slice(0, i)] === v.slice(i + 1);
  });
}

const LIST_KEYS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

/** GET /networks filters (moby daemon/network/filter.go). `inUse` tells whether a network has endpoints. */
export function filterNetworks(nets: readonly NetworkRecord[], f: Filters, inUse: (n: NetworkRecord) => boolean): NetworkRecord[] {
  for (const k of f.keys()) if (!LIST_KEYS.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  for (const t of f.get('type') ?? []) if (t !== 'custom' && t !== 'builtin') throw new InvalidArgumentError(`invalid filter: 'type'='${t}'`);
  const dangling = f.get('dangling') ?? [];
  if (dangling.length > 1) throw new InvalidArgumentError('got more than one value for filter key "dangling"');
  for (const d of dangling) {
    if (!['true', 'false', '1', '0'].includes(d.toLowerCase())) throw new InvalidArgumentError(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
  }
  return nets.filter((n) => {
    const v = (k: string) => f.get(k) ?? [];
    if (v('name').length > 0 && !match(v('name'), n.Name)) return false;
    if (v('id').length > 0 && !match(v('id'), n.Id)) return false;
    if (v('driver').length > 0 && !match(v('driver'), n.Driver)) return false;
    if (v('scope').length > 0 && !v('scope').includes('local')) return false;
    if (v('label').length > 0 && !matchLabels(v('label'), n.Labels)) return false;
    if (v('type').length > 0 && !v('type').includes(n.predefined ? 'builtin' : 'custom')) return false;
    if (v('dangling').length > 0) {
      const want = ['true', '1'].includes(v('dangling')[0]!.toLowerCase());
      // dangling: user-defined networks without endpoints (predefined ones are never dangling)
      const dangling = !n.predefined && !inUse(n);
      if (want !== dangling) return false;
    }
    return true;
  });
}

/** `until` of prune filters: a Unix timestamp, an RFC 3339 date or a Go duration ("24h", "1h30m") before now. */
export function parseUntil(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.exec(v);
  if (dur) {
    const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * unit[m[2]!]!;
    return now - ms;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${v}"`);
  return t;
}

/** POST /networks/prune filters: until, label, label!. */
export function pruneFilter(f: Filters): (n: NetworkRecord) => boolean {
  for (const k of f.keys()) if (!['until', 'label', 'label!'].includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  const until = (f.get('until') ?? []).map((v) => parseUntil(v));
  return (n) => {
    if (until.length > 0 && !until.every((u) => Date.parse(n.Created) < u)) return false;
    if ((f.get('label') ?? []).length > 0 && !matchLabels(f.get('label')!, n.Labels)) return false;
    const not = f.get('label!') ?? [];
    if (not.length > 0 && not.some((l) => matchLabels([l], n.Labels))) return false;
    return true;
  };
}
