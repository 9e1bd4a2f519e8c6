/** `berth image prune` */
import { imagePrune } from '../../../client/api/images.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { humanSize } from '../../format/units.ts';
import { CancelledError, confirm } from '../../prompt.ts';

export default defineCommand<{ force: boolean; all: boolean; filter: Filters }>({
  usage: '[OPTIONS]',
  short: 'Remove unused images',
  args: noArgs,
  flags: [
    boolFlag('all', 'Remove all unused images, not just dangling ones', { short: 'a' }),
    filterFlag('Provide filter values (e.g. "until=<timestamp>")', null),
    boolFlag('force', 'Do not prompt for confirmation', { short: 'f' }),
  ],
  async run(ctx, o) {
    const filters: Filters = [...o.filter, ['dangling', String(!o.all)]];
    const warning = o.all
      ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?'
      : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
    if (!o.force && !(await confirm(ctx, warning))) throw new CancelledError('image prune has been cancelled');
    const client = await ctx.client();
    const report = await imagePrune(client, filters);
    let space = 0;
    if (report.ImagesDeleted?.length) {
      let s = 'Deleted Images:\n';
      for (const d of report.ImagesDeleted) s += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`;
      ctx.out.write(`${s}\n`);
      space = report.SpaceReclaimed;
    }
    ctx.out.write(`Total reclaimed space: ${humanSize(space)}\n`);
  },
});
