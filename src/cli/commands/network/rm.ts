/** `berth network rm`: inspects first (ingress networks need confirmation), then deletes. */
import { networkInspectRaw, networkRemove } from '../../../client/api/networks.ts';
import { isNotFound } from '../../../client/errors.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { boolFlag } from '../../flags/spec.ts';
import { confirm } from '../../prompt.ts';

const INGRESS_WARNING =
  'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
  'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue?';

export default defineCommand<{ force: boolean }>({
  usage: 'NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  args: minArgs(1),
  flags: [boolFlag('force', 'Do not error if the network does not exist', { short: 'f' })],
  async run(ctx, o, args) {
    const client = await ctx.client();
    let status = 0;
    for (const name of args) {
      try {
        const nw = await networkInspectRaw(client, name);
        if (nw.value.Ingress && !(await confirm(ctx, INGRESS_WARNING))) continue;
      } catch {
        // docker ignores inspect errors here
      }
      try {
        await networkRemove(client, name);
      } catch (err) {
        if (o.force && isNotFound(err)) continue;
        ctx.err.write(`${(err as Error).message}\n`);
        status = 1;
        continue;
      }
      ctx.out.write(`${name}\n`);
    }
    if (status !== 0) throw new StatusError(`exit status ${status}`, status);
  },
});
