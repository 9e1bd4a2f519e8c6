/** `berth export`: the container's filesystem as a tar stream, to stdout or -o file (written atomically). */
import { containerExport } from '../../../client/api/containers.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { stringFlag } from '../../flags/spec.ts';
import { writeStreamTo } from '../../output-file.ts';

export default defineCommand<{ output: string }>({
  usage: '[OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  aliases: '{bin} container export, {bin} export',
  args: exactArgs(1),
  flags: [stringFlag('output', 'Write to a file, instead of STDOUT', { short: 'o' })],
  async run(ctx, o, args) {
    if (o.output === '' && ctx.out.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const client = await ctx.client();
    await writeStreamTo(ctx, o.output, 'failed to export container', () => containerExport(client, args[0]!));
  },
});
