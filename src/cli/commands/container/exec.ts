/** `berth exec`: inspect → exec create → exec start (hijacked unless -d) → resize (TTY) → exec inspect for the exit code. */
import { containerInspect } from '../../../client/api/containers.ts';
import type { ExecConfig } from '../../../client/api/exec.ts';
import { execAttach, execCreate, execInspect, execResize, execStartDetached } from '../../../client/api/exec.ts';
import { ConnectionError } from '../../../client/errors.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { streamHijacked } from '../../container/hijack.ts';
import { checkTty, monitorTtySize } from '../../container/tty.ts';
import { StatusError } from '../../errors.ts';
import { boolFlag, listFlag, stringFlag } from '../../flags/spec.ts';
import { parseKvFile } from '../../opts/kvfile.ts';
import { validateEnv } from '../../opts/validators.ts';

interface Opts {
  detachKeys: string;
  interactive: boolean;
  tty: boolean;
  detach: boolean;
  user: string;
  privileged: boolean;
  env: string[];
  envFile: string[];
  workdir: string;
}

export default defineCommand<Opts>({
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  aliases: '{bin} container exec, {bin} exec',
  args: minArgs(2),
  interspersed: false,
  flags: [
    stringFlag('detach-keys', 'Override the key sequence for detaching a container'),
    boolFlag('interactive', 'Keep STDIN open even if not attached', { short: 'i' }),
    boolFlag('tty', 'Allocate a pseudo-TTY', { short: 't' }),
    boolFlag('detach', 'Detached mode: run command in the background', { short: 'd' }),
    stringFlag('user', 'Username or UID (format: "<name|uid>[:<group|gid>]")', { short: 'u' }),
    boolFlag('privileged', 'Give extended privileges to the command'),
    listFlag('env', 'Set environment variables', { short: 'e', validate: (v) => validateEnv(v, process.env) }),
    listFlag('env-file', 'Read in a file of environment variables'),
    stringFlag('workdir', 'Working directory inside the container', { short: 'w' }),
  ],
  async run(ctx, o, args) {
    const target = args[0]!;
    const envAll = [...o.envFile.flatMap((f) => parseKvFile(f, (k) => ctx.env[k])), ...o.env];
    const cfg: ExecConfig = {
      User: o.user,
      Privileged: o.privileged,
      Tty: o.tty,
      ConsoleSize: null,
      AttachStdin: !o.detach && o.interactive,
      AttachStderr: !o.detach,
      AttachStdout: !o.detach,
      Detach: o.detach,
      DetachKeys: o.detachKeys || ctx.config().detachKeys || '',
      Env: envAll.length ? envAll : null,
      WorkingDir: o.workdir,
      Cmd: args.slice(1),
    };
    const client = await ctx.client();
    await containerInspect(client, target);
    if (!cfg.Detach) checkTty(ctx, cfg.AttachStdin, cfg.Tty);
    if (cfg.Tty) cfg.ConsoleSize = ctx.out.size();
    const { Id: execId } = await execCreate(client, target, cfg);
    if (!execId) throw new Error('exec ID empty');
    if (cfg.Detach) {
      await execStartDetached(client, execId, cfg.Tty, cfg.ConsoleSize);
      return;
    }
    const h = await execAttach(client, execId, cfg.Tty, cfg.ConsoleSize);
    const streamer = streamHijacked(ctx, h, {
      input: cfg.AttachStdin,
      stdout: ctx.out,
      stderr: cfg.Tty ? ctx.out : ctx.err,
      tty: cfg.Tty,
      detachKeys: cfg.DetachKeys,
    });
    let stopResize = () => {};
    if (cfg.Tty && ctx.in.isTTY) stopResize = monitorTtySize(ctx, (hh, ww) => execResize(client, execId, hh, ww));
    try {
      await streamer;
    } finally {
      stopResize();
    }
    let r: Awaited<ReturnType<typeof execInspect>>;
    try {
      r = await execInspect(client, execId);
    } catch (err) {
      if (err instanceof ConnectionError) throw new StatusError('', -1);
      throw err;
    }
    if (r.ExitCode !== 0 && r.ExitCode !== null) throw new StatusError('', r.ExitCode);
  },
});
