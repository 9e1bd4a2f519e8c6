/** `berth create`: builds the create body like run, creates (pulling a missing image) and prints the ID. */
import { defineCommand, minArgs } from '../../command.ts';
import { createContainer, validatePullOpt } from '../../container/create.ts';
import { withHelp } from '../../container/status-error.ts';
import { StatusError } from '../../errors.ts';
import type { ContainerOptions } from '../../opts/container-flags.ts';
import { containerFlags } from '../../opts/container-flags.ts';
import { buildContainerConfig } from '../../opts/container-config.ts';
import { createOnlyFlags } from './run-flags.ts';

interface CreateOpts extends ContainerOptions {
  name: string;
  pull: string;
  quiet: boolean;
  platform: string;
}

export default defineCommand<CreateOpts>({
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  aliases: '{bin} container create, {bin} create',
  args: minArgs(1),
  interspersed: false,
  flags: [...createOnlyFlags(process.env, 'create'), ...containerFlags(process.env)],
  async run(ctx, o, args, info) {
    try {
      validatePullOpt(o.pull);
    } catch (err) {
      throw new StatusError(withHelp(ctx.bin, (err as Error).message, 'create'), 125);
    }
    let cfg: ReturnType<typeof buildContainerConfig>;
    try {
      cfg = buildContainerConfig(o, { image: args[0]!, args: args.slice(1), changed: info.changed, env: ctx.env });
    } catch (err) {
      throw new StatusError(withHelp(ctx.bin, (err as Error).message, 'create'), 125);
    }
    const client = await ctx.client();
    const id = await createContainer(ctx, client, cfg, { name: o.name, platform: o.platform, pull: o.pull, quiet: o.quiet });
    ctx.out.write(`${id}\n`);
  },
});
