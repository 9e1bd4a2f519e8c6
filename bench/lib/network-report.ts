import type { SlotKey } from './slot.ts';
import { errorsSection } from './errors-section.ts';
import { ratio, type Summary } from './stats.ts';

/** The network bench's results, rows and markdown report (no I/O: unit-tested). */

export type NetMeasureId =
  | 'netCreate'
  | 'netRm'
  | 'netCycle'
  | 'start'
  | 'dnsQps'
  | 'dnsP50'
  | 'dnsP99'
  | 'dnsSeq'
  | 'httpPub'
  | 'httpLo'
  | 'httpDirect'
  | 'httpPubShare'
  | 'httpLoShare'
  | 'httpKaPub'
  | 'httpKaLo'
  | 'httpKaDirect'
  | 'httpKaPubShare'
  | 'httpKaLoShare'
  | 'tcp';

export interface NetPlan {
  quick: boolean;
  cycles: number;
  starts: number;
  rounds: number;
  /** Seconds per dnsperf / wrk / iperf3 run. */
  seconds: number;
  /** Queries kept in flight by dnsperf. */
  dnsInFlight: number;
  /** The fixed query rate of the DNS latency run. */
  dnsLatencyQps: number;
  /** Connections kept open by wrk. */
  httpConns: number;
  /** Sequential nslookups when dnsperf is missing. */
  seqLookups: number;
  budgetMs: number;
}

type Unit = 'ms' | 'qps' | 'rps' | 'Gbit/s' | '%';

/**
 * A goal: on the ratio berth/docker ("ratio"), or on berth's own value ("own", e.g. published/direct ≥ 90%).
 * `atMost` for times, `atLeast` for rates.
 */
export interface NetGoal {
  on: 'ratio' | 'own';
  atMost?: number;
  atLeast?: number;
  text: string;
}

export interface NetRow {
  id: NetMeasureId;
  label: (p: NetPlan) => string;
  unit: Unit;
  goal?: NetGoal;
}

export const NET_ROWS: NetRow[] = [
  { id: 'netCreate', label: (p) => `\`docker network create\`, median of ${p.cycles}`, unit: 'ms' },
  { id: 'netRm', label: (p) => `\`docker network rm\`, median of ${p.cycles}`, unit: 'ms' },
  { id: 'netCycle', label: (p) => `create + rm, median of ${p.cycles} pairs`, unit: 'ms', goal: { on: 'ratio', atMost: 1 / 3, text: '≤ 1/3' } },
  { id: 'start', label: (p) => `\`docker run -d --network benchnet bb sleep\`, median of ${p.starts}`, unit: 'ms' },
  { id: 'dnsQps', label: (p) => `embedded DNS, queries/s (dnsperf, ${p.dnsInFlight} in flight, median of ${p.rounds} × ${p.seconds} s)`, unit: 'qps', goal: { on: 'ratio', atLeast: 2, text: '≥ 2×' } },
  { id: 'dnsP50', label: (p) => `… latency p50 at ${p.dnsLatencyQps} queries/s (${p.rounds} × ${p.seconds} s)`, unit: 'ms' },
  { id: 'dnsP99', label: (p) => `… latency p99 at ${p.dnsLatencyQps} queries/s`, unit: 'ms', goal: { on: 'ratio', atMost: 1 / 2, text: '≤ 1/2' } },
  { id: 'dnsSeq', label: (p) => `embedded DNS, one \`nslookup\` of ${p.seqLookups} in a row (no dnsperf)`, unit: 'ms' },
  { id: 'httpPub', label: (p) => `HTTP req/s, busybox httpd in the container (a process per request), to the published port at the host's address (wrk, ${p.httpConns} conns, median of ${p.rounds} × ${p.seconds} s)`, unit: 'rps', goal: { on: 'ratio', atLeast: 1.5, text: '≥ 1.5×' } },
  { id: 'httpLo', label: () => '… to the published port at 127.0.0.1', unit: 'rps', goal: { on: 'ratio', atLeast: 1.5, text: '≥ 1.5×' } },
  { id: 'httpDirect', label: () => "… straight to the container's IP", unit: 'rps' },
  { id: 'httpPubShare', label: () => '… published port (host address) / straight (own engine)', unit: '%', goal: { on: 'own', atLeast: 0.9, text: 'berth ≥ 90%' } },
  { id: 'httpLoShare', label: () => '… published port (127.0.0.1) / straight (own engine)', unit: '%', goal: { on: 'own', atLeast: 0.9, text: 'berth ≥ 90%' } },
  { id: 'httpKaPub', label: () => "HTTP req/s, keep-alive server (node, in the container's netns), to the published port at the host's address", unit: 'rps', goal: { on: 'ratio', atLeast: 1.5, text: '≥ 1.5×' } },
  { id: 'httpKaLo', label: () => '… to the published port at 127.0.0.1', unit: 'rps', goal: { on: 'ratio', atLeast: 1.5, text: '≥ 1.5×' } },
  { id: 'httpKaDirect', label: () => "… straight to the container's IP", unit: 'rps' },
  { id: 'httpKaPubShare', label: () => '… published port (host address) / straight (own engine)', unit: '%', goal: { on: 'own', atLeast: 0.9, text: 'berth ≥ 90%' } },
  { id: 'httpKaLoShare', label: () => '… published port (127.0.0.1) / straight (own engine)', unit: '%', goal: { on: 'own', atLeast: 0.9, text: 'berth ≥ 90%' } },
  { id: 'tcp', label: (p) => `TCP container → container on a bridge (iperf3, median of ${p.rounds} × ${p.seconds} s)`, unit: 'Gbit/s', goal: { on: 'ratio', atLeast: 0.9, text: '≥ 0.9× (equal)' } },
];

