/**
 * Container logs for `docker logs` and `attach?logs=1`. The container's output is written by conmon in its
 * k8s-file format; this contract covers keeping the rotated files (Docker's json-file `max-size`/`max-file`) and
 * reading them back. Paths are plain: one log path per container, the rotated files live next to it.
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
  /** Stops watching (after one last pass that keeps the newest file). */
  close(): Promise<void>;
}

export interface ContainerLogs {
  /**
   * Before conmon starts (also on a restart): makes sure the existing files are kept, and starts a new file if
   * the current one is already full. Returns what conmon gets as `--log-size-max` (RuntimeCreateOptions.logSizeMax).
   */
  prepare(logPath: string, config: LogConfig): Promise<{ logSizeMax: number }>;
  /** While the container runs: keeps `maxFile` files as conmon starts new ones. Also after a daemon restart. */
  track(logPath: string, config: LogConfig): LogTracker;
  read(logPath: string, opts: LogReadOptions): AsyncIterable<LogEntry>;
  /** Removes the log and its rotated files (docker rm). */
  remove(logPath: string): Promise<void>;
}
