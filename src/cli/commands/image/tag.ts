/** `berth tag` */
import { imageTag } from '../../../client/api/images.ts';
import { defineCommand, exactArgs } from '../../command.ts';

export default defineCommand({
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  aliases: '{bin} image tag, {bin} tag',
  args: exactArgs(2),
  interspersed: false,
  flags: [],
  async run(ctx, _o, args) {
    const client = await ctx.client();
    await imageTag(client, args[0]!, args[1]!);
  },
});
