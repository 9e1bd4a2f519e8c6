/** `berth wait`: prints each container's exit code when it stops. */
import { containerWaitStart } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { joinErrors } from '../../container/parallel.ts';

export default defineCommand({
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  aliases: '{bin} container wait, {bin} wait',
  args: minArgs(1),
  flags: [],
  async run(ctx, _o, args) {
    const client = await ctx.client();
    const errs: unknown[] = [];
    for (const c of args) {
      try {
        const { result } = await containerWaitStart(client, c);
        const r = await result;
        ctx.out.write(`${r.StatusCode}\n`);
      } catch (err) {
        errs.push(err);
      }
    }
    const err = joinErrors(errs);
    if (err) throw err;
  },
});
