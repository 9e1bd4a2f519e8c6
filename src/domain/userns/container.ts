import { InvalidArgumentError } from '../../common/errors.ts';

/** The HostConfig fields that decide a container's user namespace. */
export interface UsernsHostConfig {
  UsernsMode?: string;
  Privileged?: boolean;
  NetworkMode?: string;
  PidMode?: string;
}

/** With a remapping daemon, a container gets a user namespace unless it asks for the host's (`--userns=host`). */
export function usesUserns(h: UsernsHostConfig, remapping: boolean): boolean {
  return remapping && h.UsernsMode !== 'host';
}

/**
 * dockerd's checks of a container against a remapping daemon (verifyPlatformContainerSettings): privileged mode,
 * the host's network and the host's PID namespace need `--userns=host`. Docker's messages, double space included.
 */
export function verifyUsernsSettings(h: UsernsHostConfig, remapping: boolean): void {
  if (!usesUserns(h, remapping)) return;
  if (h.Privileged) throw new InvalidArgumentError('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
  if (h.NetworkMode === 'host') throw new InvalidArgumentError("cannot share the host's network namespace when user namespaces are enabled");
  if (h.PidMode === 'host') throw new InvalidArgumentError('cannot share the host PID namespace when user namespaces are enabled');
}

/**
 * The user namespace a container must join when it joins another container's network, IPC or PID namespace
 * (`/proc/<pid>/ns/net` → `/proc/<pid>/ns/user`): namespaces it shares must belong to the same user namespace.
 * The last one wins, as dockerd's setNamespace does (network, then IPC, then PID).
 */
export function joinedUserns(paths: readonly (string | undefined)[]): string | undefined {
  let out: string | undefined;
  for (const p of paths) {
    const m = p ? /^\/proc\/(\d+)\/ns\/[a-z]+$/.exec(p) : null;
    if (m) out = `/proc/${m[1]}/ns/user`;
  }
  return out;
}
