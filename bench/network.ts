/**
 * berth vs dockerd, networking, measured with the stock docker CLI and Debian's load tools: `network create` + `rm`,
 * start latency on a user-defined network, embedded DNS (dnsperf from a container's network namespace), HTTP
 * through a published port and straight to the container (wrk from the sandbox host, busybox httpd in the
 * container), container-to-container TCP throughput (iperf3). Each daemon runs in a throwaway sandbox of its own.
 *
 *   node_modules/.bin/node bench/network.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]
 *
 * How (each timed thing alternates between the daemons, berth, docker, docker, berth, …):
 *  - create + rm: `docker network create bnN` then `docker network rm bnN`, spawn to exit of the CLI, N pairs.
 *  - start: `docker run -d --network benchnet bb sleep 1000`, N times (removed afterwards, untimed).
 *  - DNS: dnsperf runs in the `client` container's network namespace (`nsenter -t <pid> -n`, the host's binary:
 *    the busybox image has no load generator) against 127.0.0.11 with names of containers on benchnet (web, www,
 *    client): the rate with 16 queries in flight, then each query's latency at a fixed 2000 queries/s (`-v`).
 *    Without dnsperf: N sequential busybox nslookups inside the container, timed by busybox `time`.
 *  - HTTP: wrk in the sandbox's (the host's) namespace, to the published port at the host's own address (a veth
 *    address, 203.0.113.1: the kernel here has no dummy links), at 127.0.0.1, and straight to the container's IP;
 *    first busybox httpd (a process per request, so mostly the server is measured), then a keep-alive node server
 *    started in the same container's network namespace on port 81 (published as 8081), where the path counts.
 *  - TCP: iperf3 server in `web`'s network namespace, client in `client`'s.
 * Output: a markdown report on stdout; the full run with the default daemons writes
 * bench/results/network-<date>.md. Exit 1 when a measure failed (goals not met do not change the exit code).
 */
import { readFileSync, } from 'node:fs';
import { loadavg, totalmem } from 'node:os';
import { runCmd } from '../test/support/proc.ts';
import { SandboxRegistry } from './lib/cleanup.ts';
import { hasTool, measureDns, measureDnsSequential, measureHttp, measureNetCycle, measureStart, measureTcp, type Stage, setStage } from './lib/network-measures.ts';
import { type NetFacts, type NetPlan, NetResults, type NetSlotInfo, netGoalTally, renderNetReport } from './lib/network-report.ts';
import { type DaemonArgs, DEFAULT_BERTHD, DEFAULT_DOCKERD, exitStatus, firstLine, log, parseDaemonArgs, problems, recordResults, runBench, step, usesDefaultDaemons } from './lib/runner.ts';
import { Slot } from './lib/slot.ts';

const FULL: NetPlan = { quick: false, cycles: 20, starts: 20, rounds: 3, seconds: 5, dnsInFlight: 16, dnsLatencyQps: 2000, httpConns: 8, seqLookups: 200, budgetMs: 20 * 60_000 };
const QUICK: NetPlan = { quick: true, cycles: 5, starts: 5, rounds: 1, seconds: 2, dnsInFlight: 16, dnsLatencyQps: 2000, httpConns: 8, seqLookups: 50, budgetMs: 6 * 60_000 };

/** The load tools and the Debian packages they come in. */
const TOOLS: [string, string][] = [
  ['dnsperf', 'dnsperf'],
  ['wrk', 'wrk'],
  ['iperf3', 'iperf3'],
];

const USAGE = `Usage: node_modules/.bin/node bench/network.ts [--quick] [--berth-daemon=CMD] [--docker-daemon=CMD]

  --quick              fewer repetitions, shorter load runs; no results file
  --berth-daemon=CMD   daemon of the berth slot (default ${DEFAULT_BERTHD}; env BENCH_BERTH_DAEMON)
  --docker-daemon=CMD  daemon of the docker slot (default ${DEFAULT_DOCKERD}; env BENCH_DOCKER_DAEMON)

Needs root and the Debian packages dnsperf, wrk and iperf3 (a missing tool skips its measure; without dnsperf
the DNS latency is measured with sequential nslookups). Without --quick, and with the default daemons, the report
is written to bench/results/network-<YYYY-MM-DD>.md.`;


function parseArgs(argv: string[]): DaemonArgs {
  return parseDaemonArgs(argv, USAGE);
}

