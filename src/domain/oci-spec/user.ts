import { InvalidArgumentError } from '../../common/errors.ts';

/** The result of resolving a Docker `--user` spec against the container's /etc/passwd and /etc/group. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the groups listing the matched user name (implicit form only), then `--group-add`. */
  additionalGids: number[];
  /** Home directory from passwd ("/" when the user has no entry, as runc does). */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2147483647;

function lines(text: string | undefined): string[][] {
  if (!text) return [];
  const out: string[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(line.split(':'));
  }
  return out;
}

function toInt(s: string | undefined): number {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  return lines(text).map((f) => ({ name: f[0] ?? '', uid: toInt(f[2]), gid: toInt(f[3]), home: f[5] ?? '' }));
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  return lines(text).map((f) => ({
    name: f[0] ?? '',
    gid: toInt(f[2]),
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

/** A decimal number as Go's strconv.Atoi accepts it, else undefined. */
function numeric(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw new InvalidArgumentError('uids and gids must be in range 0-2147483647');
  return id;
}

/**
 * runc's GetExecUser, as dockerd uses it: `spec` is `user`, `uid`, `user:group`, `uid:gid` or empty (root).
 * A numeric user or group with no entry is accepted as is; a name with no entry is Docker's error
 * `unable to find user x: no matching entries in passwd file`. `groupAdd` (`--group-add`) names or numbers are
 * appended to the supplementary groups.
 */
export function resolveUser(
  spec: string,
  passwdText: string | undefined,
  groupText: string | undefined,
  groupAdd: readonly string[] = [],
): ResolvedUser {
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1).split(':')[0]!;
  const uidArg = numeric(userArg);
  const gidArg = numeric(groupArg);

  const result: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '/' };
  const users = parsePasswd(passwdText).filter((u) => {
    if (userArg === '') return u.uid === result.uid;
    if (uidArg !== undefined) return u.uid === uidArg;
    return u.name === userArg;
  });

  let matchedName = '';
  if (users.length > 0) {
    const u = users[0]!;
    matchedName = u.name;
    result.uid = u.uid;
    result.gid = u.gid;
    result.home = u.home || '/';
  } else if (userArg !== '') {
    if (uidArg === undefined) throw new InvalidArgumentError(`unable to find user ${userArg}: no matching entries in passwd file`);
    result.uid = checkRange(uidArg);
  }

  if (groupArg !== '' || matchedName !== '') {
    const groups = parseGroup(groupText).filter((g) => {
      if (groupArg === '') return g.members.includes(matchedName);
      if (gidArg !== undefined) return g.gid === gidArg;
      return g.name === groupArg;
    });
    if (groupArg !== '') {
      if (groups.length > 0) result.gid = groups[0]!.gid;
      else if (gidArg === undefined) throw new InvalidArgumentError(`unable to find group ${groupArg}: no matching entries in group file`);
      else result.gid = checkRange(gidArg);
    } else {
      result.additionalGids = groups.map((g) => g.gid);
    }
  }

  if (groupAdd.length > 0) {
    const all = parseGroup(groupText);
    for (const ag of groupAdd) {
      const byName = all.find((g) => g.name === ag);
      const n = numeric(ag);
      if (byName) result.additionalGids.push(byName.gid);
      else if (n !== undefined) result.additionalGids.push(checkRange(n));
      else throw new InvalidArgumentError(`Unable to find group ${ag}: no matching entries in group file`);
    }
  }
  return result;
}
