/** `berth network ls` */
import { networkList } from '../../../client/api/networks.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag, formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { NetworkContext, networkFormat, networkHeader } from '../../format/contexts/network.ts';
import { renderList } from '../../format/formatter.ts';
import { naturalCompare } from '../../format/time.ts';

export default defineCommand<{ quiet: boolean; noTrunc: boolean; format: string; filter: Filters }>({
  usage: '[OPTIONS]',
  short: 'List networks',
  args: noArgs,
  flags: [
    filterFlag('Provide filter values (e.g. "driver=bridge")'),
    formatFlag(),
    boolFlag('no-trunc', 'Do not truncate the output'),
    boolFlag('quiet', 'Only display network IDs', { short: 'q' }),
  ],
  async run(ctx, o) {
    const client = await ctx.client();
    const list = (await networkList(client, o.filter)) ?? [];
    let format = o.format;
    if (format === '') format = ctx.config().networksFormat && !o.quiet ? ctx.config().networksFormat! : 'table';
    list.sort((a, b) => naturalCompare(a.Name, b.Name));
    ctx.out.write(renderList(networkFormat(format, o.quiet), networkHeader(), list.map((n) => new NetworkContext(n, !o.noTrunc))));
  },
});
