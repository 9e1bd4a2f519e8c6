/**
 * The CLI's error → exit-code mapping (docker's cli.StatusError). A StatusError carries the text to print on
 * stderr (may be empty: nothing is printed) and the exit status; any other error prints its message and exits 1.
 */
export class StatusError extends Error {
  override name = 'StatusError';
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** Exit status for an error thrown by a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof StatusError && err.status !== 0) return err.status;
  return 1;
}

/** A cancelled operation (a prompt answered "no"): docker prints nothing and exits 0. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}
