/** `berth diff`: C/A/D lines for changed, added and deleted paths. */
import { containerDiff } from '../../../client/api/containers.ts';
import { defineCommand, exactArgs } from '../../command.ts';

const KINDS = ['C', 'A', 'D'];

export default defineCommand({
  usage: 'CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  aliases: '{bin} container diff, {bin} diff',
  args: exactArgs(1),
  flags: [],
  async run(ctx, _o, args) {
    if (args[0] === '') throw new Error('Container name cannot be empty');
    const client = await ctx.client();
    const changes = (await containerDiff(client, args[0]!)) ?? [];
    let out = '';
    for (const ch of changes) out += `${KINDS[ch.Kind] ?? ''} ${ch.Path}\n`;
    ctx.out.write(out);
  },
});
