/** `berth rename` */
import { containerRename } from '../../../client/api/containers.ts';
import { exactArgs, defineCommand } from '../../command.ts';

export default defineCommand({
  usage: 'CONTAINER NEW_NAME',
  short: 'Rename a container',
  aliases: '{bin} container rename, {bin} rename',
  args: exactArgs(2),
  flags: [],
  async run(ctx, _o, args) {
    const oldName = args[0]!.trim();
    const newName = args[1]!.trim();
    if (oldName === '' || newName === '') throw new Error('Error: Neither old nor new names may be empty');
    const client = await ctx.client();
    try {
      await containerRename(client, oldName, newName);
    } catch (err) {
      ctx.err.write(`${(err as Error).message}\n`);
      throw new Error(`Error: failed to rename container named ${oldName}`);
    }
  },
});
