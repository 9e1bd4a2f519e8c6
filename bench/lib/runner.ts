import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCmd } from '../../test/support/proc.ts';
import { REPO_ROOT } from '../../test/support/sandbox.ts';

/** Progress of a bench goes to stderr; the report goes to stdout. */
export const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** Runs one step of a bench with its timing in the progress log, unless the bench was interrupted. */
export async function step(name: string, registry: { aborted: boolean } | undefined, fn: () => Promise<void>): Promise<void> {
  if (registry?.aborted) return;
  const t0 = Date.now();
  log(`» ${name}`);
  await fn();
  log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Writes bench/results/<name>-<date>.md, only for a full run where both daemons started and both slots ran their
 * default daemons (so a recorded table always compares berthd with dockerd); says why otherwise.
 */
export function recordResults(name: string, report: string, o: { quick: boolean; allStarted: boolean; defaults: boolean }): void {
  if (o.quick) return;
  if (!o.allStarted || !o.defaults) {
    log(`\nno results file written: ${o.allStarted ? 'a slot runs a daemon other than its default' : 'a daemon did not start'}`);
    return;
  }
  const dir = join(REPO_ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().slice(0, 10)}.md`);
  writeFileSync(file, report);
  log(`\nwrote ${file}`);
}

/** The daemons a side-by-side bench compares unless told otherwise. */
export const DEFAULT_BERTHD = join(REPO_ROOT, 'bin/berthd');
export const DEFAULT_DOCKERD = '/usr/sbin/dockerd';

export interface DaemonArgs {
  quick: boolean;
  berth: string;
  docker: string;
}

/**
 * The arguments every side-by-side bench takes: --quick, --berth-daemon=CMD and --docker-daemon=CMD (env
 * BENCH_BERTH_DAEMON, BENCH_DOCKER_DAEMON), --help. `own` takes a bench's other flags (true when it took one).
 * Prints `usage` and exits 0 on --help, 2 on an unknown argument.
 */
export function parseDaemonArgs(argv: string[], usage: string, own: (flag: string, value: string | undefined) => boolean = () => false): DaemonArgs {
  const a: DaemonArgs = { quick: false, berth: process.env.BENCH_BERTH_DAEMON || DEFAULT_BERTHD, docker: process.env.BENCH_DOCKER_DAEMON || DEFAULT_DOCKERD };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const [flag, value] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (flag === '--quick') a.quick = true;
    else if (flag === '--berth-daemon' && value) a.berth = value;
    else if (flag === '--docker-daemon' && value) a.docker = value;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else if (!own(flag, value)) {
      process.stderr.write(`unknown argument: ${arg}\n\n${usage}\n`);
      process.exit(2);
    }
  }
  return a;
}

/** Both slots run their default daemons (only then is a results file written). */
export function usesDefaultDaemons(a: DaemonArgs): boolean {
  return a.berth === DEFAULT_BERTHD && a.docker === DEFAULT_DOCKERD;
}

/** The first line a command prints (its version, say), or "". */
export async function firstLine(argv: string[]): Promise<string> {
  const r = await runCmd(argv, { timeoutMs: 10_000 });
  return (r.stdout || r.stderr).trim().split('\n')[0] ?? '';
}

/** What went wrong in a run: slots that did not start, measures that failed, a teardown with problems. */
export function problems(slots: readonly { ok: boolean; title: string }[], errors: Record<string, unknown>, teardownProblems: boolean, extra: string[] = []): string[] {
  return [
    ...slots.filter((s) => !s.ok).map((s) => `${s.title} did not start`),
    ...Object.keys(errors).map((id) => `${id} failed`),
    ...extra,
    ...(teardownProblems ? ['teardown had problems'] : []),
  ];
}

/** The exit status of a bench: 1 when anything went wrong (and says what). */
export function exitStatus(failures: string[]): number {
  if (failures.length) log(`exit 1: ${failures.join(', ')}`);
  return failures.length ? 1 : 0;
}

/** Runs a bench's main and sets the process's exit status; a throw is logged and is exit 1. */
export async function runBench(main: () => Promise<number>): Promise<void> {
  process.exitCode = await main().catch((err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  });
}
