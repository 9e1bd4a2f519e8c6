import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type UsernsHostConfig, usesUserns } from '../../domain/userns/container.ts';
import { type IdentityMapping, isEmptyMapping, rootPair } from '../../domain/userns/id-map.ts';

/** The mode of a runtime dir: root only, or root plus a search bit for the remapped root's group. */
export function runtimeDirMode(group: number | undefined): number {
  return group === undefined ? 0o700 : 0o710;
}

/**
 * The group that must get through a container's runtime dir: the remapped root's (its host gid) when the
 * container runs in a user namespace, else none. crun and runc mount the rootfs (`<runtime dir>/rootfs`) from
 * inside the new user namespace, where path lookups are checked against the remapped root, which owns nothing
 * on the way there (containerd's prepareBundleDirectoryPermissions makes the bundle 0710 with that group).
 */
export function runtimeDirGroup(h: UsernsHostConfig, idMapping: IdentityMapping | undefined): number | undefined {
  if (isEmptyMapping(idMapping) || !usesUserns(h, true)) return undefined;
  return rootPair(idMapping).gid;
}

/**
 * Makes a container's runtime dir under the exec root (`<exec-root>/containers/<id>`: the OCI bundle with
 * config.json, conmon's pidfiles, exit files, attach socket and FIFOs) and its `rootfs` mount point. Root only
 * (0700), or 0710 with `group` (see runtimeDirGroup): nobody else can list it, and only that group can get
 * through it, so containers see neither each other's runtime files nor (config.json being 0600) their specs.
 * Modes are set explicitly, whatever the umask. Returns the rootfs path.
 */
export async function makeRuntimeDir(dir: string, group: number | undefined): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chown(dir, process.getuid?.() ?? 0, group ?? process.getgid?.() ?? 0);
  await chmod(dir, runtimeDirMode(group));
  const rootfs = join(dir, 'rootfs');
  await mkdir(rootfs, { recursive: true, mode: 0o700 });
  return rootfs;
}
