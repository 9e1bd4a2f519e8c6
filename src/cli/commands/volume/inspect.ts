/** `berth volume inspect` */
import { volumeInspectRaw } from '../../../client/api/volumes.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { inspectRefs } from '../../inspect.ts';

export default defineCommand<{ format: string }>({
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  args: minArgs(1),
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f')],
  async run(ctx, o, args) {
    const client = await ctx.client();
    await inspectRefs(ctx, args, o.format, async (ref) => (await volumeInspectRaw(client, ref)).raw);
  },
});
