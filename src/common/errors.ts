/**
 * Error classes used everywhere inside berth. Only src/api/engine/errors.ts maps them to HTTP statuses,
 * and only the CLI maps them to exit codes. Messages are the user-facing text, Docker's wording where practical.
 */
export class BerthError extends Error {
  override name = 'BerthError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
/** 404 */
export class NotFoundError extends BerthError {
  override name = 'NotFoundError';
}
/** 400 */
export class InvalidArgumentError extends BerthError {
  override name = 'InvalidArgumentError';
}
/** 409 */
export class ConflictError extends BerthError {
  override name = 'ConflictError';
}
/** 403 */
export class ForbiddenError extends BerthError {
  override name = 'ForbiddenError';
}
/** 401 */
export class UnauthorizedError extends BerthError {
  override name = 'UnauthorizedError';
}
/** 304: the operation is a successful no-op (start a running container, stop a stopped one). */
export class NotModifiedError extends BerthError {
  override name = 'NotModifiedError';
}
/** 503 */
export class UnavailableError extends BerthError {
  override name = 'UnavailableError';
}
/** 501 */
export class NotImplementedError extends BerthError {
  override name = 'NotImplementedError';
}
/** 500, with a message meant for the user (e.g. an OCI runtime failure). */
export class SystemError extends BerthError {
  override name = 'SystemError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
