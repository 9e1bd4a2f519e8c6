/**
 * berth vs dockerd on registry traffic, with the stock docker CLI. The image: 5 layers of ~42 MB of tar (files
 * half random bytes, half text: ~107 MB gzipped), made once per run (bench/lib/registry-image.ts). Each daemon
 * runs in a sandbox of its own (test/support/sandbox.ts); its registries (Debian docker-registry) run inside that
 * sandbox's netns on 127.0.0.1, plain HTTP, which both daemons treat as insecure by default. Steps, each repeated
 * --runs times with the daemons alternating which goes first (bench/lib/registry-steps.ts):
 *
 *   1. `docker pull` of the image (seeded into the source registry with skopeo, untimed), all images removed
 *      before each pull; the daemon's peak RSS (sampled every 100 ms, and its VmHWM) and the engine's (the daemon
 *      and every process under it: containerd, unpigz…; not the registries) are recorded;
 *   2. `docker push` of the pulled image to a fresh registry (a new one per push, so nothing is there or
 *      mountable);
 *   3. `docker push` of the same layers after `docker load` of a docker-archive with plain tar layers, so the
 *      daemon has to gzip them.
 *
 * Wall time of the CLI call is the measure (median, goal berth ≤ dockerd); the CPU time the engine used meanwhile
 * is reported too, as it moves less with the load of other jobs on a shared machine. The report goes to stdout,
 * and to bench/results/registry-<YYYY-MM-DD>.md on a full run with the default daemons. Needs root, skopeo and
 * docker-registry; pigz is used by berthd when installed (the report says whether it was).
 *
 *   node_modules/.bin/node bench/registry.ts [--quick] [--runs=N] [--berth-daemon=CMD] [--docker-daemon=CMD]
 *
 * To compare two builds of berthd, point both slots at berthd, e.g.
 *   --berth-daemon="env BERTH_NO_BUNDLE=1 /tmp/old/bin/berthd" --docker-daemon="env BERTH_NO_BUNDLE=1 bin/berthd"
 */
import { mkdtempSync, readFileSync, rmSync, } from 'node:fs';
import { loadavg, totalmem } from 'node:os';
import { runCmd } from '../test/support/proc.ts';
import { SandboxRegistry } from './lib/cleanup.ts';
import { makeBenchImage } from './lib/registry-image.ts';
import { type MeasureRow, type RegistryResults, renderRegistryReport } from './lib/registry-report.ts';
import { PULL_REF, RegistrySlot, type Timed } from './lib/registry-steps.ts';
import { type DaemonArgs, DEFAULT_BERTHD, DEFAULT_DOCKERD, exitStatus, firstLine, log, parseDaemonArgs, problems, recordResults, runBench, usesDefaultDaemons } from './lib/runner.ts';
import { Slot } from './lib/slot.ts';

const LAYERS = 5;
const LAYER_MB = 40;

const USAGE = `Usage: node_modules/.bin/node bench/registry.ts [--quick] [--runs=N] [--berth-daemon=CMD] [--docker-daemon=CMD]

  --quick              one run of each step; no results file
  --runs=N             repetitions of each step (default 3; the median counts)
  --berth-daemon=CMD   daemon of the berth slot (default ${DEFAULT_BERTHD}; env BENCH_BERTH_DAEMON)
  --docker-daemon=CMD  daemon of the docker slot (default ${DEFAULT_DOCKERD}; env BENCH_DOCKER_DAEMON)

Without --quick, and with the default daemons, the report is written to bench/results/registry-<YYYY-MM-DD>.md.
Needs root (network, mount and pid namespaces) and docker-registry, skopeo.`;

interface Args extends DaemonArgs {
  runs: number;
}

function parseArgs(argv: string[]): Args {
  let runs = 3;
  const a = parseDaemonArgs(argv, USAGE, (flag, value) => {
    if (flag !== '--runs' || !value || Number(value) < 1) return false;
    runs = Number(value);
    return true;
  });
  return { ...a, runs: a.quick ? 1 : runs };
}


async function pigzVersion(): Promise<string> {
  const r = await runCmd(['pigz', '--version'], { timeoutMs: 10_000 });
  return r.code === 0 ? (r.stdout || r.stderr).trim() : 'not installed (berthd compresses with node:zlib)';
}

