import { probeHostSecurity } from './security.ts';
import { userIn } from './spec.ts';

/** The OCI user of an exec's `--user`, resolved in the container's rootfs. */
export async function resolveExecUser(rootfs: string, spec: string): Promise<{ uid: number; gid: number; additionalGids: number[] }> {
  const u = await userIn(rootfs, spec);
  return { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
}

/** What `docker exec --privileged` gets: every capability the daemon holds (as `run --privileged`). */
export function allCapabilities(): string[] {
  return probeHostSecurity().caps;
}
