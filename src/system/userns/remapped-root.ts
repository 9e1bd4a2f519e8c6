import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import { parseGroup, parsePasswd } from '../../domain/oci-spec/user.ts';
import { type IdentityMapping, type IdPair, rootPair } from '../../domain/userns/id-map.ts';
import { identityMappingFor, resolveRemapUser } from '../../domain/userns/remap.ts';
import { DEFAULT_RANGE_LENGTH, findNextRangeStart, parseSubidFile, rangesOf, type SubidEntry } from '../../domain/userns/subid.ts';
import { run } from '../exec/exec.ts';

/** The daemon's `--userns-remap` once resolved: whose ranges map the containers, and the mapping itself. */
export interface RemappedRoot {
  /** "user:group", as dockerd rewrites its RemappedRoot setting. */
  name: string;
  mapping: IdentityMapping;
  /** The host uid/gid of the containers' root. */
  root: IdPair;
}

/** Where the host keeps its users (a parameter for tests; the daemon uses /etc). */
export interface HostFiles {
  etc: string;
}

async function readOr(path: string, dflt: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return dflt;
    throw err;
  }
}

async function subids(files: HostFiles, which: 'subuid' | 'subgid'): Promise<SubidEntry[]> {
  const path = join(files.etc, which);
  // a host without the file has no ranges (dockerd fails to open it; usermod creates it)
  return parseSubidFile(await readOr(path, ''), path);
}

async function hostUsers(files: HostFiles) {
  const [passwd, group] = await Promise.all([readOr(join(files.etc, 'passwd'), ''), readOr(join(files.etc, 'group'), '')]);
  return { users: parsePasswd(passwd), groups: parseGroup(group) };
}

/**
 * dockerd's AddNamespaceRangesUser: a system user and group (adduser or useradd), then a range of 65536
 * subordinate uids and gids past the ranges already given out (usermod -v / -w), unless the distribution's tools
 * made some already.
 */
async function addRemapUser(ctx: Ctx, name: string, files: HostFiles): Promise<void> {
  const adduser = ['/usr/sbin/adduser', '/usr/bin/adduser', '/sbin/adduser'].some((p) => existsSync(p));
  const args = adduser ? ['--system', '--shell', '/bin/false', '--no-create-home', '--disabled-login', '--disabled-password', '--group', name] : ['-r', '-s', '/bin/false', name];
  const r = await run(ctx, adduser ? 'adduser' : 'useradd', args, { allowFail: true });
  if (r.code !== 0) throw new SystemError(`Error during "${name}" user creation: Error adding user "${name}": failed to add user with error: exit status ${r.code}; output: ${JSON.stringify(r.stdout + r.stderr)}`);
  const { users } = await hostUsers(files);
  const user = users.find((u) => u.name === name);
  if (!user) throw new SystemError(`Error during "${name}" user creation: Error trying to find uid/gid for new user "${name}"`);
  for (const [which, flag] of [['subuid', '-v'], ['subgid', '-w']] as const) {
    const all = await subids(files, which);
    if (rangesOf(all, user).length > 0) continue;
    const start = findNextRangeStart(all);
    const u = await run(ctx, 'usermod', [flag, `${start}-${start + DEFAULT_RANGE_LENGTH - 1}`, name], { allowFail: true });
    if (u.code !== 0) {
      throw new SystemError(`Error during "${name}" user creation: Couldn't create subordinate ID ranges: Unable to add ${which} range to user: "${name}"; output: ${(u.stdout + u.stderr).trim()}`);
    }
    ctx.log.info(`User namespaces: added ${which} range ${start}-${start + DEFAULT_RANGE_LENGTH - 1} for ${name}`);
  }
}

/**
 * Resolves the daemon's `--userns-remap` (dockerd's setupRemappedRoot): creates `dockremap` for `default` when
 * it does not exist, reads the user's subordinate ranges. Undefined when remapping is off (`root`).
 */
export async function setupRemappedRoot(ctx: Ctx, spec: string, files: HostFiles = { etc: '/etc' }): Promise<RemappedRoot | undefined> {
  let host = await hostUsers(files);
  let r = resolveRemapUser(spec, host.users, host.groups);
  if (r.kind === 'create') {
    await addRemapUser(ctx, r.user, files);
    host = await hostUsers(files);
    r = resolveRemapUser(spec, host.users, host.groups);
  }
  if (r.kind === 'off') {
    ctx.log.warn(r.warning);
    return undefined;
  }
  if (r.kind !== 'user') throw new SystemError(`Error during "${spec}" user creation: the user is still missing`);
  ctx.log.info(`User namespaces: ID ranges will be mapped to subuid/subgid ranges of: ${r.user.name}`);
  const mapping = identityMappingFor(r.user, await subids(files, 'subuid'), await subids(files, 'subgid'));
  return { name: `${r.user.name}:${r.group}`, mapping, root: rootPair(mapping) };
}

/** moby's idtools.CanAccess: can this uid/gid search the directory? */
async function canSearch(path: string, who: IdPair): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return false;
  if (st.uid === who.uid && st.mode & 0o100) return true;
  if (st.gid === who.gid && st.mode & 0o010) return true;
  return (st.mode & 0o001) !== 0;
}

/**
 * dockerd's setupDaemonRoot with a remapped root: the data root becomes `<data-root>/<uid>.<gid>`, both 0710 and
 * owned by root and the remapped root's group, so that the remapped root can reach what containers use there
 * (layers, volumes, their /etc/hosts) and nobody else can. Every directory above must let the remapped root
 * through. Returns the new data root.
 */
export async function remappedDataRoot(dataRoot: string, root: IdPair): Promise<string> {
  const dir = join(dataRoot, `${root.uid}.${root.gid}`);
  for (const d of [dataRoot, dir]) {
    await mkdir(d, { recursive: true, mode: 0o710 });
    await chown(d, process.getuid?.() ?? 0, root.gid);
    await chmod(d, 0o710);
  }
  await checkReachable(dir, root, `a subdirectory in your graphroot path (${dir}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`);
  return dir;
}

/**
 * The same for a directory the runtime reaches as the remapped root (the exec root, where container root
 * filesystems are mounted): owned by the remapped root's group, 0710, and reachable.
 */
export async function remappedRuntimeDir(dir: string, root: IdPair): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o710 });
  await chown(dir, process.getuid?.() ?? 0, root.gid);
  await chmod(dir, 0o710);
  await checkReachable(dir, root, `a subdirectory in your exec root path (${dir}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`);
}

async function checkReachable(dir: string, root: IdPair, message: string): Promise<void> {
  for (let p = dirname(dir); p !== '/'; p = dirname(p)) {
    if (!(await canSearch(p, root))) throw new SystemError(message);
  }
}