/** Runs `fn` on each slot, alternating which goes first from one run to the next; failures are recorded. */
async function alternate(slots: RegistrySlot[], run: number, row: MeasureRow, res: RegistryResults, fn: (s: RegistrySlot) => Promise<Timed>): Promise<void> {
  const order = run % 2 === 0 ? slots : [...slots].reverse();
  for (const s of order) {
    if (res.errors[`${row}:${s.key}`]) continue;
    try {
      const t = await fn(s);
      (res.samples[row][s.key] ??= []).push(t.ms);
      (res.cpu[row][s.key] ??= []).push(t.cpuMs);
      log(`  ${s.key}: ${(t.ms / 1000).toFixed(2)} s (engine CPU ${(t.cpuMs / 1000).toFixed(2)} s)`);
    } catch (err) {
      res.errors[`${row}:${s.key}`] = (err as Error).message;
      log(`  ${s.key}: failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    log('bench/registry.ts needs root (it starts daemons in network, mount and pid namespaces)');
    return 2;
  }
  const deadline = Date.now() + (args.quick ? 15 : 45) * 60_000;
  const registry = new SandboxRegistry();
  registry.installSignalHandlers(log);
  const work = mkdtempSync('/tmp/berth-bench-registry-');
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const res: RegistryResults = {
    runs: args.runs,
    quick: args.quick,
    image: undefined,
    samples: { pull: {}, pushPulled: {}, pushLoaded: {} },
    cpu: { pull: {}, pushPulled: {}, pushLoaded: {} },
    memory: {},
    errors: {},
    slots: [],
    facts: {
      date: await firstLine(['date', '-u']),
      machine: `${await firstLine(['nproc'])} CPUs, ${/^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, kernel ${await firstLine(['uname', '-r'])}`,
      loadStart: loadavg().map((l) => l.toFixed(2)).join(' '),
      loadEnd: '',
      versions: [`docker CLI: ${await firstLine(['/usr/local/bin/docker', '--version'])}`, `docker-registry: ${await firstLine(['/usr/bin/docker-registry', '--version'])}`, `pigz: ${await pigzVersion()}`],
    },
  };
  const split = (cmd: string) => cmd.trim().split(/\s+/);
  const slots = [new Slot('berth', split(args.berth), deadline), new Slot('docker', split(args.docker), deadline)];
  const notes: string[] = [];
  try {
    log(`» making the image: ${LAYERS} layers × ${LAYER_MB} MB`);
    const img = await makeBenchImage(work, LAYERS, LAYER_MB, 'bench/loaded:v1');
    res.image = img;
    log(`  ${(img.uncompressedBytes / 1e6).toFixed(0)} MB as tar, ${(img.compressedBytes / 1e6).toFixed(0)} MB gzipped`);
    const rs: RegistrySlot[] = [];
    for (const s of slots) {
      log(`» start ${s.title} in its own sandbox, seed its registry`);
      await s.open(registry);
      if (s.startError) {
        log(`  did not start:\n${s.startError}`);
        continue;
      }
      const r = new RegistrySlot(s);
      try {
        await r.prepare(img);
        await r.removeImages();
        rs.push(r);
      } catch (err) {
        s.startError = (err as Error).message;
        log(`  setup failed: ${s.startError}`);
      }
    }
    for (let run = 0; run < args.runs; run++) {
      log(`» pull ${PULL_REF} (run ${run + 1} of ${args.runs})`);
      await alternate(rs, run, 'pull', res, async (s) => {
        await s.removeImages();
        const p = await s.pull();
        (res.memory[s.key] ??= []).push(p);
        return p;
      });
    }
    for (let run = 0; run < args.runs; run++) {
      log(`» push the pulled image to a fresh registry (run ${run + 1} of ${args.runs})`);
      await alternate(rs, run, 'pushPulled', res, (s) => s.pushFresh(PULL_REF));
    }
    log('» docker load of the same layers as plain tars');
    for (const s of rs) {
      await s.removeImages();
      await s.load(img);
    }
    for (let run = 0; run < args.runs; run++) {
      log(`» push the loaded image (the daemon compresses) to a fresh registry (run ${run + 1} of ${args.runs})`);
      await alternate(rs, run, 'pushLoaded', res, (s) => s.pushFresh(img.loadTag));
    }
  } finally {
    log('» teardown');
    notes.push(...(await registry.closeAll()).map((t) => `teardown: ${t}`));
    rmSync(work, { recursive: true, force: true });
  }
  res.facts.loadEnd = loadavg().map((l) => l.toFixed(2)).join(' ');
  res.slots = slots.map((s) => ({ key: s.key, title: s.title, command: s.argv.join(' '), version: s.serverVersion, startError: s.startError }));
  const report = renderRegistryReport(res, notes);
  process.stdout.write(`\n${report}`);

  const allStarted = slots.every((s) => s.ok);
  recordResults('registry', report, { quick: args.quick, allStarted, defaults: usesDefaultDaemons(args) });
  return exitStatus(problems(slots, res.errors, notes.length > 0));
}

await runBench(main);
