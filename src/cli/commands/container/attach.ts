/**
 * `berth attach`: wait (condition not-running) is opened first, then inspect checks the state, attach hijacks,
 * and the exit status comes from the wait (docker's RunAttach). Detaching ends with "read escape sequence".
 */
import { containerAttach, containerInspect, containerKill, containerResize, containerWaitStart } from '../../../client/api/containers.ts';
import type { EngineClient } from '../../../client/client.ts';
import type { ContainerInspect } from '../../../client/types.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { streamHijacked } from '../../container/hijack.ts';
import { forwardAllSignals } from '../../container/signals.ts';
import { checkTty, monitorTtySize } from '../../container/tty.ts';
import { StatusError } from '../../errors.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';

async function inspectAndCheckState(client: EngineClient, id: string): Promise<ContainerInspect> {
  const c = await containerInspect(client, id);
  if (!c.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
  return c;
}

export default defineCommand<{ noStdin: boolean; sigProxy: boolean; detachKeys: string }>({
  usage: '[OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  aliases: '{bin} container attach, {bin} attach',
  args: exactArgs(1),
  flags: [
    stringFlag('detach-keys', 'Override the key sequence for detaching a container'),
    boolFlag('no-stdin', 'Do not attach STDIN'),
    boolFlag('sig-proxy', 'Proxy all received signals to the process', { def: true }),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    const id = args[0]!;
    const { result } = await containerWaitStart(client, id);
    const c = await inspectAndCheckState(client, id);
    checkTty(ctx, !o.noStdin, c.Config.Tty);
    const detachKeys = o.detachKeys || ctx.config().detachKeys || '';
    const stdin = !o.noStdin && c.Config.OpenStdin;
    const stopForwarding = o.sigProxy && !c.Config.Tty ? forwardAllSignals((sig) => containerKill(client, id, sig)) : () => {};
    ctx.keepRunningOnSignal = o.sigProxy && !c.Config.Tty;
    let stopResize = () => {};
    try {
      const h = await containerAttach(client, id, { stream: true, stdin, stdout: true, stderr: true, detachKeys });
      await inspectAndCheckState(client, id);
      if (c.Config.Tty && ctx.out.isTTY) {
        const [rows, cols] = ctx.out.size();
        await containerResize(client, id, rows + 1, cols + 1).catch(() => {});
        stopResize = monitorTtySize(ctx, (hh, ww) => containerResize(client, id, hh, ww));
      }
      await streamHijacked(ctx, h, { input: stdin, stdout: ctx.out, stderr: ctx.err, tty: c.Config.Tty, detachKeys });
      const r = await result;
      if (r.Error?.Message) throw new Error(r.Error.Message);
      if (r.StatusCode !== 0) throw new StatusError('', r.StatusCode);
    } finally {
      stopResize();
      stopForwarding();
    }
  },
});
