/** `berth commit` */
import { containerCommit } from '../../../client/api/containers.ts';
import { defineCommand, rangeArgs } from '../../command.ts';
import { boolFlag, listFlag, stringFlag } from '../../flags/spec.ts';

export default defineCommand<{ pause: boolean; message: string; author: string; change: string[] }>({
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  short: "Create a new image from a container's changes",
  aliases: '{bin} container commit, {bin} commit',
  args: rangeArgs(1, 2),
  interspersed: false,
  flags: [
    boolFlag('pause', 'Pause container during commit', { short: 'p', def: true }),
    stringFlag('message', 'Commit message', { short: 'm' }),
    stringFlag('author', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")', { short: 'a' }),
    listFlag('change', 'Apply Dockerfile instruction to the created image', { short: 'c' }),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    const r = await containerCommit(client, args[0]!, { reference: args[1], comment: o.message, author: o.author, changes: o.change, pause: o.pause });
    ctx.out.write(`${r.Id}\n`);
  },
});
