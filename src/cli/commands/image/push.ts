/** `berth push` */
import { imagePush } from '../../../client/api/images.ts';
import { familiarString } from '../../../client/reference.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { discard, displayJsonMessages } from '../../format/jsonmessage.ts';
import { imageRefArg } from '../../image-ref.ts';

export default defineCommand<{ allTags: boolean; quiet: boolean; platform: string }>({
  usage: '[OPTIONS] NAME[:TAG]',
  short: 'Upload an image to a registry',
  aliases: '{bin} image push, {bin} push',
  args: exactArgs(1),
  flags: [
    boolFlag('all-tags', 'Push all tags of an image to the repository', { short: 'a' }),
    boolFlag('disable-content-trust', 'Skip image signing', { def: true }),
    stringFlag(
      'platform',
      "Push a platform-specific manifest as a single-platform image to the registry.\nImage index won't be pushed, meaning that other manifests, including attestations won't be preserved.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)",
    ),
    boolFlag('quiet', 'Suppress verbose output', { short: 'q' }),
  ],
  async run(ctx, o, args) {
    const ref = imageRefArg(ctx, args[0]!, o);
    const client = await ctx.client();
    const res = await imagePush(client, familiarString(ref), { all: o.allTags });
    const full = `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}`;
    if (o.quiet) {
      await displayJsonMessages(res, discard(ctx.out));
      ctx.out.write(`${full}\n`);
      return;
    }
    await displayJsonMessages(res, ctx.out);
  },
});
