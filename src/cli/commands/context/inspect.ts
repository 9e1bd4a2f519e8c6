/** `berth context inspect` */
import { defineCommand } from '../../command.ts';
import { inspectJson } from '../../contexts/list.ts';
import { ContextStore } from '../../contexts/store.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { inspectRefs } from '../../inspect.ts';

export default defineCommand<{ format: string }>({
  usage: '[OPTIONS] [CONTEXT] [CONTEXT...]',
  short: 'Display detailed information on one or more contexts',
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f')],
  async run(ctx, o, args) {
    const store = new ContextStore(ctx.configDir);
    const names = args.length > 0 ? args : [ctx.contextName()];
    await inspectRefs(ctx, names, o.format, (name) => inspectJson(ctx, store, name));
  },
});
