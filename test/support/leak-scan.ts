/**
 * Pure part of the leak check: the shape of a host snapshot and the rules that turn two snapshots (before and
 * after a test run) into a list of leaks. The I/O that takes snapshots is in leak-check.ts.
 */

export interface MountEntry {
  id: number;
  parent: number;
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

/** Undoes the octal escapes mountinfo uses for space, tab, newline and backslash. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Parses /proc/<pid>/mountinfo (`id parent maj:min root mountpoint opts [optional…] - fstype source superopts`). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0 || f.length < sep + 3) continue;
    out.push({
      id: Number(f[0]),
      parent: Number(f[1]),
      root: unescapeMount(f[3]!),
      mountPoint: unescapeMount(f[4]!),
      fsType: f[sep + 1]!,
      source: unescapeMount(f[sep + 2]!),
      superOptions: f[sep + 3] ?? '',
    });
  }
  return out;
}

export interface ProcEntry {
  pid: number;
  startTime: number;
  comm: string;
  cmdline: string;
  /** The process lives in a pid, net or mount namespace other than the leak checker's own. */
  foreignNs: boolean;
}

export interface HostSnapshot {
  takenAt: string;
  netns: string[];
  /** Link names in the root network namespace. */
  links: string[];
  /** nftables tables in the root network namespace, as `family name`. */
  nftTables: string[];
  /** Mount points (and sources) in the root mount namespace. */
  mounts: { mountPoint: string; source: string }[];
  procs: ProcEntry[];
  /** Entries of /tmp and /run whose names start with "berth". */
  tmpEntries: string[];
  /** Every cgroup directory under /sys/fs/cgroup. */
  cgroups: string[];
  /** Tools that could not be asked (the check is weaker then). */
  notes: string[];
}

export interface Leak {
  kind: 'netns' | 'link' | 'nft-table' | 'mount' | 'process' | 'tmp-entry' | 'cgroup';
  item: string;
}

export interface LeakRules {
  /** Names a test run gives to what it creates, e.g. `berth-t-` or `berth-t-<runid>-`. */
  prefix: string;
  /** Snapshot taken before the run: what was already there is not a leak. */
  baseline?: HostSnapshot;
  /** Pids never reported (the checker and its ancestors). */
  ignorePids?: Set<number>;
}

const LINK_RE = /^(berth|veth)/;
const NFT_RE = /^\S+ berth/;
/** Temp entries of berth's tests (berth-t-*, berth-net-*, …) but not the suite's own work and log dirs. */
const TMP_RE = /^berth/;
const TMP_KEEP_RE = /^berth-(logs|suite-)/;
const CGROUP_RE = /(^|\/)([0-9a-f]{64}|[^/]*berth[^/]*)$/;

/** Everything in `now` that a test run left behind, by the rules above. */
export function findLeaks(now: HostSnapshot, rules: LeakRules): Leak[] {
  const { prefix, baseline } = rules;
  const leaks: Leak[] = [];
  const before = <T>(pick: (s: HostSnapshot) => T[], key: (t: T) => string) => new Set(baseline ? pick(baseline).map(key) : []);

  // with a baseline, anything new of these kinds is a leak, whatever its name: a test must leave no netns and
  // no mount in the root namespaces; without one, only what carries the test prefix
  const oldNetns = before((s) => s.netns, String);
  for (const n of now.netns) if ((baseline || n.startsWith(prefix)) && !oldNetns.has(n)) leaks.push({ kind: 'netns', item: n });

  const oldLinks = before((s) => s.links, String);
  for (const l of now.links) if (LINK_RE.test(l) && !oldLinks.has(l)) leaks.push({ kind: 'link', item: l });

  const oldTables = before((s) => s.nftTables, String);
  for (const t of now.nftTables) if (NFT_RE.test(t) && !oldTables.has(t)) leaks.push({ kind: 'nft-table', item: t });

  const oldMounts = before((s) => s.mounts, (m) => `${m.mountPoint} ${m.source}`);
  for (const m of now.mounts) {
    const ours = baseline !== undefined || m.mountPoint.includes(`/${prefix}`) || m.source.includes(`/${prefix}`);
    if (ours && !oldMounts.has(`${m.mountPoint} ${m.source}`)) leaks.push({ kind: 'mount', item: `${m.mountPoint} (from ${m.source})` });
  }

  const oldProcs = before((s) => s.procs, (p) => `${p.pid}/${p.startTime}`);
  for (const p of now.procs) {
    if (rules.ignorePids?.has(p.pid) || oldProcs.has(`${p.pid}/${p.startTime}`)) continue;
    const named = p.cmdline.includes(prefix);
    const foreign = baseline !== undefined && p.foreignNs;
    if (named || foreign) {
      const why = named ? 'command line names the test prefix' : 'in a namespace of its own, started during the run';
      leaks.push({ kind: 'process', item: `pid ${p.pid} (${p.comm}): ${p.cmdline.slice(0, 200)} [${why}]` });
    }
  }

  const oldTmp = before((s) => s.tmpEntries, String);
  for (const t of now.tmpEntries) {
    const base = t.slice(t.lastIndexOf('/') + 1);
    const ours = base.startsWith(prefix) || (baseline !== undefined && TMP_RE.test(base) && !TMP_KEEP_RE.test(base));
    if (ours && !oldTmp.has(t)) leaks.push({ kind: 'tmp-entry', item: t });
  }

  if (baseline) {
    const oldCg = new Set(baseline.cgroups);
    for (const c of now.cgroups) if (CGROUP_RE.test(c) && !oldCg.has(c)) leaks.push({ kind: 'cgroup', item: c });
  }
  return leaks;
}

export function formatLeaks(leaks: Leak[]): string {
  if (leaks.length === 0) return 'no leaks';
  return leaks.map((l) => `LEAK ${l.kind}: ${l.item}`).join('\n');
}
