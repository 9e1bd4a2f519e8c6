/**
 * `berth run`: create (pulling on "No such image") → attach (101) → wait (next-exit, or removed for --rm) →
 * start → resize (TTY); exit status from the wait; 125/126/127 for CLI, daemon and start errors (docker's run.go).
 */
import { containerAttach, containerKill, containerResize, containerStart } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { createContainer, validatePullOpt } from '../../container/create.ts';
import { EscapeError } from '../../container/detach-keys.ts';
import { streamHijacked } from '../../container/hijack.ts';
import { forwardAllSignals } from '../../container/signals.ts';
import { toStatusError, withHelp } from '../../container/status-error.ts';
import { checkTty, monitorTtySize } from '../../container/tty.ts';
import { waitExitOrRemoved } from '../../container/wait.ts';
import { StatusError } from '../../errors.ts';
import type { ContainerOptions } from '../../opts/container-flags.ts';
import { containerFlags } from '../../opts/container-flags.ts';
import { buildContainerConfig } from '../../opts/container-config.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { createOnlyFlags } from './run-flags.ts';

interface RunOpts extends ContainerOptions {
  detach: boolean;
  sigProxy: boolean;
  name: string;
  detachKeys: string;
  pull: string;
  quiet: boolean;
  platform: string;
}

export default defineCommand<RunOpts>({
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  aliases: '{bin} container run, {bin} run',
  args: minArgs(1),
  interspersed: false,
  flags: [
    boolFlag('detach', 'Run container in background and print container ID', { short: 'd' }),
    boolFlag('sig-proxy', 'Proxy received signals to the process', { def: true }),
    stringFlag('detach-keys', 'Override the key sequence for detaching a container'),
    ...createOnlyFlags(process.env, 'run'),
    ...containerFlags(process.env),
  ],
  async run(ctx, o, args, info) {
    try {
      validatePullOpt(o.pull);
    } catch (err) {
      throw new StatusError(withHelp(ctx.bin, (err as Error).message, 'run'), 125);
    }
    let cfg: ReturnType<typeof buildContainerConfig>;
    try {
      cfg = buildContainerConfig(o, { image: args[0]!, args: args.slice(1), changed: info.changed, env: ctx.env });
    } catch (err) {
      throw new StatusError(withHelp(ctx.bin, (err as Error).message, 'run'), 125);
    }
    const config = cfg.Config;
    if (!o.detach) {
      checkTty(ctx, config.AttachStdin as boolean, config.Tty as boolean);
    } else {
      if (o.attach.length !== 0) throw new Error('conflicting options: cannot specify both --attach and --detach');
      config.AttachStdin = false;
      config.AttachStdout = false;
      config.AttachStderr = false;
      config.StdinOnce = false;
    }
    const client = await ctx.client();
    let id: string;
    try {
      id = await createContainer(ctx, client, cfg, { name: o.name, platform: o.platform, pull: o.pull, quiet: o.quiet });
    } catch (err) {
      throw toStatusError(ctx.bin, err);
    }
    const stopForwarding = o.sigProxy ? forwardAllSignals((sig) => containerKill(client, id, sig)) : () => {};
    ctx.keepRunningOnSignal = true;
    try {
      const attach = !!(config.AttachStdin || config.AttachStdout || config.AttachStderr);
      const tty = config.Tty as boolean;
      let streamer: Promise<void> | undefined;
      let closeAttach = () => {};
      if (!attach) {
        ctx.out.write(`${id}\n`);
      } else {
        const h = await containerAttach(client, id, {
          stream: true,
          stdin: config.AttachStdin as boolean,
          stdout: config.AttachStdout as boolean,
          stderr: config.AttachStderr as boolean,
          detachKeys: o.detachKeys || ctx.config().detachKeys || '',
        });
        closeAttach = () => h.socket.destroy();
        streamer = streamHijacked(ctx, h, {
          input: config.AttachStdin as boolean,
          stdout: config.AttachStdout ? ctx.out : null,
          stderr: config.AttachStderr ? (tty ? ctx.out : ctx.err) : null,
          tty,
          detachKeys: o.detachKeys || ctx.config().detachKeys || '',
        });
        streamer.catch(() => {});
      }
      const wait = await waitExitOrRemoved(ctx, client, id, o.rm);
      try {
        await containerStart(client, id);
      } catch (err) {
        if (streamer) {
          closeAttach();
          await streamer.catch(() => {});
        }
        if (o.rm) await wait.status;
        else wait.cancel();
        throw toStatusError(ctx.bin, err);
      }
      if (!attach) {
        wait.cancel();
        return;
      }
      let stopResize = () => {};
      if (tty && ctx.out.isTTY) stopResize = monitorTtySize(ctx, (h, w) => containerResize(client, id, h, w));
      try {
        const first = await Promise.race([
          streamer!.then(
            () => ({ kind: 'stream' as const, err: undefined as unknown }),
            (err: unknown) => ({ kind: 'stream' as const, err }),
          ),
          wait.status.then((status) => ({ kind: 'wait' as const, status })),
        ]);
        let status: number;
        if (first.kind === 'stream') {
          if (first.err) {
            if (first.err instanceof EscapeError) {
              wait.cancel();
              return;
            }
            wait.cancel();
            throw first.err;
          }
          status = await wait.status;
        } else {
          if (!config.AttachStdout && !config.AttachStderr) closeAttach();
          await streamer!.catch(() => {});
          status = first.status;
        }
        if (status !== 0) throw new StatusError('', status);
      } finally {
        stopResize();
      }
    } finally {
      stopForwarding();
    }
  },
});
