/** `berth ps` / `berth container ls` */
import { containerList } from '../../../client/api/containers.ts';
import { defineCommand, noArgs } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag, formatFlag } from '../../flags/common.ts';
import { boolFlag, intFlag } from '../../flags/spec.ts';
import { ContainerContext, containerFormat, containerHeader } from '../../format/contexts/container.ts';
import { renderList } from '../../format/formatter.ts';
import { parse } from '../../format/template.ts';

interface Opts {
  all: boolean;
  filter: Filters;
  format: string;
  last: number;
  latest: boolean;
  noTrunc: boolean;
  quiet: boolean;
  size: boolean;
}

export default defineCommand<Opts>({
  usage: '[OPTIONS]',
  short: 'List containers',
  aliases: '{bin} container ls, {bin} container list, {bin} container ps, {bin} ps',
  args: noArgs,
  flags: [
    boolFlag('all', 'Show all containers (default shows just running)', { short: 'a' }),
    filterFlag(),
    formatFlag(),
    intFlag('last', 'Show n last created containers (includes all states)', { short: 'n', def: -1 }),
    boolFlag('latest', 'Show the latest created container (includes all states)', { short: 'l' }),
    boolFlag('no-trunc', "Don't truncate output"),
    boolFlag('quiet', 'Only display container IDs', { short: 'q' }),
    boolFlag('size', 'Display total file sizes', { short: 's' }),
  ],
  async run(ctx, o, _args, info) {
    let format = o.format;
    if (format === '') format = ctx.config().psFormat ?? '';
    else if (o.quiet) ctx.err.write('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
    let limit = o.last;
    if (o.latest && o.last === -1) limit = 1;
    let size = o.size;
    if (format !== '') {
      let tmpl: ReturnType<typeof parse>;
      try {
        tmpl = parse(format);
      } catch (err) {
        throw new StatusError(`failed to parse template: ${(err as Error).message}`, 1);
      }
      const probe = new ContainerContext({ Id: '' }, false);
      try {
        tmpl.execute(probe);
      } catch (err) {
        throw new StatusError(`failed to execute template: ${(err as Error).message}`, 1);
      }
      if (!o.quiet && !size && !info.changed.has('size') && probe.sizeUsed) size = true;
    }
    const client = await ctx.client();
    const list = await containerList(client, { all: o.all, limit, size, filters: o.filter });
    const items = list.map((c) => new ContainerContext(c, !o.noTrunc));
    ctx.out.write(renderList(containerFormat(format, o.quiet, size), containerHeader(), items));
  },
});
