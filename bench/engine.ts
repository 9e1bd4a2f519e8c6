/**
 * berth vs dockerd, measured with the stock docker CLI: `docker run --rm` latency (and the bare crun/runc floor),
 * 50 × run -d + rm -f, engine memory idle and with 50 containers, `docker ps -a` with 200 containers.
 * Each daemon runs in a throwaway sandbox of its own (test/support/sandbox.ts). See bench/README.md.
 *
 *   node_modules/.bin/node bench/engine.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]
 */
import { readFileSync, } from 'node:fs';
import { loadavg, totalmem } from 'node:os';
import { SandboxRegistry } from './lib/cleanup.ts';
import { measureBatch, measureIdleMemory, measurePs, measureRun } from './lib/measures.ts';
import { measureOciFloor } from './lib/oci-floor.ts';
import { type Facts, goalTally, type Plan, renderReport, type SlotInfo } from './lib/report.ts';
import { Results } from './lib/results.ts';
import { type DaemonArgs, DEFAULT_BERTHD, DEFAULT_DOCKERD, exitStatus, firstLine, log, parseDaemonArgs, problems, recordResults, runBench, step, usesDefaultDaemons } from './lib/runner.ts';
import { Slot } from './lib/slot.ts';
import { summarize } from './lib/stats.ts';

const FULL: Plan = { quick: false, runs: 20, batch: 50, psContainers: 200, psRuns: 10, floorRuns: 20, budgetMs: 40 * 60_000 };
const QUICK: Plan = { quick: true, runs: 5, batch: 10, psContainers: 50, psRuns: 5, floorRuns: 5, budgetMs: 10 * 60_000 };


const USAGE = `Usage: node_modules/.bin/node bench/engine.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]

  --quick              fewer repetitions (5 runs, 10 containers, ps with 50); no results file
  --berth-daemon=CMD   daemon of the berth slot (default ${DEFAULT_BERTHD}; env BENCH_BERTH_DAEMON)
  --docker-daemon=CMD  daemon of the docker slot (default ${DEFAULT_DOCKERD}; env BENCH_DOCKER_DAEMON)

Without --quick, and with the default daemons, the report is written to bench/results/engine-<YYYY-MM-DD>.md.
Needs root (network, mount and pid namespaces).`;

function parseArgs(argv: string[]): DaemonArgs {
  return parseDaemonArgs(argv, USAGE);
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
  recordResults('engine', report, { quick: args.quick, allStarted, defaults: usesDefaultDaemons(args) });
  const t = goalTally(res);
  log(`goals met: ${t.met} of ${t.checked}${t.unknown ? `, ${t.unknown} unknown` : ''}`);
  return exitStatus(problems(slots, res.errors, teardown.length > 0, res.floorError !== undefined ? ['OCI floor failed'] : []));
}

await runBench(main);
