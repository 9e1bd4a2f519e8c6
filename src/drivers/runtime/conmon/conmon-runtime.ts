import { mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Ctx } from '../../../common/ctx.ts';
import { InvalidArgumentError, SystemError, errorMessage } from '../../../common/errors.ts';
import { conmonCreateArgs, conmonExecArgs } from '../../../system/conmon/args.ts';
import { type AttachConnection, connectAttach } from '../../../system/conmon/attach.ts';
import { REOPEN_LOGS_EVENT, WIN_RESIZE_EVENT, writeCtl, writeCtlSync } from '../../../system/conmon/ctl.ts';
import { ConmonProcess } from '../../../system/conmon/process.ts';
import { OciRuntimeCli } from '../../../system/oci-runtime/cli.ts';
import { runtimeErrorText } from '../../../system/oci-runtime/errors.ts';
import { DEFAULT_RUNTIMES } from '../../../system/oci-runtime/probe.ts';
import type {
  AttachStreams,
  ContainerRuntime,
  ContainerState,
  CreatedContainer,
  ExecOptions,
  RuntimeCreateOptions,
} from '../contract.ts';
import { readExitFile, waitExitFile } from './exit-file.ts';
import { startError } from './start-error.ts';

export interface ConmonRuntimeOptions {
  /** Directory under which every OCI runtime keeps its state: `<stateRoot>/runtime-<name>` (its `--root`). */
  stateRoot: string;
  /** Runtime name → binary (the daemon's `runtimes` table); default crun and runc from Debian. */
  runtimes?: Record<string, string>;
  conmonPath?: string;
}

/**
 * Files of one container in its runtime dir:
 *   pidfile        the container's init pid (written by the runtime)
 *   conmon.pid     the conmon monitor's pid
 *   exits/<id>     the exit code (conmon, when the container's init exits)
 *   bundle ->      symlink to the bundle dir, where conmon keeps `attach` (SEQPACKET), `ctl` and `winsz` (FIFOs)
 *   exec-<execId>/ one dir per running exec (process.json, pid, attach, ctl, winsz, exit/)
 */
const paths = (runtimeDir: string, id: string) => ({
  pidFile: `${runtimeDir}/pidfile`,
  conmonPidFile: `${runtimeDir}/conmon.pid`,
  exitDir: `${runtimeDir}/exits`,
  exitFile: `${runtimeDir}/exits/${id}`,
  bundleLink: `${runtimeDir}/bundle`,
});

/** How long an aborted create may still take before conmon is cut off (a runtime create that hangs). */
const ABORT_GRACE_MS = 10_000;

/**
 * ContainerRuntime on conmon + an OCI runtime (crun or runc). Hot path of a container start: one exec of conmon
 * (which runs `<runtime> create`), one exec of `<runtime> start`; exits are seen through an inotify watch on the
 * exit dir, never by polling. Containers outlive the daemon: a new ConmonRuntime finds them through the same dirs.
 */
export class ConmonRuntime implements ContainerRuntime {
  readonly #stateRoot: string;
  readonly #runtimes: Record<string, string>;
  readonly #conmon: string;
  readonly #clis = new Map<string, OciRuntimeCli>();

  constructor(opts: ConmonRuntimeOptions) {
    this.#stateRoot = opts.stateRoot;
    this.#runtimes = opts.runtimes ?? { ...DEFAULT_RUNTIMES };
    this.#conmon = opts.conmonPath ?? '/usr/bin/conmon';
  }

