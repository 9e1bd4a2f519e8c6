/**
 * Runs inside the floor sandbox's namespaces (started by oci-floor.ts through nsenter, so nsenter's own cost is
 * not timed): `<runtime> --root <state> run -b <bundle> <id>` for each runtime in turn, `runs` rounds, each run
 * timed from spawn to exit. Prints {"<name>": [ms, …]} as JSON on stdout.
 */
import { runCmd } from '../../test/support/proc.ts';

export interface InnerPlan {
  runs: number;
  /** Untimed runs of each runtime first (page cache, first cgroup creation). */
  warmup: number;
  runtimes: { name: string; bin: string; root: string; bundle: string }[];
}

async function main(plan: InnerPlan): Promise<void> {
  const times: Record<string, number[]> = {};
  for (const rt of plan.runtimes) times[rt.name] = [];
  for (let i = 0; i < plan.warmup + plan.runs; i++) {
    for (const rt of plan.runtimes) {
      const argv = [rt.bin, '--root', rt.root, 'run', '-b', rt.bundle, `floor-${rt.name}-${i}`];
      const t0 = performance.now();
      const r = await runCmd(argv, { timeoutMs: 20_000 });
      const ms = performance.now() - t0;
      if (r.code !== 0) {
        process.stderr.write(`${argv.join(' ')} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim()}\n`);
        process.exit(1);
      }
      if (i >= plan.warmup) times[rt.name]!.push(ms);
    }
  }
  process.stdout.write(`${JSON.stringify(times)}\n`);
}

await main(JSON.parse(process.argv[2] ?? '') as InnerPlan);
