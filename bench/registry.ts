/**
 * berth vs dockerd on registry traffic, with the stock docker CLI: pull of a 5-layer ~200 MB image from a local
 * registry (with the daemon's peak RSS during the pull), push of the pulled image and push of a `docker load`ed
 * copy (plain tar layers, so the daemon compresses) to fresh registries. Each daemon runs in its own sandbox
 * (test/support/sandbox.ts) with its registries inside that sandbox's netns. See bench/README.md.
 *
 *   node_modules/.bin/node bench/registry.ts [--quick] [--runs=N] [--berth-daemon=CMD] [--docker-daemon=CMD]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCmd } from '../test/support/proc.ts';
import { REPO_ROOT } from '../test/support/sandbox.ts';
import { SandboxRegistry } from './lib/cleanup.ts';
import { makeBenchImage } from './lib/registry-image.ts';
import { type MeasureRow, renderRegistryReport, type RegistryResults } from './lib/registry-report.ts';
import { PULL_REF, RegistrySlot, type Timed } from './lib/registry-steps.ts';
import { Slot } from './lib/slot.ts';

const DEFAULT_BERTHD = join(REPO_ROOT, 'bin/berthd');
const DEFAULT_DOCKERD = '/usr/sbin/dockerd';
const LAYERS = 5;
const LAYER_MB = 40;

const USAGE = `Usage: node_modules/.bin/node bench/registry.ts [--quick] [--runs=N] [--berth-daemon=CMD] [--docker-daemon=CMD]

  --quick              one run of each step; no results file
  --runs=N             repetitions of each step (default 3; the median counts)
  --berth-daemon=CMD   daemon of the berth slot (default ${DEFAULT_BERTHD}; env BENCH_BERTH_DAEMON)
  --docker-daemon=CMD  daemon of the docker slot (default ${DEFAULT_DOCKERD}; env BENCH_DOCKER_DAEMON)

Without --quick, and with the default daemons, the report is written to bench/results/registry-<YYYY-MM-DD>.md.
Needs root (network, mount and pid namespaces) and docker-registry, skopeo.`;

interface Args {
  quick: boolean;
  runs: number;
  berth: string;
  docker: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, runs: 3, berth: process.env.BENCH_BERTH_DAEMON || DEFAULT_BERTHD, docker: process.env.BENCH_DOCKER_DAEMON || DEFAULT_DOCKERD };
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--quick') a.quick = true;
    else if (flag === '--runs' && value && Number(value) >= 1) a.runs = Number(value);
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
  if (a.quick) a.runs = 1;
  return a;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

async function firstLine(argv: string[]): Promise<string> {
  const r = await runCmd(argv, { timeoutMs: 10_000 });
  return (r.stdout || r.stderr).trim().split('\n')[0] ?? '';
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
  const defaults = args.berth === DEFAULT_BERTHD && args.docker === DEFAULT_DOCKERD;
  if (!args.quick && allStarted && defaults) {
    const dir = join(REPO_ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `registry-${new Date().toISOString().slice(0, 10)}.md`);
    writeFileSync(file, report);
    log(`\nwrote ${file}`);
  } else if (!args.quick) {
    log(`\nno results file written: ${allStarted ? 'a slot runs a daemon other than its default' : 'a daemon did not start'}`);
  }
  const failures = [...slots.filter((s) => !s.ok).map((s) => `${s.title} did not start`), ...Object.keys(res.errors).map((k) => `${k} failed`), ...(notes.length ? ['teardown had problems'] : [])];
  if (failures.length) log(`exit 1: ${failures.join(', ')}`);
  return failures.length ? 1 : 0;
}

process.exitCode = await main().catch((err: unknown) => {
  log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
});