/** Why the published-port goal is shown at two addresses (printed under the table). */
const PUBLISHED_PORT_NOTE = [
  'Published ports are measured at two addresses of the sandbox host. At 127.0.0.1 the engines differ: dockerd',
  '(userland-proxy on, its default) relays every connection through docker-proxy, berth rewrites the packets in the',
  'kernel. At the host\'s own address both engines DNAT in the kernel to the same server in the container, so both',
  'reach about what a request sent straight to the container reaches, and neither can be 1.5× the other there: that',
  'row is the ceiling check (berth ≥ 90% of straight), not a place where an engine can win.',
];

export class NetResults {
  readonly values: Partial<Record<NetMeasureId, Partial<Record<SlotKey, number>>>> = {};
  readonly spread: Partial<Record<NetMeasureId, Partial<Record<SlotKey, Summary>>>> = {};
  readonly errors: Partial<Record<NetMeasureId, Partial<Record<SlotKey, string>>>> = {};
  readonly notes: string[] = [];

  set(id: NetMeasureId, key: SlotKey, v: number | undefined, spread?: Summary): void {
    if (v === undefined || !Number.isFinite(v)) return;
    (this.values[id] ??= {})[key] = v;
    if (spread) (this.spread[id] ??= {})[key] = spread;
  }

  get(id: NetMeasureId, key: SlotKey): number | undefined {
    return this.values[id]?.[key];
  }

  fail(id: NetMeasureId, key: SlotKey, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    (this.errors[id] ??= {})[key] ??= msg;
  }

  failed(id: NetMeasureId, key: SlotKey): boolean {
    return this.errors[id]?.[key] !== undefined;
  }
}

