/**
 * berth vs dockerd, measured with the stock docker CLI: `docker run --rm` latency (and the bare crun/runc floor),
 * 50 × run -d + rm -f, engine memory idle and with 50 containers, `docker ps -a` with 200 containers.
 * Each daemon runs in a throwaway sandbox of its own (test/support/sandbox.ts). See bench/README.md.
 *
 *   node_modules/.bin/node bench/engine.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]
 */
import { readFileSync, } from 'node:fs';
import { loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCmd } from '../test/support/proc.ts';
import { REPO_ROOT } from '../test/support/sandbox.ts';
import { SandboxRegistry } from './lib/cleanup.ts';
import { measureBatch, measureIdleMemory, measurePs, measureRun } from './lib/measures.ts';
import { measureOciFloor } from './lib/oci-floor.ts';
import { type Facts, goalTally, type Plan, renderReport, type SlotInfo } from './lib/report.ts';
import { Results } from './lib/results.ts';
import { log, recordResults, step } from './lib/runner.ts';
import { Slot } from './lib/slot.ts';
import { summarize } from './lib/stats.ts';

const FULL: Plan = { quick: false, runs: 20, batch: 50, psContainers: 200, psRuns: 10, floorRuns: 20, budgetMs: 40 * 60_000 };
const QUICK: Plan = { quick: true, runs: 5, batch: 10, psContainers: 50, psRuns: 5, floorRuns: 5, budgetMs: 10 * 60_000 };

const DEFAULT_BERTHD = join(REPO_ROOT, 'bin/berthd');
const DEFAULT_DOCKERD = '/usr/sbin/dockerd';

const USAGE = `Usage: node_modules/.bin/node bench/engine.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]

  --quick              fewer repetitions (5 runs, 10 containers, ps with 50); no results file
  --berth-daemon=CMD   daemon of the berth slot (default ${DEFAULT_BERTHD}; env BENCH_BERTH_DAEMON)
  --docker-daemon=CMD  daemon of the docker slot (default ${DEFAULT_DOCKERD}; env BENCH_DOCKER_DAEMON)

Without --quick, and with the default daemons, the report is written to bench/results/engine-<YYYY-MM-DD>.md.
Needs root (network, mount and pid namespaces).`;

interface Args {
  quick: boolean;
  berth: string;
  docker: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    quick: false,
    berth: process.env.BENCH_BERTH_DAEMON || DEFAULT_BERTHD,
    docker: process.env.BENCH_DOCKER_DAEMON || DEFAULT_DOCKERD,
  };
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--quick') a.quick = true;
    else if (flag === '--berth-daemon' && value) a.berth = value;
    else if (flag === '--docker-daemon' && value) a.docker = value;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument: ${arg}\n\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return a;
}


async function firstLine(argv: string[]): Promise<string> {
  const r = await runCmd(argv, { timeoutMs: 10_000 });
  return (r.stdout || r.stderr).trim().split('\n')[0] ?? '';
}

async function machineFacts(): Promise<Omit<Facts, 'loadEnd'>> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    date: await firstLine(['date', '-u']),
    nproc: await firstLine(['nproc']),
    model: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    kernel: await firstLine(['uname', '-r']),
    memTotal: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    loadStart: loadavg().map((l) => l.toFixed(2)).join(' '),
    versions: [
      `docker CLI: ${await firstLine(['/usr/local/bin/docker', '--version'])}`,
      `crun: ${await firstLine(['crun', '--version'])}`,
      `runc: ${await firstLine(['runc', '--version'])}`,
    ],
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    log('bench/engine.ts needs root (it starts daemons in network, mount and pid namespaces)');
    return 2;
  }
  const plan = args.quick ? QUICK : FULL;
  const deadline = Date.now() + plan.budgetMs;
  const registry = new SandboxRegistry();
  registry.installSignalHandlers(log);
  const res = new Results();
  const facts = await machineFacts();
  const split = (cmd: string) => cmd.trim().split(/\s+/);
  const slots = [new Slot('berth', split(args.berth), deadline), new Slot('docker', split(args.docker), deadline)];
  const teardown: string[] = [];
  try {
    for (const s of slots) {
      await step(`start ${s.title} in its own sandbox, import bb`, registry, () => s.open(registry));
      if (s.startError) log(`  ${s.title} did not start:\n${s.startError}`);
    }
    const live = slots.filter((s) => s.ok);
    if (live.length > 0) {
      await step(`${plan.runs} × docker run --rm bb true`, registry, () => measureRun(live, plan.runs, res));
      await step(`OCI floor: ${plan.floorRuns} × crun run / runc run`, registry, async () => {
        try {
          const floor = await measureOciFloor(plan.floorRuns, registry);
          res.floor = Object.fromEntries(Object.entries(floor.times).map(([k, xs]) => [k, summarize(xs)]));
          res.notes.push(...floor.notes);
        } catch (err) {
          res.floorError = (err as Error).message;
        }
      });
      await step('engine memory, idle', registry, () => measureIdleMemory(live, res));
      await step(`${plan.batch} × docker run -d, memory, rm -f`, registry, () => measureBatch(live, plan.batch, res));
      await step(`${plan.psContainers} × docker create, ${plan.psRuns} × docker ps -a`, registry, () => measurePs(live, plan.psContainers, plan.psRuns, res));
    }
  } finally {
    await step('teardown', undefined, async () => {
      teardown.push(...(await registry.closeAll()));
    });
  }
  for (const t of teardown) res.notes.push(`teardown: ${t}`);

  const infos: SlotInfo[] = slots.map((s) => ({ key: s.key, title: s.title, command: s.argv.join(' '), version: s.serverVersion, startError: s.startError }));
  const report = renderReport(plan, infos, res, { ...facts, loadEnd: loadavg().map((l) => l.toFixed(2)).join(' ') });
  process.stdout.write(`\n${report}`);

  const allStarted = slots.every((s) => s.ok);
  recordResults('engine', report, { quick: args.quick, allStarted, defaults: args.berth === DEFAULT_BERTHD && args.docker === DEFAULT_DOCKERD });
  const t = goalTally(res);
  log(`goals met: ${t.met} of ${t.checked}${t.unknown ? `, ${t.unknown} unknown` : ''}`);
  const failures = [
    ...slots.filter((s) => !s.ok).map((s) => `${s.title} did not start`),
    ...Object.keys(res.errors).map((id) => `${id} failed`),
    ...(res.floorError !== undefined ? ['OCI floor failed'] : []),
    ...(teardown.length ? ['teardown had problems'] : []),
  ];
  if (failures.length) log(`exit 1: ${failures.join(', ')}`);
  return failures.length ? 1 : 0;
}

process.exitCode = await main().catch((err: unknown) => {
  log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
});
