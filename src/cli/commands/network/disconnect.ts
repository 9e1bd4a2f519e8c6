/** `berth network disconnect` */
import { networkDisconnect } from '../../../client/api/networks.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { boolFlag } from '../../flags/spec.ts';

export default defineCommand<{ force: boolean }>({
  usage: '[OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  args: exactArgs(2),
  flags: [boolFlag('force', 'Force the container to disconnect from a network', { short: 'f' })],
  async run(ctx, o, args) {
    const client = await ctx.client();
    await networkDisconnect(client, args[0]!, args[1]!, o.force);
  },
});
