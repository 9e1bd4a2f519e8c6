import type { MeasureId, Results } from './results.ts';
import type { SlotKey } from './slot.ts';
import { errorsSection } from './errors-section.ts';
import { type Goal, goalMet, goalText, ratio, type Summary } from './stats.ts';

export interface Plan {
  quick: boolean;
  runs: number;
  batch: number;
  psContainers: number;
  psRuns: number;
  floorRuns: number;
  budgetMs: number;
}

export interface SlotInfo {
  key: SlotKey;
  title: string;
  command: string;
  version: string;
  startError: string | undefined;
}

export interface Facts {
  date: string;
  nproc: string;
  model: string;
  kernel: string;
  memTotal: string;
  loadStart: string;
  loadEnd: string;
  versions: string[];
}

type Unit = 'ms' | 's' | 'MB';

interface RowDef {
  id: MeasureId;
  label: (p: Plan) => string;
  unit: Unit;
  goal?: Goal;
}

export const ROWS: RowDef[] = [
  { id: 'run', label: (p) => `\`docker run --rm bb true\`, median of ${p.runs}`, unit: 'ms', goal: { num: 1, den: 3 } },
  { id: 'batch', label: (p) => `${p.batch} × \`docker run -d bb sleep 1000\` + one \`docker rm -f\` of all, total`, unit: 's', goal: { num: 1, den: 3 } },
  { id: 'batchRun', label: (p) => `… of which the ${p.batch} × \`run -d\``, unit: 's' },
  { id: 'batchRm', label: () => '… of which the `rm -f`', unit: 's' },
  { id: 'rssIdle', label: () => 'RSS of the engine, idle', unit: 'MB', goal: { num: 1, den: 2 } },
  { id: 'rss50', label: (p) => `RSS of the engine with ${p.batch} containers`, unit: 'MB', goal: { num: 1, den: 2 } },
  { id: 'rssPer', label: (p) => `RSS per container, (with ${p.batch} − idle)/${p.batch}`, unit: 'MB', goal: { num: 1, den: 2 } },
  { id: 'ps', label: (p) => `\`docker ps -a\` with ${p.psContainers} created containers, median of ${p.psRuns}`, unit: 'ms', goal: { num: 1, den: 1 } },
  { id: 'psCreate', label: (p) => `(setup: ${p.psContainers} × \`docker create\`, 4 at a time)`, unit: 's' },
];

/** ms → "123 ms" / "12.3 ms"; ms → "4.56 s"; kB → "45.6 MB". */
export function formatValue(v: number | undefined, unit: Unit): string {
  if (v === undefined) return '—';
  switch (unit) {
    case 'ms':
      return `${v < 100 ? v.toFixed(1) : v.toFixed(0)} ms`;
    case 's':
      return `${(v / 1000).toFixed(2)} s`;
    case 'MB':
      return `${(v / 1024).toFixed(1)} MB`;
  }
}

function cell(res: Results, id: MeasureId, key: SlotKey, unit: Unit, slots: SlotInfo[]): string {
  const s = slots.find((x) => x.key === key);
  if (s?.startError) return 'did not start';
  if (res.errors[id]?.[key]) return 'error';
  return formatValue(res.get(id, key), unit);
}

function spreadText(sp: Summary | undefined, unit: Unit): string {
  return sp ? `${formatValue(sp.min, unit)} … ${formatValue(sp.max, unit)}` : '';
}

