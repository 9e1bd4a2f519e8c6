/** `berth system prune`: containers, networks, (volumes,) images, build cache — in docker's order. */
import { containerPrune } from '../../../client/api/containers.ts';
import { filtersJson } from '../../../client/api/containers.ts';
import { imagePrune } from '../../../client/api/images.ts';
import { networkPrune } from '../../../client/api/networks.ts';
import { volumePrune } from '../../../client/api/volumes.ts';
import { ApiError } from '../../../client/errors.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { naturalCompare } from '../../format/time.ts';
import { humanSize } from '../../format/units.ts';
import { CancelledError, confirm } from '../../prompt.ts';

interface Opts {
  force: boolean;
  all: boolean;
  volumes: boolean;
  filter: Filters;
}

function confirmationMessage(o: Opts): string {
  const warnings = ['all stopped containers', 'all networks not used by at least one container'];
  if (o.volumes) warnings.push('all anonymous volumes not used by at least one container');
  warnings.push(o.all ? 'all images without at least one container associated to them' : 'all dangling images');
  warnings.push(o.all ? 'all build cache' : 'unused build cache');
  const filters = o.filter
    .filter(([k]) => k === 'label' || k === 'label!' || k === 'until')
    .map(([k, v]) => `${k}=${v}`)
    .sort(naturalCompare);
  let s = `WARNING! This will remove:${warnings.map((w) => `\n  - ${w}`).join('')}\n`;
  if (filters.length) s += `\n  Items to be pruned will be filtered with:${filters.map((f) => `\n  - ${f}`).join('')}\n`;
  return `${s}\nAre you sure you want to continue?`;
}

export default defineCommand<Opts>({
  usage: '[OPTIONS]',
  short: 'Remove unused data',
  args: noArgs,
  flags: [
    boolFlag('all', 'Remove all unused images not just dangling ones', { short: 'a' }),
    filterFlag('Provide filter values (e.g. "label=<key>=<value>")', null),
    boolFlag('force', 'Do not prompt for confirmation', { short: 'f' }),
    boolFlag('volumes', 'Prune anonymous volumes'),
  ],
  async run(ctx, o) {
    if (o.volumes && o.filter.some(([k]) => k === 'until')) throw new Error('ERROR: The "until" filter is not supported with "--volumes"');
    if (!o.force && !(await confirm(ctx, confirmationMessage(o)))) throw new CancelledError('system prune has been cancelled');
    const client = await ctx.client();
    let space = 0;
    const c = await containerPrune(client, o.filter);
    if (c.ContainersDeleted?.length) {
      ctx.out.write(`Deleted Containers:\n${c.ContainersDeleted.map((x) => `${x}\n`).join('')}\n`);
      space += c.SpaceReclaimed;
    }
    const n = await networkPrune(client, o.filter);
    if (n.NetworksDeleted?.length) ctx.out.write(`Deleted Networks:\n${n.NetworksDeleted.map((x) => `${x}\n`).join('')}\n`);
    if (o.volumes) {
      const v = await volumePrune(client, o.filter);
      if (v.VolumesDeleted?.length) {
        ctx.out.write(`Deleted Volumes:\n${v.VolumesDeleted.map((x) => `${x}\n`).join('')}\n`);
        space += v.SpaceReclaimed;
      }
    }
    const i = await imagePrune(client, [...o.filter, ['dangling', String(!o.all)]]);
    if (i.ImagesDeleted?.length) {
      let s = 'Deleted Images:\n';
      for (const d of i.ImagesDeleted) s += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`;
      ctx.out.write(`${s}\n`);
      space += i.SpaceReclaimed;
    }
    try {
      const b = await client.json<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/build/prune', {
        query: { all: o.all, filters: filtersJson(o.filter) },
      });
      if (b?.CachesDeleted?.length) {
        ctx.out.write(`Deleted build cache objects:\n${b.CachesDeleted.map((x) => `${x}\n`).join('')}\n`);
        space += b.SpaceReclaimed;
      }
    } catch (err) {
      // berthd has no build cache yet: a missing endpoint is not an error here.
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 501))) throw err;
    }
    ctx.out.write(`Total reclaimed space: ${humanSize(space)}\n`);
  },
});
