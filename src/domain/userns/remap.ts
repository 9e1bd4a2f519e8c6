import { InvalidArgumentError } from '../../common/errors.ts';
import type { IdentityMapping } from './id-map.ts';
import { createIdMap, rangesOf, type SubidEntry } from './subid.ts';

/**
 * dockerd's `--userns-remap` value (`default`, `user`, `user:group`, `uid`, `uid:gid`) resolved against the host's
 * users and groups (moby's parseRemappedRoot and NewIdentityMapping). Pure: the caller reads /etc/passwd,
 * /etc/group, /etc/subuid and /etc/subgid, and creates the `dockremap` user when asked to.
 */
export const DEFAULT_REMAP_SPEC = 'default';
/** The user dockerd creates for `default` (berth keeps the name, so existing /etc/subuid entries keep working). */
export const DEFAULT_REMAP_USER = 'dockremap';

export interface HostUser {
  name: string;
  uid: number;
  gid: number;
}
export interface HostGroup {
  name: string;
  gid: number;
}

export type RemapResolution =
  /** `root`: a 1-to-1 mapping, so user namespaces stay off (dockerd warns). */
  | { kind: 'off'; warning: string }
  /** `default` and no `dockremap` user yet: create it (useradd) with subordinate ranges, then resolve again. */
  | { kind: 'create'; user: string }
  /** The user whose subordinate ranges map the containers, and the group name (dockerd's "user:group"). */
  | { kind: 'user'; user: HostUser; group: string };

const NO_PASSWD = 'no matching entries in passwd file';
const NO_GROUP = 'no matching entries in group file';

/** A 32-bit signed decimal, as Go's strconv.ParseInt(s, 10, 32) accepts it. */
function int32(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

export function resolveRemapUser(spec: string, users: readonly HostUser[], groups: readonly HostGroup[]): RemapResolution {
  const parts = spec.split(':');
  if (parts.length > 2) throw new InvalidArgumentError(`Invalid user/group specification in --userns-remap: ${JSON.stringify(spec)}`);
  // an explicit group is checked first, so that a bad one never gets `dockremap` created
  const group = parts.length === 2 ? explicitGroup(parts[1]!, groups) : undefined;
  let user: HostUser | undefined;
  const uid = int32(parts[0]!);
  if (uid !== undefined) {
    user = users.find((u) => u.uid === uid);
    if (!user) throw new InvalidArgumentError(`Uid ${uid} has no entry in /etc/passwd: ${NO_PASSWD}`);
  } else {
    const name = parts[0] === DEFAULT_REMAP_SPEC ? DEFAULT_REMAP_USER : parts[0]!;
    user = users.find((u) => u.name === name);
    if (!user) {
      if (parts[0] !== DEFAULT_REMAP_SPEC) throw new InvalidArgumentError(`Error during uid lookup for ${JSON.stringify(name)}: ${NO_PASSWD}`);
      return { kind: 'create', user: DEFAULT_REMAP_USER };
    }
  }
  if (user.name === 'root') return { kind: 'off', warning: 'User namespaces: root cannot be remapped with itself; user namespaces are OFF' };
  return { kind: 'user', user, group: group ?? implicitGroup(parts[0]!, uid, user, groups) };
}

/** The group of `uid:gid` or `user:group`. */
function explicitGroup(part: string, groups: readonly HostGroup[]): string {
  const gid = int32(part);
  if (gid !== undefined) {
    const g = groups.find((x) => x.gid === gid);
    // sic: dockerd says /etc/passwd here
    if (!g) throw new InvalidArgumentError(`Gid ${gid} has no entry in /etc/passwd: ${NO_GROUP}`);
    return g.name;
  }
  if (!groups.some((x) => x.name === part)) throw new InvalidArgumentError(`Error during groupname lookup for ${JSON.stringify(part)}: ${NO_GROUP}`);
  return part;
}

/** The group of a bare `uid` (the gid of the same number) or `user` (the group of the same name). */
function implicitGroup(part: string, uid: number | undefined, user: HostUser, groups: readonly HostGroup[]): string {
  if (uid !== undefined) {
    const g = groups.find((x) => x.gid === uid);
    if (!g) throw new InvalidArgumentError(`Gid ${uid} has no entry in /etc/group: ${NO_GROUP}`);
    return g.name;
  }
  const g = groups.find((x) => x.name === user.name);
  if (!g) throw new InvalidArgumentError(`Error during gid lookup for ${JSON.stringify(part === DEFAULT_REMAP_SPEC ? user.name : part)}: ${NO_GROUP}`);
  return g.name;
}

/**
 * The containers' ID mapping: the user's ranges in /etc/subuid and /etc/subgid (both looked up by the user's uid,
 * then by its name, as dockerd does), laid end to end. A user without ranges is an error.
 */
export function identityMappingFor(user: HostUser, subuid: readonly SubidEntry[], subgid: readonly SubidEntry[]): IdentityMapping {
  const u = rangesOf(subuid, user);
  if (u.length === 0) throw new InvalidArgumentError(`Can't create ID mappings: no subuid ranges found for user ${JSON.stringify(user.name)}`);
  const g = rangesOf(subgid, user);
  if (g.length === 0) throw new InvalidArgumentError(`Can't create ID mappings: no subgid ranges found for user ${JSON.stringify(user.name)}`);
  return { uids: createIdMap(u), gids: createIdMap(g) };
}
