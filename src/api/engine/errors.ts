import {
  BerthError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  NotImplementedError,
  NotModifiedError,
  UnauthorizedError,
  UnavailableError,
} from '../../common/errors.ts';

/** The ONE place where error classes become HTTP statuses (moby's httpstatus.FromError). */
export function statusOf(err: unknown): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof InvalidArgumentError) return 400;
  if (err instanceof ConflictError) return 409;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof UnauthorizedError) return 401;
  if (err instanceof NotModifiedError) return 304;
  if (err instanceof UnavailableError) return 503;
  if (err instanceof NotImplementedError) return 501;
  return 500;
}

export function messageOf(err: unknown): string {
  if (err instanceof BerthError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
