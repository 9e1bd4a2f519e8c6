import { InvalidArgumentError } from '../../common/errors.ts';
import { ANONYMOUS_LABEL, type VolumeView } from './contract.ts';

/** Pure selection logic of GET /volumes and POST /volumes/prune (moby's volume service filters). */

const LIST_FILTERS = ['dangling', 'name', 'driver', 'label'];
const PRUNE_FILTERS = ['label', 'label!', 'all'];

function validate(f: Map<string, string[]>, accepted: string[]): void {
  for (const k of f.keys()) if (!accepted.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
}

/** moby filters.MatchKVList: every `key` / `key=value` must be present in the labels. */
export function matchKVList(values: string[] | undefined, labels: Record<string, string> | null): boolean {
  if (!values || values.length === 0) return true;
  if (!labels || Object.keys(labels).length === 0) return false;
  return values.every((v) => {
    const i = v.indexOf('=');
    const k = i < 0 ? v : v.slice(0, i);
    if (!(k in labels)) return false;
    return i < 0 || labels[k] === v.slice(i + 1);
  });
}

/** moby filters.Match: exact, else the value as a regular expression (invalid ones never match). */
export function matchName(values: string[], name: string): boolean {
  if (values.length === 0 || values.includes(name)) return true;
  return values.some((v) => {
    try {
      return new RegExp(v).test(name);
    } catch {
      return false;
    }
  });
}

/** moby GetBoolOrDefault for `dangling`. */
function boolFilter(key: string, values: string[]): boolean {
  if (values.length === 0) throw new InvalidArgumentError(`invalid filter '${key}'`);
  const isFalse = values.includes('0') || values.includes('false');
  const isTrue = values.includes('1') || values.includes('true');
  if (isFalse === isTrue) throw new InvalidArgumentError(`invalid filter '${key}=[${values.join(' ')}]'`);
  return isTrue;
}

function labelFilters(v: VolumeView, f: Map<string, string[]>): boolean {
  if (!matchKVList(f.get('label'), v.Labels)) return false;
  const not = f.get('label!');
  if (not && not.length > 0 && matchKVList(not, v.Labels)) return false;
  return true;
}

/** `docker volume ls --filter`: dangling, name, driver, label. */
export function filterVolumes(vols: { view: VolumeView; refs: number }[], f: Map<string, string[]>): VolumeView[] {
  validate(f, LIST_FILTERS);
  const dangling = f.has('dangling') ? boolFilter('dangling', f.get('dangling')!) : undefined;
  const drivers = f.get('driver');
  return vols
    .filter(({ view, refs }) => {
      if (drivers && drivers.length > 0 && !drivers.includes(view.Driver)) return false;
      if (f.has('name') && !matchName(f.get('name')!, view.Name)) return false;
      if (!labelFilters(view, f)) return false;
      if (dangling !== undefined && (refs === 0) !== dangling) return false;
      return true;
    })
    .map((x) => x.view);
}

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** The volumes prune removes among unused local ones: `all` (else anonymous only), `label`, `label!`. */
export function pruneSelection(unused: VolumeView[], filters: Map<string, string[]>): VolumeView[] {
  validate(filters, PRUNE_FILTERS);
  const f = new Map(filters);
  const all = f.get('all') ?? [];
  if (all.length > 1) throw new InvalidArgumentError(`invalid filter 'all=[${all.join(' ')}]': only one value is expected`);
  let everything = false;
  if (all.length === 1) {
    if (GO_TRUE.includes(all[0]!)) everything = true;
    else if (!GO_FALSE.includes(all[0]!)) throw new InvalidArgumentError(`invalid filter 'all': strconv.ParseBool: parsing ${JSON.stringify(all[0])}: invalid syntax`);
  }
  if (!everything) f.set('label', [...(f.get('label') ?? []), ANONYMOUS_LABEL]);
  return unused.filter((v) => labelFilters(v, f));
}

/** Go's time.Format(time.RFC3339) in the daemon's local zone: "2026-11-23T12:39:02Z" or "…+01:00". */
export function rfc3339Local(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  if (off === 0) return `${local}Z`;
  const sign = off > 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
