import type { Ctx } from '../../common/ctx.ts';

/**
 * The container runtime contract: conmon + an OCI runtime (crun or runc). One conmon per container monitors the
 * process, keeps stdio, writes the log file and the exit file; containers outlive the daemon.
 *
 * Paths: every container has a bundle dir (config.json + rootfs path) and a runtime dir for conmon's files
 * (pidfile, conmon pidfile, attach socket, ctl/winsz fifos, exit file). Both are created by the caller.
 */
export interface RuntimeCreateOptions {
  id: string;
  /** Directory holding config.json (the OCI spec, written by the caller). */
  bundle: string;
  /** Directory for conmon's runtime files: container pid file, conmon pid file, exit dir, attach socket dir. */
  runtimeDir: string;
  /** Log file; the format is conmon's k8s-file ("<RFC3339Nano> stdout|stderr F|P <text>"). */
  logPath: string;
  /** Bytes after which the log is rotated (0 = unlimited). */
  logSizeMax: number;
  tty: boolean;
  /** Keep the container's stdin open (docker -i). */
  openStdin: boolean;
  /** OCI runtime name from the daemon's runtimes table, resolved to a path by the driver. */
  runtimePath: string;
}

export interface CreatedContainer {
  /** Host pid of the container's init process (in the "created" state: namespaces exist, the process waits). */
  pid: number;
  conmonPid: number;
}

export interface ExecOptions {
  containerId: string;
  execId: string;
  bundle: string;
  runtimeDir: string;
  runtimePath: string;
  /** The OCI process spec (args, env, cwd, user, terminal, capabilities …). */
  process: Record<string, unknown>;
  tty: boolean;
  openStdin: boolean;
}

export interface ContainerState {
  status: 'created' | 'running' | 'paused' | 'stopped' | 'unknown';
  pid: number;
}

export interface AttachStreams {
  /** Output of the container: `stream` 1 = stdout, 2 = stderr (with a TTY everything is 1). */
  onData(cb: (stream: 1 | 2, data: Buffer) => void): void;
  onClose(cb: () => void): void;
  /** Writes to the container's stdin (only if it was created with openStdin). */
  write(data: Buffer): void;
  /** Closes the container's stdin (docker's StdinOnce / client half-close). */
  closeStdin(): void;
  /** Stops receiving; the container keeps running. */
  close(): void;
}

export interface ContainerRuntime {
  /**
   * Starts conmon, which runs `<runtime> create`; resolves once the container exists in the "created" state.
   * On failure nothing is left behind (runtime state deleted, conmon gone). The error message carries the
   * OCI runtime's own text (the CLI maps "no such file or directory" to 127, "permission denied" to 126).
   */
  create(ctx: Ctx, opts: RuntimeCreateOptions): Promise<CreatedContainer>;
  /** `<runtime> start`: the process runs the user's command. */
  start(ctx: Ctx, id: string, runtimePath: string): Promise<void>;
  kill(ctx: Ctx, id: string, runtimePath: string, signal: string | number, all?: boolean): Promise<void>;
  pause(ctx: Ctx, id: string, runtimePath: string): Promise<void>;
  resume(ctx: Ctx, id: string, runtimePath: string): Promise<void>;
  /** Removes the runtime's state (`delete --force`). Idempotent. */
  delete(ctx: Ctx, id: string, runtimePath: string): Promise<void>;
  state(ctx: Ctx, id: string, runtimePath: string): Promise<ContainerState | undefined>;
  /**
   * Waits for the container's exit: resolves with the exit code when conmon writes the exit file
   * (also if that happened before the call, e.g. while the daemon was down).
   */
  waitExit(id: string, runtimeDir: string, signal?: AbortSignal): Promise<number>;
  /** Reads the exit file if it exists (exit code), else undefined. */
  readExit(id: string, runtimeDir: string): Promise<number | undefined>;
  /** Connects to conmon's attach socket. Output produced before the connect is still delivered. */
  attach(ctx: Ctx, id: string, runtimeDir: string): Promise<AttachStreams>;
  resize(id: string, runtimeDir: string, height: number, width: number): Promise<void>;
  /**
   * Runs an exec process under its own conmon (`conmon --exec`); resolves when it has started with its pid,
   * a stream handle (attach) and a promise of its exit code.
   */
  exec(ctx: Ctx, opts: ExecOptions): Promise<{ pid: number; streams: AttachStreams; exit: Promise<number>; resize(h: number, w: number): Promise<void> }>;
}
