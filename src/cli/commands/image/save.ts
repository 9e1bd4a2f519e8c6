/** `berth save` */
import { imageSave } from '../../../client/api/images.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { stringFlag } from '../../flags/spec.ts';
import { writeStreamTo } from '../../output-file.ts';

export default defineCommand<{ output: string; platform: string }>({
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  aliases: '{bin} image save, {bin} save',
  args: minArgs(1),
  flags: [
    stringFlag('output', 'Write to a file, instead of STDOUT', { short: 'o' }),
    stringFlag('platform', 'Save only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
  ],
  async run(ctx, o, args) {
    if (o.output === '' && ctx.out.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const client = await ctx.client();
    await writeStreamTo(ctx, o.output, 'failed to save image', () => imageSave(client, args));
  },
});
