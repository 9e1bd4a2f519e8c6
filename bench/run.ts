/**
 * berth vs dockerd for `docker run` with options (issue 6), measured with the stock docker CLI:
 *   1. `docker run --rm bb true` (the reference), with `-m 64m --cpus 0.5`, and with a named volume (`-v benchvol:/data`);
 *   2. `docker stats --no-stream` with 50 running containers; 3. `docker system df` with them.
 * Each daemon runs in a throwaway sandbox of its own (test/support/sandbox.ts, bench/lib/slot.ts); timed commands
 * alternate between the daemons. Prints a markdown report with the ratios berth/docker; a full run with the default
 * daemons writes it to bench/results/run-<YYYY-MM-DD>.md.
 *
 *   node_modules/.bin/node bench/run.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { SandboxRegistry } from './lib/cleanup.ts';
import { Slot, type SlotKey } from './lib/slot.ts';
import { firstLine, log, parseDaemonArgs, recordResults, runBench, usesDefaultDaemons } from './lib/runner.ts';
import { ratio, summarize, type Summary } from './lib/stats.ts';

interface Plan {
  quick: boolean;
  runs: number;
  containers: number;
  statsRuns: number;
  budgetMs: number;
}

const FULL: Plan = { quick: false, runs: 20, containers: 50, statsRuns: 5, budgetMs: 30 * 60_000 };
const QUICK: Plan = { quick: true, runs: 5, containers: 10, statsRuns: 2, budgetMs: 10 * 60_000 };

const USAGE = 'Usage: node_modules/.bin/node bench/run.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]';

/** One measure: a label and the docker arguments it times (or a custom step). */
export interface Measure {
  id: string;
  label: string;
}

export const MEASURES: Measure[] = [
  { id: 'run', label: '`docker run --rm bb true`' },
  { id: 'runLimits', label: '`docker run --rm -m 64m --cpus 0.5 bb true`' },
  { id: 'runVolume', label: '`docker run --rm -v benchvol:/data bb true`' },
  { id: 'stats', label: '`docker stats --no-stream`, N running' },
  { id: 'df', label: '`docker system df`, N running' },
];

export type Table = Record<string, Partial<Record<SlotKey, Summary | string>>>;


function turn<T>(xs: T[], round: number): T[] {
  return round % 2 === 0 ? xs : [...xs].reverse();
}

function fmtMs(s: Summary | string | undefined): string {
  if (s === undefined) return '—';
  if (typeof s === 'string') return `error: ${s.split('\n')[0]!.slice(0, 80)}`;
  return s.median >= 1000 ? `${(s.median / 1000).toFixed(2)} s` : `${Math.round(s.median)} ms`;
}

/** The markdown report: one row per measure, both medians, berth/docker, and min … max underneath. */
export function renderRunReport(plan: Plan, table: Table, facts: string[], slots: { key: SlotKey; title: string; version: string; startError?: string }[]): string {
  const n = plan.containers;
  let s = '# docker run with options: berth vs dockerd\n\n';
  for (const f of facts) s += `- ${f}\n`;
  for (const sl of slots) s += `- ${sl.title}: ${sl.startError ? `did not start (${sl.startError.split('\n')[0]})` : sl.version}\n`;
  s += `\nMedians of ${plan.runs} runs (run latencies) and of ${plan.statsRuns} (stats, df), spawn to exit of the CLI.\n\n`;
  s += '| measure | berth | docker | berth/docker |\n|---|---|---|---|\n';
  for (const m of MEASURES) {
    const row = table[m.id] ?? {};
    const b = row.berth;
    const d = row.docker;
    const r = ratio(typeof b === 'object' ? b.median : undefined, typeof d === 'object' ? d.median : undefined);
    s += `| ${m.label.replace('N', String(n))} | ${fmtMs(b)} | ${fmtMs(d)} | ${r === undefined ? '—' : `${r.toFixed(2)}×`} |\n`;
  }
  s += '\nmin … max:\n\n';
  for (const m of MEASURES) {
    const parts = (['berth', 'docker'] as SlotKey[]).map((k) => {
      const v = table[m.id]?.[k];
      return typeof v === 'object' ? `${k} ${Math.round(v.min)} … ${Math.round(v.max)} ms` : `${k} —`;
    });
    s += `- ${m.label.replace('N', String(n))}: ${parts.join('; ')}\n`;
  }
  return s;
}

