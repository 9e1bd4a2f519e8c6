/**
 * main() of the `berth` CLI. Runs from the sources (`.ts`, type stripping) or, much faster to start, from the
 * single-file bundle dist/berth.cjs that scripts/build-cli.ts makes from this file (CommonJS, so that even Node's
 * built-in modules load only when a command needs them), run by dist/berth-loader.cjs with a V8 code cache of
 * the functions the common commands use. bin/berth picks the bundle only when no source is newer than it. No
 * top-level await: the bundle is a CommonJS script.
 */
import type { main as Main } from '../cli/main.ts';

/**
 * Given only while scripts/build-cli.ts warms the bundle up: it receives main() instead of the CLI starting, runs
 * commands against a fake engine, then saves the code V8 compiled for them.
 */
declare const __berthWarmup: ((cli: { main: typeof Main }) => Promise<void>) | undefined;

async function start(argv: string[]): Promise<unknown> {
  if (typeof __berthWarmup === 'function') {
    const { main } = await import('../cli/main.ts');
    return __berthWarmup({ main });
  }
  const { runCli } = await import('../cli/entry.ts');
  return runCli(argv);
}

start(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
