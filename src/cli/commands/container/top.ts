/** `berth top` */
import { containerTop } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { TabWriter } from '../../format/tabwriter.ts';

export default defineCommand({
  usage: 'CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  aliases: '{bin} container top, {bin} top',
  args: minArgs(1),
  interspersed: false,
  flags: [],
  async run(ctx, _o, args) {
    const client = await ctx.client();
    const top = await containerTop(client, args[0]!, args.slice(1));
    const w = new TabWriter(20, 3, ' ');
    w.write(`${(top.Titles ?? []).join('\t')}\n`);
    for (const p of top.Processes ?? []) w.write(`${p.join('\t')}\n`);
    ctx.out.write(w.flush());
  },
});