async function timeEach(slots: Slot[], table: Table, id: string, n: number, args: (s: Slot) => string[], timeoutMs = 60_000): Promise<void> {
  const times = new Map<Slot, number[]>(slots.map((s) => [s, []]));
  for (let i = 0; i < n; i++) {
    for (const s of turn(slots, i)) {
      if (typeof table[id]?.[s.key] === 'string') continue;
      try {
        times.get(s)!.push((await s.docker(args(s), timeoutMs)).ms);
      } catch (err) {
        (table[id] ??= {})[s.key] = (err as Error).message;
      }
    }
  }
  for (const [s, xs] of times) if (xs.length && typeof table[id]?.[s.key] !== 'string') (table[id] ??= {})[s.key] = summarize(xs);
}

async function measureAll(slots: Slot[], plan: Plan, table: Table): Promise<void> {
  for (const s of slots) await s.docker(['volume', 'create', 'benchvol']);
  log(`» ${plan.runs} × run --rm, plain / -m --cpus / named volume`);
  await timeEach(slots, table, 'run', plan.runs, () => ['run', '--rm', 'bb', 'true']);
  await timeEach(slots, table, 'runLimits', plan.runs, () => ['run', '--rm', '-m', '64m', '--cpus', '0.5', 'bb', 'true']);
  await timeEach(slots, table, 'runVolume', plan.runs, () => ['run', '--rm', '-v', 'benchvol:/data', 'bb', 'true']);
  log(`» ${plan.containers} × run -d, then ${plan.statsRuns} × stats --no-stream and system df`);
  const ready: Slot[] = [];
  for (const s of slots) {
    try {
      for (let i = 0; i < plan.containers; i++) await s.docker(['run', '-d', 'bb', 'sleep', '1000']);
      ready.push(s);
    } catch (err) {
      for (const id of ['stats', 'df']) (table[id] ??= {})[s.key] = (err as Error).message;
    }
  }
  await timeEach(ready, table, 'stats', plan.statsRuns, () => ['stats', '--no-stream'], 120_000);
  for (const s of ready) {
    // every container of the table: a sanity check that the numbers are of the same thing
    const out = await s.docker(['stats', '--no-stream', '--format', '{{.Name}}'], 120_000).catch(() => ({ out: '' }));
    const rows = out.out.split('\n').filter(Boolean).length;
    if (rows !== plan.containers) (table.stats ??= {})[s.key] = `stats listed ${rows} containers, expected ${plan.containers}`;
  }
  await timeEach(ready, table, 'df', plan.statsRuns, () => ['system', 'df'], 120_000);
  for (const s of ready) await s.docker(['rm', '-f', ...(await s.docker(['ps', '-aq'])).out.split('\n').filter(Boolean)], 300_000).catch(() => {});
}

async function main(): Promise<number> {
  const args = parseDaemonArgs(process.argv.slice(2), USAGE);
  const { quick, berth, docker } = args;
  if (process.getuid?.() !== 0) {
    log('bench/run.ts needs root (it starts daemons in network, mount and pid namespaces)');
    return 2;
  }
  const plan = quick ? QUICK : FULL;
  const deadline = Date.now() + plan.budgetMs;
  const registry = new SandboxRegistry();
  registry.installSignalHandlers(log);
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  const facts = [`date: ${await firstLine(['date', '-u'])}`, `nproc ${await firstLine(['nproc'])}, ${cpu}, kernel ${await firstLine(['uname', '-r'])}`, `docker CLI: ${await firstLine(['/usr/local/bin/docker', '--version'])}`, `load at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`];
  const split = (cmd: string) => cmd.trim().split(/\s+/);
  const slots = [new Slot('berth', split(berth), deadline), new Slot('docker', split(docker), deadline)];
  const table: Table = {};
  const teardown: string[] = [];
  try {
    for (const s of slots) {
      log(`» start ${s.title}`);
      await s.open(registry);
      if (s.startError) log(`  ${s.title} did not start:\n${s.startError}`);
    }
    const live = slots.filter((s) => s.ok);
    if (live.length) await measureAll(live, plan, table);
  } finally {
    log('» teardown');
    teardown.push(...(await registry.closeAll()));
  }
  facts.push(`load at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const t of teardown) facts.push(`teardown: ${t}`);
  const report = renderRunReport(plan, table, facts, slots.map((s) => ({ key: s.key, title: s.title, version: s.serverVersion, startError: s.startError })));
  process.stdout.write(`\n${report}`);
  const allStarted = slots.every((s) => s.ok);
  recordResults('run', report, { quick, allStarted, defaults: usesDefaultDaemons(args) });
  const errors = Object.values(table).flatMap((row) => Object.values(row).filter((v) => typeof v === 'string'));
  return !allStarted || errors.length || teardown.length ? 1 : 0;
}

if (import.meta.main) await runBench(main);
