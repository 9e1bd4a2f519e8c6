/** `berth start`: plain starts print each name; -a/-i attach first, then wait, start and stream (docker's RunStart). */
import { containerAttach, containerInspect, containerKill, containerResize, containerStart } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { EscapeError } from '../../container/detach-keys.ts';
import { streamHijacked } from '../../container/hijack.ts';
import { forwardAllSignals } from '../../container/signals.ts';
import { monitorTtySize } from '../../container/tty.ts';
import { waitExitOrRemoved } from '../../container/wait.ts';
import { StatusError } from '../../errors.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';

interface Opts {
  attach: boolean;
  interactive: boolean;
  detachKeys: string;
  checkpoint: string;
  checkpointDir: string;
}

export default defineCommand<Opts>({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  aliases: '{bin} container start, {bin} start',
  args: minArgs(1),
  flags: [
    boolFlag('attach', 'Attach STDOUT/STDERR and forward signals', { short: 'a' }),
    stringFlag('checkpoint', 'Restore from this checkpoint'),
    stringFlag('checkpoint-dir', 'Use a custom checkpoint storage directory'),
    stringFlag('detach-keys', 'Override the key sequence for detaching a container'),
    boolFlag('interactive', "Attach container's STDIN", { short: 'i' }),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    if (o.attach || o.interactive) {
      if (args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
      const c = await containerInspect(client, args[0]!);
      const stopForwarding = !c.Config.Tty ? forwardAllSignals((sig) => containerKill(client, c.Id, sig)) : () => {};
      ctx.keepRunningOnSignal = !c.Config.Tty;
      const detachKeys = o.detachKeys || ctx.config().detachKeys || '';
      const stdin = o.interactive && c.Config.OpenStdin;
      let stopResize = () => {};
      try {
        const h = await containerAttach(client, c.Id, { stream: true, stdin, stdout: true, stderr: true, detachKeys });
        const streamer = streamHijacked(ctx, h, { input: stdin, stdout: ctx.out, stderr: ctx.err, tty: c.Config.Tty, detachKeys });
        streamer.catch(() => {});
        const wait = await waitExitOrRemoved(ctx, client, c.Id, !!c.HostConfig.AutoRemove);
        try {
          await containerStart(client, c.Id);
        } catch (err) {
          h.socket.destroy();
          await streamer.catch(() => {});
          if (c.HostConfig.AutoRemove) await wait.status;
          else wait.cancel();
          throw err;
        }
        if (c.Config.Tty && ctx.out.isTTY) stopResize = monitorTtySize(ctx, (hh, ww) => containerResize(client, c.Id, hh, ww));
        try {
          await streamer;
        } catch (err) {
          wait.cancel();
          if (err instanceof EscapeError) return;
          throw err;
        }
        const status = await wait.status;
        if (status !== 0) throw new StatusError('', status);
      } finally {
        stopResize();
        stopForwarding();
      }
      return;
    }
    if (o.checkpoint !== '') {
      if (args.length > 1) throw new Error('you cannot restore multiple containers at once');
      await client.call('POST', `/containers/${args[0]}/start`, { query: { checkpoint: o.checkpoint, 'checkpoint-dir': o.checkpointDir || undefined } });
      return;
    }
    const failed: string[] = [];
    for (const name of args) {
      try {
        await containerStart(client, name);
        ctx.out.write(`${name}\n`);
      } catch (err) {
        ctx.err.write(`${(err as Error).message}\n`);
        failed.push(name);
      }
    }
    if (failed.length) throw new Error(`Error: failed to start containers: ${failed.join(', ')}`);
  },
});
