/** `berth push` */
import { imagePush } from '../../../client/api/images.ts';
import { familiarString, parseNormalizedNamed, tagNameOnly } from '../../../client/reference.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { displayJsonMessages } from '../../format/jsonmessage.ts';

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
    let ref = parseNormalizedNamed(args[0]!);
    const nameOnly = ref.tag === undefined && ref.digest === undefined;
    if (o.allTags && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
    if (!o.allTags && nameOnly) {
      ref = tagNameOnly(ref);
      if (!o.quiet) ctx.out.write(`Using default tag: ${ref.tag}\n`);
    }
    const client = await ctx.client();
    const res = await imagePush(client, familiarString(ref), { all: o.allTags });
    const full = `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}`;
    if (o.quiet) {
      await displayJsonMessages(res, { ...ctx.out, write() {}, isTTY: false });
      ctx.out.write(`${full}\n`);
      return;
    }
    await displayJsonMessages(res, ctx.out);
  },
});
