/** `berth volume ls` */
import { volumeList } from '../../../client/api/volumes.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag, formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { headerContext, renderList } from '../../format/formatter.ts';
import { naturalCompare } from '../../format/time.ts';
import { VolumeContext } from '../../format/contexts/volume.ts';


export default defineCommand<{ quiet: boolean; format: string; filter: Filters; cluster: boolean }>({
  usage: '[OPTIONS]',
  short: 'List volumes',
  args: noArgs,
  flags: [
    boolFlag('cluster', 'Display only cluster volumes, and use cluster volume list formatting'),
    filterFlag('Provide filter values (e.g. "dangling=true")'),
    formatFlag(),
    boolFlag('quiet', 'Only display volume names', { short: 'q' }),
  ],
  async run(ctx, o) {
    const client = await ctx.client();
    const r = await volumeList(client, o.filter);
    const vols = [...(r.Volumes ?? [])].sort((a, b) => naturalCompare(a.Name, b.Name));
    let format = o.format;
    if (format === '') format = ctx.config().volumesFormat && !o.quiet ? ctx.config().volumesFormat! : 'table';
    if (format === 'table') format = o.quiet ? '{{.Name}}' : 'table {{.Driver}}\t{{.Name}}';
    else if (format === 'raw') format = o.quiet ? 'name: {{.Name}}' : 'name: {{.Name}}\\ndriver: {{.Driver}}\\n';
    const header = headerContext({
      Name: 'VOLUME NAME',
      Driver: 'DRIVER',
      Scope: 'SCOPE',
      Mountpoint: 'MOUNTPOINT',
      Labels: 'LABELS',
      Links: 'LINKS',
      Size: 'SIZE',
      Group: 'GROUP',
      Availability: 'AVAILABILITY',
      Status: 'STATUS',
    });
    ctx.out.write(renderList(format, header, vols.map((v) => new VolumeContext(v))));
  },
});