export function formatNet(v: number | undefined, unit: Unit): string {
  if (v === undefined) return '—';
  switch (unit) {
    case 'ms':
      return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ms`;
    case 'qps':
    case 'rps':
      return `${Math.round(v)}/s`;
    case 'Gbit/s':
      return `${v.toFixed(2)} Gbit/s`;
    case '%':
      return `${(v * 100).toFixed(0)}%`;
  }
}

/** Whether a row's goal is met (undefined when it cannot be checked). */
export function netGoalMet(row: NetRow, res: NetResults): boolean | undefined {
  const g = row.goal;
  if (!g) return undefined;
  const v = g.on === 'ratio' ? ratio(res.get(row.id, 'berth'), res.get(row.id, 'docker')) : res.get(row.id, 'berth');
  if (v === undefined) return undefined;
  if (g.atMost !== undefined && v > g.atMost + 1e-9) return false;
  if (g.atLeast !== undefined && v < g.atLeast - 1e-9) return false;
  return true;
}

export function netGoalTally(res: NetResults): { met: number; checked: number; unknown: number } {
  let met = 0;
  let checked = 0;
  let unknown = 0;
  for (const row of NET_ROWS) {
    if (!row.goal || !rowShown(row, res)) continue;
    const m = netGoalMet(row, res);
    if (m === undefined) unknown += 1;
    else {
      checked += 1;
      if (m) met += 1;
    }
  }
  return { met, checked, unknown };
}

/** dnsSeq only appears when it was measured (dnsperf missing); the dnsperf rows only when they were. */
function rowShown(row: NetRow, res: NetResults): boolean {
  const any = (id: NetMeasureId) => res.values[id] !== undefined || res.errors[id] !== undefined;
  if (row.id === 'dnsSeq') return any('dnsSeq');
  if (row.id === 'dnsQps' || row.id === 'dnsP50' || row.id === 'dnsP99') return !any('dnsSeq') || any('dnsQps');
  return true;
}

export interface NetSlotInfo {
  key: SlotKey;
  title: string;
  command: string;
  version: string;
  startError: string | undefined;
}

function cell(res: NetResults, row: NetRow, key: SlotKey, slots: NetSlotInfo[]): string {
  if (slots.find((s) => s.key === key)?.startError) return 'did not start';
  if (res.errors[row.id]?.[key]) return 'error';
  return formatNet(res.get(row.id, key), row.unit);
}

export function netTable(plan: NetPlan, slots: NetSlotInfo[], res: NetResults): string {
  const title = (k: SlotKey) => slots.find((s) => s.key === k)?.title ?? k;
  const lines = [`| measure | ${title('berth')} | ${title('docker')} | berth/docker | goal | met |`, '|---|--:|--:|--:|:-:|:-:|'];
  for (const row of NET_ROWS) {
    if (!rowShown(row, res)) continue;
    const r = row.unit === '%' ? undefined : ratio(res.get(row.id, 'berth'), res.get(row.id, 'docker'));
    const met = netGoalMet(row, res);
    const metText = met === undefined ? (row.goal ? '?' : '') : met ? 'yes' : 'no';
    lines.push(`| ${row.label(plan)} | ${cell(res, row, 'berth', slots)} | ${cell(res, row, 'docker', slots)} | ${r === undefined ? '—' : r.toFixed(2)} | ${row.goal?.text ?? ''} | ${metText} |`);
  }
  return lines.join('\n');
}

export interface NetFacts {
  date: string;
  machine: string;
  loadStart: string;
  loadEnd: string;
  versions: string[];
}

export function renderNetReport(plan: NetPlan, slots: NetSlotInfo[], res: NetResults, facts: NetFacts): string {
  const out: string[] = [`# berth vs dockerd — network benchmark${plan.quick ? ' (--quick)' : ''}`, ''];
  out.push(`- date: ${facts.date}`, `- machine: ${facts.machine}`, `- load average at start / end: ${facts.loadStart} / ${facts.loadEnd} (shared machine: other jobs may run)`);
  for (const s of slots) out.push(`- ${s.key}: \`${s.command}\`${s.version ? ` — server ${s.version}` : ''}`);
  for (const v of facts.versions) out.push(`- ${v}`);
  out.push('', netTable(plan, slots, res), '');
  const t = netGoalTally(res);
  out.push(`Goals met: ${t.met} of ${t.checked}${t.unknown ? ` (${t.unknown} could not be checked)` : ''}.`, '');
  if (rowShown(NET_ROWS.find((r) => r.id === 'httpPub')!, res)) out.push(...PUBLISHED_PORT_NOTE, '');
  const details: string[] = [];
  for (const row of NET_ROWS) {
    for (const key of ['berth', 'docker'] as const) {
      const sp = res.spread[row.id]?.[key];
      if (sp && sp.n > 1) details.push(`- ${row.id} on ${key}: ${formatNet(sp.min, row.unit)} … ${formatNet(sp.max, row.unit)} over ${sp.n}`);
    }
  }
  if (details.length || res.notes.length) out.push('## Details', '', ...details, ...res.notes.map((n) => `- ${n}`), '');
  out.push(...errorsSection(slots, res.errors));
  return `${out.join('\n').trimEnd()}\n`;
}
