/** `berth unpause` */
import { containerUnpause } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { forEachContainer } from '../../container/each.ts';

export default defineCommand({
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Unpause all processes within one or more containers',
  aliases: '{bin} container unpause, {bin} unpause',
  args: minArgs(1),
  flags: [],
  async run(ctx, _o, args) {
    const client = await ctx.client();
    await forEachContainer(ctx, args, (c) => containerUnpause(client, c));
  },
});
