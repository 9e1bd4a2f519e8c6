/** `berth volume rm` */
import { volumeRemove } from '../../../client/api/volumes.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { joinErrors } from '../../container/parallel.ts';
import { boolFlag } from '../../flags/spec.ts';

export default defineCommand<{ force: boolean }>({
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  long: 'Remove one or more volumes. You cannot remove a volume that is in use by a container.',
  args: minArgs(1),
  flags: [boolFlag('force', 'Force the removal of one or more volumes', { short: 'f' })],
  async run(ctx, o, args) {
    const client = await ctx.client();
    const errs: unknown[] = [];
    for (const name of args) {
      try {
        await volumeRemove(client, name, o.force);
        ctx.out.write(`${name}\n`);
      } catch (err) {
        errs.push(err);
      }
    }
    const err = joinErrors(errs);
    if (err) throw err;
  },
});
