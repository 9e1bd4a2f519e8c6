/**
 * User-namespace ID mappings (moby's idtools.IdentityMapping): container IDs → host IDs, one list for uids and
 * one for gids, each a list of ranges as /proc/<pid>/uid_map takes them. Pure.
 */
export interface IdMap {
  containerId: number;
  hostId: number;
  size: number;
}

export interface IdentityMapping {
  uids: readonly IdMap[];
  gids: readonly IdMap[];
}

export interface IdPair {
  uid: number;
  gid: number;
}

/** An ID of the container as seen on the host; undefined when no range holds it. */
function lookupHost(id: number, maps: readonly IdMap[]): number | undefined {
  for (const m of maps) if (id >= m.containerId && id < m.containerId + m.size) return m.hostId + (id - m.containerId);
  return undefined;
}

function lookupContainer(id: number, maps: readonly IdMap[]): number | undefined {
  for (const m of maps) if (id >= m.hostId && id < m.hostId + m.size) return m.containerId + (id - m.hostId);
  return undefined;
}

/** moby's toHost: an empty map is the identity; an ID outside every range is an error (Docker's text). */
export function toHost(id: number, maps: readonly IdMap[]): number {
  if (maps.length === 0) return id;
  const h = lookupHost(id, maps);
  if (h === undefined) throw new Error(`Container ID ${id} cannot be mapped to a host ID`);
  return h;
}

/** moby's toContainer: the reverse. */
export function toContainer(id: number, maps: readonly IdMap[]): number {
  if (maps.length === 0) return id;
  const c = lookupContainer(id, maps);
  if (c === undefined) throw new Error(`Host ID ${id} cannot be mapped to a container ID`);
  return c;
}

/** The host uid/gid of the container's root (0/0 without a mapping): what the daemon chowns its files to. */
export function rootPair(m: IdentityMapping | undefined): IdPair {
  if (!m) return { uid: 0, gid: 0 };
  return { uid: toHost(0, m.uids), gid: toHost(0, m.gids) };
}

/** A container uid/gid pair (a layer's tar entry) as host IDs. */
export function pairToHost(m: IdentityMapping, p: IdPair): IdPair {
  return { uid: toHost(p.uid, m.uids), gid: toHost(p.gid, m.gids) };
}

/** A host uid/gid pair (a file of a container's layer) as the container's IDs. */
export function pairToContainer(m: IdentityMapping, p: IdPair): IdPair {
  return { uid: toContainer(p.uid, m.uids), gid: toContainer(p.gid, m.gids) };
}

export function isEmptyMapping(m: IdentityMapping | undefined): boolean {
  return !m || (m.uids.length === 0 && m.gids.length === 0);
}

/** The mappings in the OCI runtime spec's shape (linux.uidMappings / gidMappings). */
export function ociMappings(maps: readonly IdMap[]): { containerID: number; hostID: number; size: number }[] {
  return maps.map((m) => ({ containerID: m.containerId, hostID: m.hostId, size: m.size }));
}
