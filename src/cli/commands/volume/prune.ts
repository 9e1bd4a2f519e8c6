/** `berth volume prune` */
import { volumePrune } from '../../../client/api/volumes.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { humanSize } from '../../format/units.ts';
import { CancelledError, confirm } from '../../prompt.ts';

export default defineCommand<{ all: boolean; force: boolean; filter: Filters }>({
  usage: '[OPTIONS]',
  short: 'Remove unused local volumes',
  args: noArgs,
  flags: [
    boolFlag('all', 'Remove all unused volumes, not just anonymous ones', { short: 'a' }),
    filterFlag('Provide filter values (e.g. "label=<label>")', null),
    boolFlag('force', 'Do not prompt for confirmation', { short: 'f' }),
  ],
  async run(ctx, o) {
    const filters: Filters = [...o.filter];
    const client = await ctx.client();
    if (o.all) {
      await client.negotiate();
      if (filters.some(([k]) => k === 'all')) throw new Error('conflicting options: cannot specify both --all and --filter all=1');
      if (!client.atLeast('1.42')) throw new Error('--all is only supported with API version 1.42 or later');
      filters.push(['all', 'true']);
    }
    const warning = o.all
      ? 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
    if (!o.force && !(await confirm(ctx, warning))) throw new CancelledError('volume prune has been cancelled');
    const report = await volumePrune(client, filters);
    let space = 0;
    if (report.VolumesDeleted?.length) {
      ctx.out.write(`Deleted Volumes:\n${report.VolumesDeleted.map((v) => `${v}\n`).join('')}\n`);
      space = report.SpaceReclaimed;
    }
    ctx.out.write(`Total reclaimed space: ${humanSize(space)}\n`);
  },
});
