/** `berth container inspect` */
import { containerInspectRaw } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { inspectRefs } from '../../inspect.ts';

export default defineCommand<{ format: string; size: boolean }>({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  args: minArgs(1),
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f'), boolFlag('size', 'Display total file sizes', { short: 's' })],
  async run(ctx, o, args) {
    const client = await ctx.client();
    await inspectRefs(ctx, args, o.format, async (ref) => (await containerInspectRaw(client, ref, o.size)).raw);
  },
});
