/** `berth network prune` */
import { networkPrune } from '../../../client/api/networks.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { CancelledError, confirm } from '../../prompt.ts';

export default defineCommand<{ force: boolean; filter: Filters }>({
  usage: '[OPTIONS]',
  short: 'Remove all unused networks',
  args: noArgs,
  flags: [filterFlag('Provide filter values (e.g. "until=<timestamp>")', null), boolFlag('force', 'Do not prompt for confirmation', { short: 'f' })],
  async run(ctx, o) {
    if (!o.force && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) {
      throw new CancelledError('network prune has been cancelled');
    }
    const client = await ctx.client();
    const report = await networkPrune(client, o.filter);
    if (report.NetworksDeleted?.length) ctx.out.write(`Deleted Networks:\n${report.NetworksDeleted.map((n) => `${n}\n`).join('')}\n`);
  },
});
