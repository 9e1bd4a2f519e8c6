import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
