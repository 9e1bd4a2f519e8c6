/** `berth stop` */
import { containerStop } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { forEachContainer } from '../../container/each.ts';
import { intFlag, stringFlag } from '../../flags/spec.ts';

export default defineCommand<{ signal: string; timeout: number }>({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  aliases: '{bin} container stop, {bin} stop',
  args: minArgs(1),
  flags: [
    stringFlag('signal', 'Signal to send to the container', { short: 's' }),
    intFlag('timeout', 'Seconds to wait before killing the container', { short: 't' }),
    intFlag('time', 'Seconds to wait before killing the container (deprecated: use --timeout)', { dest: 'timeout', deprecated: 'use --timeout instead' }),
  ],
  async run(ctx, o, args, info) {
    if (info.changed.has('time') && info.changed.has('timeout')) throw new Error('conflicting options: cannot specify both --timeout and --time');
    const timeout = info.changed.has('time') || info.changed.has('timeout') ? o.timeout : undefined;
    const client = await ctx.client();
    await forEachContainer(ctx, args, (c) => containerStop(client, c, { timeout, signal: o.signal || undefined }), false);
  },
});
