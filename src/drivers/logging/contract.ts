/**
 * Container logs for `docker logs` and `attach?logs=1`. The container's output is written by conmon in its
 * k8s-file format; this contract covers rotating and keeping the files (Docker's json-file `max-size`/`max-file`)
 * and reading them back. Paths are plain: one log path per container, the rotated files live next to it.
 *
 * Rotation is driven by the daemon: the tracker watches the log's size and, when it reaches max-size, asks the
 * writer (conmon) to reopen its log (`reopen`), once per rotation, after the file to be replaced has a name of its
 * own. So no byte the container writes is lost, however fast it writes; a file may pass max-size by what the
 * container writes while the request is on its way.
 */
export interface LogConfig {
  /** Bytes after which a new file is started; 0 = unlimited (no rotation). */
  maxSize: number;
  /** Files kept, the current one included (≥ 1). */
  maxFile: number;
  /** gzip the rotated files (`<log>.<seq>.gz`); readers read them too. */
  compress?: boolean;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** Nanoseconds since the Unix epoch. */
  timeNs: bigint;
  /** Docker's `timestamps=1` form: RFC3339 with 9 fraction digits, UTC ("2026-11-23T12:36:54.529088003Z"). */
  time: string;
  /** The bytes the container wrote: a whole line with its "\n", or a piece of one when `partial`. */
  data: Buffer;
  /** No newline yet (the container wrote a partial line, and a follow reader caught up with it). */
  partial: boolean;
}

export interface LogReadOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** Only the last N lines (counted before the stream filter, as dockerd does); undefined or 'all' = all. */
  tail?: number | 'all';
  /** Only entries at or after this time (ns since the epoch); 0n/undefined = no limit. */
  sinceNs?: bigint;
  /** Only entries at or before this time; a follow read ends when it passes it. */
  untilNs?: bigint;
  /** Keep reading as the container writes (docker logs -f). */
  follow?: boolean;
  /** A follow read ends when this settles (the container stopped): what is written by then is still read. */
  stopped?: Promise<unknown>;
  signal?: AbortSignal;
}

export interface LogTracker {
  /**
   * Stops watching, after one last pass (numbering, pruning, compression). `stopped`: the container's output has
   * ended (its conmon is gone), so the file staged for the next rotation is removed too; without it (daemon
   * shutdown, live restore) the files stay as the running conmon needs them.
   */
  close(opts?: { stopped?: boolean }): Promise<void>;
}

export interface ContainerLogs {
  /**
   * Before conmon starts (also on a restart): makes sure the existing files are kept, and starts a new file if
   * the current one is already full. Returns what conmon gets as `--log-size-max` (RuntimeCreateOptions.logSizeMax):
   * 0 without rotation, else a backstop well above max-size, for while no daemon tracks the log (rotation itself
   * is the tracker's).
   */
  prepare(logPath: string, config: LogConfig): Promise<{ logSizeMax: number }>;
  /**
   * While the container runs (from after its create, also after a daemon restart): rotates the log at max-size
   * through `reopen` (ContainerRuntime.reopenLog: conmon opens `<log>.tmp` and renames it over `<log>`), keeps
   * `maxFile` files and compresses the rotated ones when asked. `reopen` may fail (conmon not there yet or gone):
   * the tracker asks again on the next write.
   */
  track(logPath: string, config: LogConfig, reopen: () => Promise<void>): LogTracker;
  read(logPath: string, opts: LogReadOptions): AsyncIterable<LogEntry>;
  /** Removes the log and its rotated files (docker rm). */
  remove(logPath: string): Promise<void>;
}
