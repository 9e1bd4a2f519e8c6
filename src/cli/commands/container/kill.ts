/** `berth kill` */
import { containerKill } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { forEachContainer } from '../../container/each.ts';
import { stringFlag } from '../../flags/spec.ts';

export default defineCommand<{ signal: string }>({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  aliases: '{bin} container kill, {bin} kill',
  args: minArgs(1),
  flags: [stringFlag('signal', 'Signal to send to the container', { short: 's' })],
  async run(ctx, o, args) {
    const client = await ctx.client();
    await forEachContainer(ctx, args, (c) => containerKill(client, c, o.signal));
  },
});
