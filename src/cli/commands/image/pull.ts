/** `berth pull` */
import { imagePull } from '../../../client/api/images.ts';
import { familiarString } from '../../../client/reference.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { discard, displayJsonMessages } from '../../format/jsonmessage.ts';
import { imageRefArg } from '../../image-ref.ts';

export default defineCommand<{ allTags: boolean; quiet: boolean; platform: string }>({
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  short: 'Download an image from a registry',
  aliases: '{bin} image pull, {bin} pull',
  args: exactArgs(1),
  flags: [
    boolFlag('all-tags', 'Download all tagged images in the repository', { short: 'a' }),
    boolFlag('disable-content-trust', 'Skip image verification', { def: true }),
    stringFlag('platform', 'Set platform if server is multi-platform capable', { def: process.env.BERTH_DEFAULT_PLATFORM ?? process.env.DOCKER_DEFAULT_PLATFORM ?? '' }),
    boolFlag('quiet', 'Suppress verbose output', { short: 'q' }),
  ],
  async run(ctx, o, args) {
    const ref = imageRefArg(ctx, args[0]!, o);
    const client = await ctx.client();
    const res = await imagePull(client, familiarString(ref), { all: o.allTags, platform: o.platform || undefined });
    const out = o.quiet ? discard(ctx.out) : ctx.out;
    await displayJsonMessages(res, out);
    ctx.out.write(`${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}\n`);
  },
});
