/** `berth stop` and `berth restart`: the same flags and checks, a different call (restart goes one at a time). */
import type { StopOptions } from '../../client/api/containers.ts';
import type { EngineClient } from '../../client/client.ts';
import { defineCommand, minArgs } from '../command.ts';
import { intFlag, stringFlag } from '../flags/spec.ts';
import { forEachContainer } from './each.ts';

export function stopCommand(o: { short: string; aliases: string; sequential: boolean; call: (client: EngineClient, name: string, opts: StopOptions) => Promise<unknown> }) {
  return defineCommand<{ signal: string; timeout: number }>({
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    short: o.short,
    aliases: o.aliases,
    args: minArgs(1),
    flags: [
      stringFlag('signal', 'Signal to send to the container', { short: 's' }),
      intFlag('timeout', 'Seconds to wait before killing the container', { short: 't' }),
      intFlag('time', 'Seconds to wait before killing the container (deprecated: use --timeout)', { dest: 'timeout', deprecated: 'use --timeout instead' }),
    ],
    async run(ctx, f, args, info) {
      if (info.changed.has('time') && info.changed.has('timeout')) throw new Error('conflicting options: cannot specify both --timeout and --time');
      const timeout = info.changed.has('time') || info.changed.has('timeout') ? f.timeout : undefined;
      const client = await ctx.client();
      await forEachContainer(ctx, args, (c) => o.call(client, c, { timeout, signal: f.signal || undefined }), o.sequential);
    },
  });
}
