/**
 * Runs the `berth` CLI in this process: wires the real standard streams and environment into main() and exits
 * with its status. stdin is only touched when a command reads it.
 */
import { isatty } from 'node:tty';
import { nodeOut } from './context.ts';
import { main } from './main.ts';

export async function runCli(argv: string[]): Promise<never> {
  const out = nodeOut(process.stdout);
  const err = nodeOut(process.stderr);
  const code = await main(argv, {
    out,
    err,
    in: {
      get stream() {
        return process.stdin;
      },
      isTTY: isatty(0),
    },
    env: process.env,
  });
  // writes to a pipe are asynchronous: exiting before they are flushed would cut the output short
  await Promise.all([out.drain(), err.drain()]);
  process.exit(code);
}
