import type { Ctx } from '../../common/ctx.ts';

/**
 * The container runtime contract: conmon + an OCI runtime (crun or runc). One conmon per container monitors the
 * process, keeps stdio, writes the log file and the exit file; containers outlive the daemon.
 *
 * Paths: every container has a bundle dir (config.json + rootfs path) and a runtime dir for conmon's files
 * (pidfile, conmon pidfile, exits/<id>, a `bundle` symlink). Both are created by the caller; they may be the same
 * directory. conmon puts its attach socket and ctl/winsz FIFOs in the bundle dir. Each exec gets
 * `<runtimeDir>/exec-<execId>/`, created and removed by the driver.
 */
export interface RuntimeCreateOptions {
  id: string;
  /** Directory holding config.json (the OCI spec, written by the caller). */
  bundle: string;
  /** Directory for conmon's runtime files: container pid file, conmon pid file, exit dir, attach socket dir. */
  runtimeDir: string;
  /** Log file; the format is conmon's k8s-file ("<RFC3339Nano> stdout|stderr F|P <text>"). */
  logPath: string;
  /**
   * Bytes after which conmon reopens its log by itself (0 = never): with daemon-driven rotation (reopenLog) only a
   * backstop far above max-size, for while no daemon watches; the logging driver keeps the older files (see
   * src/drivers/logging). An empty logPath means no log (`--log-driver none`).
   */
  logSizeMax: number;
  tty: boolean;
  /** Keep the container's stdin open (docker -i). */
  openStdin: boolean;
  /**
   * Docker's StdinOnce: the container's stdin is closed when the first attached client closes its stdin
   * (`AttachStreams.closeStdin()`) or disconnects. Default true. With `false` (docker run -d -i) stdin stays open
   * across attach sessions and `closeStdin()` only ends that client's input.
   */
  stdinOnce?: boolean;
  /**
   * OCI runtime name from the daemon's runtimes table ("crun", "runc"), resolved to a path by the driver; an
   * absolute path is accepted too. Every other method takes the same value.
   */
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
  /** Called once, after the last data: the process ended (conmon closed the socket) or close() was called. */
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
   * OCI runtime's own text in runc's words, with crun too (the CLI maps "no such file or directory" to 127,
   * "permission denied" to 126), framed as dockerd 20.10 frames it: a process that cannot be executed is an
   * InvalidArgumentError ("failed to create shim task: OCI runtime create failed: runc create failed: unable to
   * start container process: exec: "/x": stat /x: no such file or directory: unknown"; both crun and runc report
   * it here, not at start), anything else a SystemError. classifyStartError (src/domain/oci-spec) gives the exit
   * code dockerd records (127/126).
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
  /**
   * Connects to conmon's attach socket. conmon passes output only to the clients connected when it reads it (the
   * log file has everything): attach after `create` and before `start` to see all of it. Works for a container
   * created by an earlier daemon process.
   */
  attach(ctx: Ctx, id: string, runtimeDir: string): Promise<AttachStreams>;
  /** Sets the TTY size (conmon's ctl FIFO). Fails if conmon is gone. */
  resize(id: string, runtimeDir: string, height: number, width: number): Promise<void>;
  /**
   * Asks the container's monitor to reopen its log file (conmon's ctl FIFO, message 2): it opens `<log>.tmp`
   * (O_CREAT|O_TRUNC), renames it over `<log>` and writes there from then on. Resolves once the request is queued;
   * conmon acts on it in its main loop, between two pieces of output, so no byte is split or lost. One request, one
   * reopen: the caller asks again only after it saw the rename. Fails (SystemError) if conmon is not listening
   * (not created yet, or gone). Works for a container created by an earlier daemon process.
   */
  reopenLog(id: string, runtimeDir: string): Promise<void>;
  /**
   * Runs an exec process under its own conmon (`conmon --exec --exec-attach`); resolves when it has started with
   * its pid, a stream handle (connected before the process runs, so no output is lost) and a promise of its exit
   * code. A process that cannot be executed rejects with InvalidArgumentError ("OCI runtime exec failed: exec
   * failed: unable to start container process: exec: "x": executable file not found in $PATH: unknown", dockerd's
   * text; classifyStartError in src/domain/oci-spec gives 126/127).
   */
  exec(ctx: Ctx, opts: ExecOptions): Promise<{ pid: number; streams: AttachStreams; exit: Promise<number>; resize(h: number, w: number): Promise<void> }>;
}
