/** `berth context show` */
import { defineCommand, noArgs } from '../../command.ts';

export default defineCommand({
  usage: '',
  short: 'Print the name of the current context',
  args: noArgs,
  flags: [],
  async run(ctx) {
    ctx.out.write(`${ctx.contextName()}\n`);
  },
});
