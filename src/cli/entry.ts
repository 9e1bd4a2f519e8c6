/**
 * Runs the `berth` CLI in this process: wires the real standard streams and environment into main() and exits
 * with its status. stdin is only touched when a command reads it.
 */
import { isatty } from 'node:tty';
import { fdOut } from './context.ts';
import { main } from './main.ts';

/** A reader that went away (`berth logs -f | head`): end quietly as docker does (SIGPIPE, status 141). */
function onOutputError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(141);
  throw e;
}

export async function runCli(argv: string[]): Promise<never> {
  const out = fdOut(1, onOutputError);
  const err = fdOut(2, onOutputError);
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
    exitAfter: true,
  });
  // writes to a pipe are asynchronous: exiting before they are flushed would cut the output short
  await Promise.all([out.drain(), err.drain()]);
  process.exit(code);
}