/** The comparison table (markdown) with ratio and goal per row. */
export function comparisonTable(plan: Plan, slots: SlotInfo[], res: Results): string {
  const title = (k: SlotKey) => slots.find((s) => s.key === k)?.title ?? k;
  const lines = [
    `| measure | ${title('berth')} | ${title('docker')} | berth/docker | goal | met |`,
    '|---|--:|--:|--:|:-:|:-:|',
  ];
  for (const row of ROWS) {
    const r = ratio(res.get(row.id, 'berth'), res.get(row.id, 'docker'));
    const met = row.goal ? goalMet(r, row.goal) : undefined;
    lines.push(
      `| ${row.label(plan)} | ${cell(res, row.id, 'berth', row.unit, slots)} | ${cell(res, row.id, 'docker', row.unit, slots)} | ${r === undefined ? '—' : r.toFixed(2)} | ${row.goal ? goalText(row.goal) : ''} | ${met === undefined ? (row.goal ? '?' : '') : met ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

/** Goals met / goals checked, for the summary line and the exit code. */
export function goalTally(res: Results): { met: number; checked: number; unknown: number } {
  let met = 0;
  let checked = 0;
  let unknown = 0;
  for (const row of ROWS) {
    if (!row.goal) continue;
    const m = goalMet(ratio(res.get(row.id, 'berth'), res.get(row.id, 'docker')), row.goal);
    if (m === undefined) unknown += 1;
    else {
      checked += 1;
      if (m) met += 1;
    }
  }
  return { met, checked, unknown };
}

export function renderReport(plan: Plan, slots: SlotInfo[], res: Results, facts: Facts): string {
  const out: string[] = [];
  out.push(`# berth vs dockerd — engine benchmark${plan.quick ? ' (--quick)' : ''}`, '');
  out.push(`- date: ${facts.date}`);
  out.push(`- machine: ${facts.nproc} CPUs, ${facts.model}, ${facts.memTotal} RAM, kernel ${facts.kernel}`);
  out.push(`- load average at start / end: ${facts.loadStart} / ${facts.loadEnd} (shared machine: other jobs may run)`);
  for (const s of slots) out.push(`- ${s.key}: \`${s.command}\`${s.version ? ` — server ${s.version}` : ''}`);
  for (const v of facts.versions) out.push(`- ${v}`);
  out.push('', comparisonTable(plan, slots, res), '');
  const t = goalTally(res);
  out.push(`Goals met: ${t.met} of ${t.checked}${t.unknown ? ` (${t.unknown} could not be checked)` : ''}.`, '');

  out.push(`## OCI runtime floor (\`<runtime> run\` of a busybox bundle running \`true\`, no daemon, median of ${plan.floorRuns})`, '');
  if (res.floor) {
    out.push('| runtime | median | min … max |', '|---|--:|--:|');
    for (const [name, sp] of Object.entries(res.floor)) out.push(`| ${name} | ${formatValue(sp.median, 'ms')} | ${spreadText(sp, 'ms')} |`);
    const crun = res.floor.crun?.median;
    const above = (['berth', 'docker'] as const).flatMap((key) => {
      const run = res.get('run', key);
      return run !== undefined && crun !== undefined ? [`${key} +${formatValue(run - crun, 'ms')}`] : [];
    });
    if (above.length) out.push('', `\`docker run --rm\` above \`crun run\`: ${above.join(', ')}.`);
  } else out.push(`not measured: ${res.floorError ?? 'skipped'}`);
  out.push('');

  const spreads: string[] = [];
  for (const id of ['run', 'ps'] as const) {
    for (const key of ['berth', 'docker'] as const) {
      const sp = res.spread[id]?.[key];
      if (sp) spreads.push(`- ${id} on ${key}: ${spreadText(sp, 'ms')} over ${sp.n} runs`);
    }
  }
  for (const key of ['berth', 'docker'] as const) {
    const [idle, loaded, per] = (['pssIdle', 'pss50', 'pssPer'] as const).map((id) => formatValue(res.get(id, key), 'MB'));
    if (res.get('pssIdle', key) !== undefined) spreads.push(`- PSS on ${key}: ${idle} idle, ${loaded} with ${plan.batch} containers, ${per} per container`);
  }
  if (spreads.length || res.notes.length) {
    out.push('## Details', '', ...spreads, ...res.notes.map((n) => `- ${n}`), '');
    out.push(
      'RSS counts shared pages (libraries, the node or Go binary) once per process; PSS splits them among all the',
      "processes sharing them, on the whole machine (berthd's node pages are shared with the bench's own node).",
      '',
    );
  }

  out.push(...errorsSection(slots, res.errors));
  return `${out.join('\n').trimEnd()}\n`;
}
