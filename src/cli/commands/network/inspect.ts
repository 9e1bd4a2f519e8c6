/** `berth network inspect` */
import { networkInspectRaw } from '../../../client/api/networks.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { inspectRefs } from '../../inspect.ts';

export default defineCommand<{ format: string; verbose: boolean }>({
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: minArgs(1),
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f'), boolFlag('verbose', 'Verbose output for diagnostics', { short: 'v' })],
  async run(ctx, o, args) {
    const client = await ctx.client();
    await inspectRefs(ctx, args, o.format, async (ref) => (await networkInspectRaw(client, ref, { verbose: o.verbose })).raw);
  },
});
