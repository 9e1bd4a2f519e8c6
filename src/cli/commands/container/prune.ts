/** `berth container prune` */
import { containerPrune } from '../../../client/api/containers.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { humanSize } from '../../format/units.ts';
import { CancelledError, confirm } from '../../prompt.ts';

export default defineCommand<{ force: boolean; filter: Filters }>({
  usage: '[OPTIONS]',
  short: 'Remove all stopped containers',
  args: noArgs,
  flags: [filterFlag('Provide filter values (e.g. "until=<timestamp>")', null), boolFlag('force', 'Do not prompt for confirmation', { short: 'f' })],
  async run(ctx, o) {
    if (!o.force && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) {
      throw new CancelledError('container prune has been cancelled');
    }
    const client = await ctx.client();
    const report = await containerPrune(client, o.filter);
    let space = 0;
    if (report.ContainersDeleted?.length) {
      ctx.out.write(`Deleted Containers:\n${report.ContainersDeleted.map((id) => `${id}\n`).join('')}\n`);
      space = report.SpaceReclaimed;
    }
    ctx.out.write(`Total reclaimed space: ${humanSize(space)}\n`);
  },
});
