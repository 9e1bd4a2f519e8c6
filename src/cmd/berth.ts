/**
 * main() of the `berth` CLI. Runs from the sources (`.ts`, type stripping) or, much faster to start, from the
 * single-file bundle dist/berth.cjs that scripts/build-cli.ts makes from this file (CommonJS, so that even Node's
 * built-in modules load only when a command needs them). The bundle carries the list of sources it was built
 * from and when: if any of them changed since, it runs the sources instead, so a stale bundle never hides an
 * edit. No top-level await: the bundle is a CommonJS script.
 */
import { statSync } from 'node:fs';

/** Set by scripts/build-cli.ts in the bundle only: build start time (ms), sources relative to the repo, and the repo. */
declare const __BERTH_BUNDLE__: { builtAt: number; inputs: string[] } | undefined;
/** The bundle's own file URL (the bundle defines it; the sources use import.meta.url). */
declare const __BERTH_BUNDLE_URL__: string;

function bundleIsStale(b: { builtAt: number; inputs: string[] }, repo: URL): boolean {
  for (const rel of b.inputs) {
    const st = statSync(new URL(rel, repo), { throwIfNoEntry: false });
    if (!st || st.mtimeMs > b.builtAt) return true;
  }
  return false;
}

async function start(argv: string[]): Promise<never> {
  const bundle = typeof __BERTH_BUNDLE__ === 'undefined' ? undefined : __BERTH_BUNDLE__;
  if (bundle && bundleIsStale(bundle, new URL('../', __BERTH_BUNDLE_URL__))) {
    const sources = new URL('../src/cli/entry.ts', __BERTH_BUNDLE_URL__).href;
    const { runCli } = (await import(sources)) as typeof import('../cli/entry.ts');
    return runCli(argv);
  }
  const { runCli } = await import('../cli/entry.ts');
  return runCli(argv);
}

start(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
