import { InvalidArgumentError, NotFoundError, SystemError, UnauthorizedError } from '../../common/errors.ts';
import { familiarName, familiarString, type Reference } from '../../domain/image/reference.ts';
import { formatRegistryError } from '../../domain/registry/api-errors.ts';
import { RegistryNetworkError } from './http.ts';
import { RegistryApiError } from './repository.ts';
import { RegistryAuthError } from './session.ts';

/**
 * continueOnError: whether an endpoint's failure lets the next endpoint be tried. Transport failures always do
 * (https → http for insecure registries, a dead mirror → the next one); answers of the registry itself only on a
 * mirror; refusals of the content (verification, unsupported media types) never.
 */
export function continueOnError(err: unknown, mirror: boolean): boolean {
  if (err instanceof RegistryApiError) return err.entries.length === 0 || mirror;
  if (err instanceof RegistryNetworkError || err instanceof RegistryAuthError || err instanceof UnauthorizedError) return true;
  if (err instanceof NotFoundError) return mirror;
  if (err instanceof InvalidArgumentError) return false;
  if (err instanceof Error && err.name === 'AbortError') return false;
  return true;
}

/** translatePullError: registry answers become the errors (and statuses) dockerd gives. */
export function translatePullError(err: unknown, ref: Reference): unknown {
  if (err instanceof RegistryApiError) {
    // like Go, the first error decides (the others are only logged)
    const msg = err.entries.length ? formatRegistryError(err.entries[0]!) : err.message;
    switch (err.code) {
      case 'DENIED':
        return new NotFoundError(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${msg}`, { cause: err });
      case 'MANIFEST_UNKNOWN':
        return new NotFoundError(`manifest for ${familiarString(ref)} not found: ${msg}`, { cause: err });
      case 'NAME_UNKNOWN':
        return new NotFoundError(`repository ${familiarName(ref)} not found: ${msg}`, { cause: err });
      case 'UNAUTHORIZED':
        return new UnauthorizedError(msg, { cause: err });
      default:
        return new SystemError(msg, { cause: err });
    }
  }
  return err;
}

/** Push errors keep the registry's wording; an unauthorized answer maps to 401. */
export function translatePushError(err: unknown): unknown {
  if (err instanceof RegistryApiError) {
    const msg = err.entries.length ? formatRegistryError(err.entries[0]!) : err.message;
    if (err.code === 'UNAUTHORIZED') return new UnauthorizedError(msg, { cause: err });
    return new SystemError(msg, { cause: err });
  }
  return err;
}
