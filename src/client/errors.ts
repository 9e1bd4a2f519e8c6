/** Errors raised by the Engine API client, worded as the docker client words them. */

/** The daemon answered with an error status. `message` is what the CLI prints. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  /** The daemon's own message (the `message` field of the JSON body, trimmed). */
  readonly detail: string;
  constructor(status: number, detail: string) {
    super(`Error response from daemon: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

/** The daemon could not be reached (docker's errConnectionFailed). */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

export function connectionFailed(hostUrl: string): ConnectionError {
  return new ConnectionError(`Cannot connect to the berth daemon at ${hostUrl}. Is the berth daemon running?`);
}

/** Maps a socket-level error to docker's wording. */
export function transportError(err: NodeJS.ErrnoException, hostUrl: string, method: string, url: string): Error {
  const code = err.code ?? '';
  if (code === 'EACCES' || code === 'EPERM') {
    return new ConnectionError(
      `permission denied while trying to connect to the berth daemon socket at ${hostUrl}: ${method} ${JSON.stringify(url)}: ${err.message}`,
    );
  }
  if (['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTSOCK', 'ECONNRESET', 'EPIPE'].includes(code)) {
    return connectionFailed(hostUrl);
  }
  if (/wrong version number|packet length too long|HPE_INVALID_CONSTANT|Parse Error/i.test(err.message)) {
    return new ConnectionError(`error during connect: ${err.message}.\n* Are you trying to connect to a TLS-enabled daemon without TLS?`);
  }
  return new ConnectionError(`error during connect: ${method} ${JSON.stringify(url)}: ${err.message}`);
}