async function facts(tools: Set<string>): Promise<Omit<NetFacts, 'loadEnd'>> {
  const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  const versions = [`docker CLI: ${await firstLine(['/usr/local/bin/docker', '--version'])}`];
  if (tools.has('dnsperf')) {
    const h = await runCmd(['dnsperf', '-h'], { timeoutMs: 10_000 });
    versions.push(`dnsperf: ${/Version (\S+)/.exec(h.stdout + h.stderr)?.[1] ?? '?'}`);
  }
  if (tools.has('wrk')) versions.push(`wrk: ${(await firstLine(['wrk', '--version'])).replace(/ Copyright.*/, '')}`);
  if (tools.has('iperf3')) versions.push(`iperf3: ${await firstLine(['iperf3', '--version'])}`);
  return {
    date: await firstLine(['date', '-u']),
    machine: `${await firstLine(['nproc'])} CPUs, ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, kernel ${await firstLine(['uname', '-r'])}`,
    loadStart: loadavg().map((l) => l.toFixed(2)).join(' '),
    versions,
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    log('bench/network.ts needs root (it starts daemons in network, mount and pid namespaces)');
    return 2;
  }
  const plan = args.quick ? QUICK : FULL;
  const deadline = Date.now() + plan.budgetMs;
  const registry = new SandboxRegistry();
  registry.installSignalHandlers(log);
  const res = new NetResults();
  const tools = new Set<string>();
  for (const [tool, pkg] of TOOLS) {
    if (await hasTool(tool)) tools.add(tool);
    else res.notes.push(`${tool} is not installed (apt-get install -y ${pkg}): its measure is skipped`);
  }
  const f = await facts(tools);
  const split = (cmd: string) => cmd.trim().split(/\s+/);
  const slots = [new Slot('berth', split(args.berth), deadline), new Slot('docker', split(args.docker), deadline)];
  const stages = new Map<Slot, Stage>();
  const teardown: string[] = [];
  try {
    for (const s of slots) {
      await step(`start ${s.title} in its own sandbox, import bb`, registry, () => s.open(registry));
      if (s.startError) log(`  ${s.title} did not start:\n${s.startError}`);
    }
    const live = slots.filter((s) => s.ok);
    await step(`${plan.cycles} × network create + rm`, registry, () => measureNetCycle(live, plan.cycles, res));
    await step('stage: benchnet, web (httpd, -p 8080:80), client', registry, async () => {
      for (const s of live) {
        try {
          stages.set(s, await setStage(s));
        } catch (err) {
          for (const id of ['start', 'dnsQps', 'httpPub', 'tcp'] as const) res.fail(id, s.key, err);
        }
      }
    });
    await step(`${plan.starts} × run -d on benchnet`, registry, () => measureStart(live, plan.starts, res));
    if (tools.has('dnsperf')) await step(`DNS: ${plan.rounds} × dnsperf ${plan.seconds} s`, registry, () => measureDns(live, stages, plan, res));
    else await step(`DNS: ${plan.rounds} × ${plan.seqLookups} sequential nslookups`, registry, () => measureDnsSequential(live, plan, res));
    if (tools.has('wrk')) await step(`HTTP: ${plan.rounds} × 6 targets × wrk ${plan.seconds} s`, registry, () => measureHttp(live, stages, plan, res));
    if (tools.has('iperf3')) await step(`TCP: ${plan.rounds} × iperf3 ${plan.seconds} s`, registry, () => measureTcp(live, stages, plan, res));
  } finally {
    await step('teardown', undefined, async () => {
      teardown.push(...(await registry.closeAll()));
    });
  }
  for (const t of teardown) res.notes.push(`teardown: ${t}`);

  const infos: NetSlotInfo[] = slots.map((s) => ({ key: s.key, title: s.title, command: s.argv.join(' '), version: s.serverVersion, startError: s.startError }));
  const report = renderNetReport(plan, infos, res, { ...f, loadEnd: loadavg().map((l) => l.toFixed(2)).join(' ') });
  process.stdout.write(`\n${report}`);

  const allStarted = slots.every((s) => s.ok);
  recordResults('network', report, { quick: args.quick, allStarted, defaults: usesDefaultDaemons(args) });
  const t = netGoalTally(res);
  log(`goals met: ${t.met} of ${t.checked}${t.unknown ? `, ${t.unknown} unknown` : ''}`);
  return exitStatus(problems(slots, res.errors, teardown.length > 0));
}

await runBench(main);
