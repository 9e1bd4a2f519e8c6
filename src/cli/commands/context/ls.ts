/** `berth context ls` */
import { defineCommand, noArgs } from '../../command.ts';
import { ContextItem, contextFormat, contextHeader, contextRows } from '../../contexts/list.ts';
import { ContextStore } from '../../contexts/store.ts';
import { formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { isTable, renderList } from '../../format/formatter.ts';

export default defineCommand<{ format: string; quiet: boolean }>({
  usage: '[OPTIONS]',
  short: 'List contexts',
  args: noArgs,
  flags: [formatFlag(), boolFlag('quiet', 'Only show context names', { short: 'q' })],
  async run(ctx, o) {
    const rows = await contextRows(ctx, new ContextStore(ctx.configDir));
    const format = contextFormat(o.format, o.quiet);
    ctx.out.write(renderList(format, contextHeader(), rows.map((r) => new ContextItem(r, isTable(format)))));
    const hostVar = ctx.env.BERTH_HOST ? 'BERTH_HOST' : ctx.env.DOCKER_HOST ? 'DOCKER_HOST' : '';
    if (hostVar) {
      ctx.err.write(
        `Warning: ${hostVar} environment variable overrides the active context. To use a context, either set the global --context flag, or unset ${hostVar} environment variable.\n`,
      );
    }
  },
});
