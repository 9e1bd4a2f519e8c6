import { BerthError, ConflictError, SystemError, errorMessage } from '../../common/errors.ts';
import { parseRestartPolicy } from '../../domain/container/normalize.ts';
import { type CgroupCaps, type Resources, mergeUpdate, parseResources, verifyResources } from '../../domain/container/resources.ts';
import type { ContainerRecord, HostConfig } from '../../domain/container/types.ts';

/** dockerd's wrapping of every `docker update` failure. */
export function cannotUpdate(id: string, err: unknown): BerthError {
  const E = err instanceof BerthError ? (err.constructor as typeof BerthError) : SystemError;
  return new E(`Cannot update container ${id}: ${errorMessage(err)}`);
}

/**
 * What a `docker update` body does to a container (dockerd's ContainerUpdate + UpdateContainer): the request's
 * resources checked, merged over the container's, and the restart policy. Throws with dockerd's messages.
 */
export function planUpdate(rec: ContainerRecord, body: Record<string, unknown>, caps: CgroupCaps): { hostConfig: HostConfig; request: Resources; warnings: string[] } {
  if (rec.State.Status === 'removing' || rec.State.Dead) throw new ConflictError(`Cannot update container ${rec.Id}: container is marked for removal and cannot be "update"`);
  const request = parseResources(body);
  const warnings = verifyResources(request, caps, true);
  const rp = body.RestartPolicy !== undefined && body.RestartPolicy !== null ? parseRestartPolicy(body.RestartPolicy) : undefined;
  const hostConfig = structuredClone(rec.HostConfig);
  try {
    Object.assign(hostConfig, mergeUpdate(parseResources(rec.HostConfig), request));
    if (rp && (body.RestartPolicy as { Name?: string }).Name) {
      if (rec.HostConfig.AutoRemove && rp.Name !== 'no') throw new ConflictError('Restart policy cannot be updated because AutoRemove is enabled for the container');
      hostConfig.RestartPolicy = rp;
    }
  } catch (err) {
    throw cannotUpdate(rec.Id, err);
  }
  return { hostConfig, request, warnings };
}
