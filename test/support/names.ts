import { randomBytes } from 'node:crypto';

/**
 * Names of everything a test run creates on the host. All of them start with `berth-t-<runid>-`, so the leak
 * check (test/support/leak-check.ts) can find what a run left behind, and `leak-check.ts clean --run <id>` can
 * remove it. scripts/test.sh sets BERTH_TEST_RUN_ID for the whole suite; a test file run on its own makes one up
 * and exports it to its children.
 */
export const NAME_PREFIX = 'berth-t-';

let counter = 0;

export function testRunId(): string {
  let id = process.env.BERTH_TEST_RUN_ID;
  if (!id || !/^[a-z0-9]{1,12}$/.test(id)) {
    id = randomBytes(3).toString('hex');
    process.env.BERTH_TEST_RUN_ID = id;
  }
  return id;
}

/** The prefix of everything this run creates: `berth-t-<runid>-`. */
export function runPrefix(runId = testRunId()): string {
  return `${NAME_PREFIX}${runId}-`;
}

/**
 * A fresh name unique within this run across test processes: `berth-t-<runid>-<pid>-<n>[-<label>]`.
 * Usable as a netns name; keep labels short (link names are limited to 15 bytes, so do not use these for links).
 */
export function uniqueName(label?: string): string {
  counter += 1;
  const base = `${runPrefix()}${process.pid}-${counter}`;
  return label ? `${base}-${label.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 20)}` : base;
}
