/** The common shape of kill/stop/rm/pause/…: run per container in parallel, print each name that worked. */
import type { CliContext } from '../context.ts';
import { joinErrors, parallel } from './parallel.ts';

export async function forEachContainer(ctx: CliContext, names: string[], op: (name: string) => Promise<unknown>, sequential = false): Promise<void> {
  const results = await parallel(names, op, sequential ? 1 : 50);
  const errs: unknown[] = [];
  results.forEach((r, i) => {
    if (r.status === 'rejected') errs.push(r.reason);
    else ctx.out.write(`${names[i]}\n`);
  });
  const err = joinErrors(errs);
  if (err) throw err;
}
