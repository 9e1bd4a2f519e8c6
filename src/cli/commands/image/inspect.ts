/** `berth image inspect` */
import { imageInspectRaw } from '../../../client/api/images.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { stringFlag } from '../../flags/spec.ts';
import { inspectRefs } from '../../inspect.ts';

export default defineCommand<{ format: string; platform: string }>({
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  args: minArgs(1),
  flags: [
    formatFlag(INSPECT_FORMAT_HELP, 'f'),
    stringFlag('platform', 'Inspect a specific platform of the multi-platform image.\nIf the image or the server is not multi-platform capable, the command will error out if the platform does not match.\n\'os[/arch[/variant]]\': Explicit platform (eg. linux/amd64)'),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    await inspectRefs(ctx, args, o.format, async (ref) => (await imageInspectRaw(client, ref)).raw);
  },
});
