/**
 * main() of the `berth` CLI. Kept tiny: the compile cache is enabled first, everything else is loaded lazily
 * so start-up stays close to the docker CLI's. stdin is only touched when a command reads it.
 */
import module from 'node:module';

module.enableCompileCache?.();

const { main } = await import('../cli/main.ts');
const { nodeOut } = await import('../cli/context.ts');
const { isatty } = await import('node:tty');

const code = await main(process.argv.slice(2), {
  out: nodeOut(process.stdout),
  err: nodeOut(process.stderr),
  in: {
    get stream() {
      return process.stdin;
    },
    isTTY: isatty(0),
  },
  env: process.env,
});
process.exit(code);
