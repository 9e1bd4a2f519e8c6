import { SystemError } from '../../common/errors.ts';

/**
 * conmon 2.1.x command lines (pure). conmon runs `<runtime> [--runtime-arg…] create --bundle B --pid-file P ID`
 * (or `exec --pid-file P --process F --detach [--tty] ID`), keeps the container's stdio, writes the k8s-file log,
 * serves the attach socket (`<bundle>/attach` with --full-attach) and the `ctl`/`winsz` FIFOs in the bundle dir,
 * and writes `<exit-dir>/<cid>` with the exit code.
 */
export interface ConmonCreateArgs {
  id: string;
  runtimePath: string;
  /** Global runtime arguments, e.g. `--root=<dir>` (each becomes one `--runtime-arg=`). */
  runtimeArgs: string[];
  bundle: string;
  pidFile: string;
  conmonPidFile: string;
  exitDir: string;
  /** k8s-file path, or '' for no log ("none"). Must not contain ':' (conmon splits driver:path on it). */
  logPath: string;
  /** Bytes after which conmon starts a new log file; 0 or less = unlimited. */
  logSizeMax: number;
  tty: boolean;
  openStdin: boolean;
  /** Keep the container's stdin open when an attached client disconnects (Docker's OpenStdin without StdinOnce). */
  leaveStdinOpen: boolean;
}

function logArgs(logPath: string): string[] {
  if (logPath === '') return ['-l', 'none'];
  if (logPath.includes(':')) throw new SystemError(`conmon log path must not contain ':': ${logPath}`);
  return ['-l', `k8s-file:${logPath}`];
}

export function conmonCreateArgs(a: ConmonCreateArgs): string[] {
  const args = [
    '--api-version',
    '1',
    '-c',
    a.id,
    '-u',
    a.id,
    '-n',
    a.id,
    '-r',
    a.runtimePath,
    ...a.runtimeArgs.map((r) => `--runtime-arg=${r}`),
    '-b',
    a.bundle,
    '-p',
    a.pidFile,
    '-P',
    a.conmonPidFile,
    ...logArgs(a.logPath),
    '--exit-dir',
    a.exitDir,
    '--full-attach',
    '--socket-dir-path',
    a.bundle,
    '--no-sync-log',
  ];
  if (a.logSizeMax > 0) args.push('--log-size-max', String(a.logSizeMax));
  if (a.tty) args.push('-t');
  if (a.openStdin) args.push('-i');
  if (a.openStdin && a.leaveStdinOpen) args.push('--leave-stdin-open');
  return args;
}

export interface ConmonExecArgs {
  containerId: string;
  execId: string;
  runtimePath: string;
  runtimeArgs: string[];
  /** The exec's own directory: attach socket, ctl/winsz FIFOs, pid file, exit file. */
  execDir: string;
  processSpecPath: string;
  tty: boolean;
  openStdin: boolean;
}

/** `conmon --exec --exec-attach`: conmon waits on the start pipe twice (before forking, and before the exec). */
export function conmonExecArgs(a: ConmonExecArgs): string[] {
  const args = [
    '--api-version',
    '1',
    '-c',
    a.containerId,
    '-u',
    a.execId,
    '-n',
    a.execId,
    '-r',
    a.runtimePath,
    ...a.runtimeArgs.map((r) => `--runtime-arg=${r}`),
    '-b',
    a.execDir,
    '-p',
    `${a.execDir}/pid`,
    '-P',
    `${a.execDir}/conmon.pid`,
    '-l',
    'none',
    '--exit-dir',
    `${a.execDir}/exit`,
    '--full-attach',
    '--socket-dir-path',
    a.execDir,
    '-e',
    '--exec-attach',
    '--exec-process-spec',
    a.processSpecPath,
  ];
  if (a.tty) args.push('-t');
  if (a.openStdin) args.push('-i');
  return args;
}
