/** `berth volume create` */
import { volumeCreate } from '../../../client/api/volumes.ts';
import { defineCommand, maxArgs } from '../../command.ts';
import { customFlag, listFlag, stringFlag } from '../../flags/spec.ts';
import { validateLabel } from '../../opts/validators.ts';

function sorted(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

export default defineCommand<{ driver: string; label: string[]; opt: Record<string, string>; name: string }>({
  usage: '[OPTIONS] [VOLUME]',
  short: 'Create a volume',
  args: maxArgs(1),
  flags: [
    stringFlag('driver', 'Specify volume driver name', { short: 'd', def: 'local' }),
    listFlag('label', 'Set metadata for a volume', { validate: validateLabel }),
    stringFlag('name', 'Specify volume name', { hidden: true }),
    customFlag<Record<string, string>>(
      'opt',
      'Set driver specific options',
      'map',
      {},
      (v, cur) => {
        const i = v.indexOf('=');
        return { ...cur, [i >= 0 ? v.slice(0, i) : v]: i >= 0 ? v.slice(i + 1) : '' };
      },
      { short: 'o', defText: 'map[]' },
    ),
  ],
  async run(ctx, o, args, info) {
    if (args.length === 1) {
      if (o.name !== '') throw new Error('conflicting options: cannot specify a volume-name through both --name and as a positional arg');
      o.name = args[0]!;
    }
    void info;
    const labels: Record<string, string> = {};
    for (const l of o.label) {
      const i = l.indexOf('=');
      labels[i >= 0 ? l.slice(0, i) : l] = i >= 0 ? l.slice(i + 1) : '';
    }
    const body: Record<string, unknown> = {};
    if (o.driver) body.Driver = o.driver;
    if (Object.keys(o.opt).length) body.DriverOpts = sorted(o.opt);
    if (Object.keys(labels).length) body.Labels = sorted(labels);
    if (o.name) body.Name = o.name;
    const client = await ctx.client();
    const v = await volumeCreate(client, body);
    ctx.out.write(`${v.Name}\n`);
  },
});