  /** The runtime CLI for a name from the runtimes table or an absolute path; its `--root` is per runtime. */
  cli(runtime: string): OciRuntimeCli {
    let c = this.#clis.get(runtime);
    if (c) return c;
    let name: string;
    let path: string;
    if (runtime.includes('/')) {
      path = runtime;
      name = Object.entries(this.#runtimes).find(([, p]) => p === runtime)?.[0] ?? basename(runtime);
    } else {
      const p = this.#runtimes[runtime];
      if (!p) throw new InvalidArgumentError(`unknown or invalid runtime name: ${runtime}`);
      name = runtime;
      path = p;
    }
    c = new OciRuntimeCli(path, `${this.#stateRoot}/runtime-${name}`);
    this.#clis.set(runtime, c);
    return c;
  }

  async create(ctx: Ctx, opts: RuntimeCreateOptions): Promise<CreatedContainer> {
    const cli = this.cli(opts.runtimePath);
    const p = paths(opts.runtimeDir, opts.id);
    await Promise.all([
      mkdir(p.exitDir, { recursive: true }).then(() => rm(p.exitFile, { force: true })),
      rm(p.pidFile, { force: true }),
      rm(p.conmonPidFile, { force: true }),
      replaceSymlink(opts.bundle, p.bundleLink),
    ]);
    const args = conmonCreateArgs({
      id: opts.id,
      runtimePath: cli.path,
      runtimeArgs: cli.globalArgs(),
      bundle: opts.bundle,
      pidFile: p.pidFile,
      conmonPidFile: p.conmonPidFile,
      exitDir: p.exitDir,
      logPath: opts.logPath,
      logSizeMax: opts.logSizeMax,
      tty: opts.tty,
      openStdin: opts.openStdin,
      leaveStdinOpen: opts.openStdin && opts.stdinOnce === false,
    });
    ctx.log.debug('conmon create', { id: opts.id, runtime: cli.name });
    const proc = ConmonProcess.spawn(this.#conmon, args, { cwd: opts.runtimeDir, execAttach: false });
    // An abort lets the runtime's create finish first (it takes ~0.1 s), then undoes it: cutting conmon off
    // half-way left a runtime state that appeared after the cleanup had looked (conmon had not yet written its
    // pid file, and its runtime create went on). Only a create that hangs is cut off, after a grace period.
    let abortTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      abortTimer = setTimeout(() => proc.close(), ABORT_GRACE_MS);
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      ctx.signal?.throwIfAborted();
      const msg = await proc.nextSync();
      if (msg.data <= 0) {
        const cmd = await processArg0(opts.bundle);
        throw startError('create', cli.name, runtimeErrorText(cli.name, msg.message ?? '', 'create', cmd), cmd);
      }
      await proc.parentExit;
      const conmonPid = await readPid(p.conmonPidFile);
      if (conmonPid === undefined) throw new SystemError(`conmon did not write ${p.conmonPidFile}`);
      ctx.signal?.throwIfAborted();
      return { pid: msg.data, conmonPid };
    } catch (err) {
      await this.#undoCreate(ctx, cli, opts, proc);
      if (err instanceof InvalidArgumentError || err instanceof SystemError) throw err;
      ctx.signal?.throwIfAborted();
      throw new SystemError(`OCI runtime create failed: ${errorMessage(err)}`, { cause: err });
    } finally {
      clearTimeout(abortTimer);
      ctx.signal?.removeEventListener('abort', onAbort);
      proc.close();
    }
  }

  /** A failed create leaves nothing: no conmon, no runtime state, no exit or pid file. */
  async #undoCreate(ctx: Ctx, cli: OciRuntimeCli, opts: RuntimeCreateOptions, proc: ConmonProcess): Promise<void> {
    const p = paths(opts.runtimeDir, opts.id);
    await proc.parentExit;
    const conmonPid = await readPid(p.conmonPidFile);
    if (conmonPid !== undefined && (await isConmonOf(conmonPid, opts.id))) {
      try {
        process.kill(conmonPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      // not cancellable: the cleanup must run even when the create was aborted
      await cli.delete({ log: ctx.log }, opts.id);
    } catch (err) {
      ctx.log.warn('runtime delete after a failed create', { id: opts.id, error: errorMessage(err) });
    }
    await Promise.all([rm(p.exitFile, { force: true }), rm(p.pidFile, { force: true }), rm(p.conmonPidFile, { force: true })]);
  }

  async start(ctx: Ctx, id: string, runtimePath: string): Promise<void> {
    await this.cli(runtimePath).start(ctx, id);
  }

  async kill(ctx: Ctx, id: string, runtimePath: string, signal: string | number, all = false): Promise<void> {
    await this.cli(runtimePath).kill(ctx, id, signal, all);
  }

  async pause(ctx: Ctx, id: string, runtimePath: string): Promise<void> {
    await this.cli(runtimePath).pause(ctx, id);
  }

  async resume(ctx: Ctx, id: string, runtimePath: string): Promise<void> {
    await this.cli(runtimePath).resume(ctx, id);
  }

  async delete(ctx: Ctx, id: string, runtimePath: string): Promise<void> {
    await this.cli(runtimePath).delete(ctx, id);
  }

  async state(ctx: Ctx, id: string, runtimePath: string): Promise<ContainerState | undefined> {
    const s = await this.cli(runtimePath).state(ctx, id);
    if (!s) return undefined;
    const status = s.status === 'creating' ? 'created' : s.status;
    return { status: ['created', 'running', 'paused', 'stopped'].includes(status) ? status : 'unknown', pid: s.pid };
  }

  waitExit(id: string, runtimeDir: string, signal?: AbortSignal): Promise<number> {
    return waitExitFile(paths(runtimeDir, id).exitDir, id, signal);
  }

  readExit(id: string, runtimeDir: string): Promise<number | undefined> {
    return readExitFile(paths(runtimeDir, id).exitFile);
  }

  async attach(_ctx: Ctx, id: string, runtimeDir: string): Promise<AttachStreams> {
    try {
      return streams(await connectAttach(paths(runtimeDir, id).bundleLink));
    } catch (err) {
      throw new SystemError(`cannot attach to container ${id}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async resize(id: string, runtimeDir: string, height: number, width: number): Promise<void> {
    try {
      await writeCtl(paths(runtimeDir, id).bundleLink, WIN_RESIZE_EVENT, height, width);
    } catch (err) {
      throw new SystemError(`cannot resize the TTY of container ${id}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async reopenLog(id: string, runtimeDir: string): Promise<void> {
    try {
      // synchronous on purpose: see writeCtlSync
      writeCtlSync(paths(runtimeDir, id).bundleLink, REOPEN_LOGS_EVENT);
    } catch (err) {
      throw new SystemError(`cannot reopen the log of container ${id}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async exec(
    ctx: Ctx,
    o: ExecOptions,
  ): Promise<{ pid: number; streams: AttachStreams; exit: Promise<number>; resize(h: number, w: number): Promise<void> }> {
    const cli = this.cli(o.runtimePath);
    const execDir = `${o.runtimeDir}/exec-${o.execId}`;
    await rm(execDir, { recursive: true, force: true });
    await mkdir(`${execDir}/exit`, { recursive: true });
    const specPath = `${execDir}/process.json`;
    await writeFile(specPath, JSON.stringify({ ...o.process, terminal: o.tty }));
    const args = conmonExecArgs({
      containerId: o.containerId,
      execId: o.execId,
      runtimePath: cli.path,
      runtimeArgs: cli.globalArgs(),
      execDir,
      processSpecPath: specPath,
      tty: o.tty,
      openStdin: o.openStdin,
    });
    const proc = ConmonProcess.spawn(this.#conmon, args, { cwd: execDir, execAttach: true });
    const onAbort = () => proc.close();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    let conn: AttachConnection | undefined;
    const cleanup = async () => {
      proc.close();
      await rm(execDir, { recursive: true, force: true });
    };
    try {
      proc.releaseStart();
      await proc.attachReady();
      conn = await connectAttach(execDir);
      proc.releaseStart();
      const msg = await proc.nextSync();
      if (msg.data <= 0) {
        const cmd = String((o.process.args as unknown[] | undefined)?.[0] ?? '');
        throw startError('exec', cli.name, runtimeErrorText(cli.name, msg.message ?? '', 'exec', cmd), cmd);
      }
      const exit = proc.nextSync().then(
        async (m) => {
          await cleanup();
          return m.data;
        },
        async (err: unknown) => {
          const code = await readExitFile(`${execDir}/exit/${o.containerId}`);
          await cleanup();
          if (code !== undefined) return code;
          throw new SystemError(`exec ${o.execId}: ${errorMessage(err)}`);
        },
      );
      exit.catch(() => {});
      return {
        pid: msg.data,
        streams: streams(conn),
        exit,
        resize: (h: number, w: number) => writeCtl(execDir, WIN_RESIZE_EVENT, h, w),
      };
    } catch (err) {
      conn?.close();
      await proc.parentExit;
      // an exec whose setup failed or was aborted must not run on unattended
      const monitor = await readPid(`${execDir}/conmon.pid`);
      if (monitor !== undefined && (await isConmonOf(monitor, o.execId))) {
        try {
          process.kill(monitor, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await cleanup();
      if (err instanceof InvalidArgumentError || err instanceof SystemError) throw err;
      ctx.signal?.throwIfAborted();
      throw new SystemError(`OCI runtime exec failed: ${errorMessage(err)}`, { cause: err });
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** writeCtl's message (`"<type> 0 0\n"` on `<dir>/ctl`), written at once; fails with ENXIO/ENOENT without conmon. */
function streams(c: AttachConnection): AttachStreams {
  return {
    onData: (cb) => c.onData(cb),
    onClose: (cb) => c.onClose(cb),
    write: (d) => c.write(d),
    closeStdin: () => c.closeStdin(),
    close: () => c.close(),
  };
}

async function processArg0(bundle: string): Promise<string> {
  try {
    const spec = JSON.parse(await readFile(`${bundle}/config.json`, 'utf8')) as { process?: { args?: string[] } };
    const args = spec.process?.args ?? [];
    // with --init the user's command follows "--"
    const i = args.indexOf('--');
    return (i >= 0 && args[0]?.endsWith('docker-init') ? args[i + 1] : args[0]) ?? '';
  } catch {
    return '';
  }
}

async function readPid(path: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isNaN(n) || n <= 0 ? undefined : n;
  } catch {
    return undefined;
  }
}

/** Guards against pid reuse: the process must be conmon and carry the container id on its command line. */
async function isConmonOf(pid: number, id: string): Promise<boolean> {
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return basename(argv[0] ?? '') === 'conmon' && argv.includes(id);
  } catch {
    return false;
  }
}

async function replaceSymlink(target: string, link: string): Promise<void> {
  try {
    if ((await readlink(link)) === target) return;
  } catch {
    // missing or not a link
  }
  await rm(link, { force: true, recursive: false });
  await symlink(target, link);
}
