import { ALL_CAPABILITIES } from '../../domain/oci-spec/defaults.ts';
import { userIn } from './spec.ts';

/** The OCI user of an exec's `--user`, resolved in the container's rootfs. */
export async function resolveExecUser(rootfs: string, spec: string): Promise<{ uid: number; gid: number; additionalGids: number[] }> {
  const u = await userIn(rootfs, spec);
  return { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
}

export function allCapabilities(): string[] {
  return [...ALL_CAPABILITIES];
}
