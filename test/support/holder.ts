import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allPids, childrenOf, isAlive, nsOf, procInfo, runCmd, signalPid, sleep, waitFor } from './proc.ts';

/**
 * The "host" a sandboxed daemon runs on: a throwaway network namespace (lo up) plus a pid namespace and a private
 * mount namespace inside it. Pid 1 of the pid namespace is tini (it reaps orphans such as conmon); its child
 * `cat` holds the mount namespace where the daemon and everything it starts are entered with nsenter. Killing
 * pid 1 kills all of them, and the mount namespace (with every mount the daemon made) goes away with them.
 *
 * Pid 1 stays in a mount namespace of its own (the daemon's is a child of it), as on a real host where the
 * daemon was started with `unshare -m`: code that checks "am I in a private mount namespace?" by comparing its
 * own with pid 1's gets the answer it would get there.
 *
 * `cat` reads a pipe from the test process: when the test process dies, however it dies, the pipe closes, cat and
 * tini exit and the kernel kills the rest, so a crashed test leaves no daemon behind.
 *
 * Inside: /sys is a fresh sysfs of the netns (so /sys/class/net shows the netns's links) with the host's
 * /sys/fs/cgroup tree moved back in (the OCI runtime needs it), /proc belongs to the pid namespace, and /run is
 * a private tmpfs (the runtime's state dirs and any `ip netns` names stay inside).
 */
export interface NsHolder {
  netns: string;
  dir: string;
  /** `unshare`, our child; it dies with pid 1. */
  unsharePid: number;
  /** Pid 1 of the pid namespace (tini), as seen from the root pid namespace. */
  initPid: number;
  initStartTime: number;
  /** The process (`cat`) whose mount namespace the daemon and exec'd commands enter: the nsenter target. */
  nsPid: number;
  mntNs: string;
  pidNs: string;
  netNs: string;
  /** The spawned holder: keeps the pipe to its `cat` open for as long as this process lives. */
  proc: ChildProcess;
}

/** Runs as pid 1 (then tini) in mount namespace A; its child makes mount namespace B, sets it up and holds it. */
const SETUP = `set -e
d="$1"
exec "$2" -s -- unshare --mount --propagation private -- sh -c '
set -e
d="$1"
if mountpoint -q /sys/fs/cgroup; then
  mkdir -p "$d/.cgroup"
  mount --rbind /sys/fs/cgroup "$d/.cgroup"
  mount -t sysfs sysfs /sys
  mount --move "$d/.cgroup" /sys/fs/cgroup
  rmdir "$d/.cgroup"
else
  mount -t sysfs sysfs /sys
fi
mount -t tmpfs -o mode=755,size=256m tmpfs /run
: > "$d/holder.ready"
exec cat
' berth-holder-mnt "$d"
`;

function findTini(): string {
  for (const p of ['/usr/bin/tini', '/usr/bin/tini-static', '/sbin/tini']) if (existsSync(p)) return p;
  throw new Error('tini not found: install it (scripts/setup.sh does)');
}

export async function createHolder(netns: string, dir: string): Promise<NsHolder> {
  const add = await runCmd(['ip', 'netns', 'add', netns]);
  if (add.code !== 0) throw new Error(`ip netns add ${netns}: ${add.stderr.trim()}`);
  let child: ChildProcess | undefined;
  try {
    const up = await runCmd(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
    if (up.code !== 0) throw new Error(`ip -n ${netns} link set lo up: ${up.stderr.trim()}`);
    const log = openSync(join(dir, 'holder.log'), 'a');
    // argv carries `dir`, so the leak check can find a stray holder by its command line
    child = spawn(
      'nsenter',
      [`--net=/run/netns/${netns}`, '--', 'unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--mount-proc', '--', 'sh', '-c', SETUP, 'berth-holder', dir, findTini()],
      { stdio: ['pipe', log, log], detached: true },
    );
    closeSync(log);
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    const pid = child.pid!;
    const ready = await waitFor(() => exited || existsSync(join(dir, 'holder.ready')), 10_000);
    const initPid = childrenOf(pid)[0];
    const nsPid = initPid ? await waitFor(() => childrenOf(initPid)[0], 5_000) : undefined;
    if (!ready || exited || !initPid || !nsPid) {
      throw new Error(`namespace holder did not come up${exited ? ' (it exited)' : ''}:\n${readFileSync(join(dir, 'holder.log'), 'utf8')}`);
    }
    // wait until pid 1 has exec'd tini and the mount holder is `cat`, so their namespaces are final
    await waitFor(() => procInfo(initPid)?.comm === 'tini' && procInfo(nsPid)?.comm === 'cat', 5_000);
    const info = procInfo(initPid)!;
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return {
      netns,
      dir,
      unsharePid: pid,
      initPid,
      initStartTime: info.startTime,
      nsPid,
      mntNs: nsOf(nsPid, 'mnt')!,
      pidNs: nsOf(initPid, 'pid')!,
      netNs: nsOf(initPid, 'net')!,
      proc: child,
    };
  } catch (err) {
    if (child?.pid) signalPid(child.pid, 'SIGKILL');
    await sleep(100);
    await runCmd(['ip', 'netns', 'del', netns]);
    throw err;
  }
}

/** `nsenter` arguments that put a command into the holder's network, mount and pid namespaces. */
export function nsenterArgs(h: NsHolder, cwd = '/'): string[] {
  return ['nsenter', '-t', String(h.nsPid), '-n', '-m', '-p', `--wd=${cwd}`, '--'];
}

/**
 * Every process in the holder's pid namespace or one nested in it (containers), as root-namespace pids: members
 * of the namespace and all their descendants. The daemon counts: its parent nsenter is outside, it is not.
 */
export function holderPids(h: NsHolder): number[] {
  const parent = new Map<number, number>();
  const members = new Set<number>();
  for (const pid of allPids()) {
    const info = procInfo(pid);
    if (!info) continue;
    parent.set(pid, info.ppid);
    if (nsOf(pid, 'pid') === h.pidNs) members.add(pid);
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 256; p = parent.get(p), hops++) {
      if (members.has(p)) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/** Pid 1 of the holder is still the process we started (not a reused pid). */
export function holderAlive(h: NsHolder): boolean {
  const info = procInfo(h.initPid);
  return info !== undefined && info.startTime === h.initStartTime && isAlive(h.initPid);
}

/**
 * Kills everything in the holder's pid namespace (SIGKILL to its pid 1), waits until all of it is gone and
 * deletes the netns. Returns problems found (processes that survived, netns that would not go).
 */
export async function destroyHolder(h: NsHolder): Promise<string[]> {
  const problems: string[] = [];
  const before = holderPids(h).map((pid) => ({ pid, start: procInfo(pid)?.startTime }));
  if (holderAlive(h)) signalPid(h.initPid, 'SIGKILL');
  h.proc.stdin?.destroy();
  if (isAlive(h.unsharePid)) {
    const gone = await waitFor(() => !isAlive(h.unsharePid), 10_000);
    if (!gone) {
      signalPid(h.unsharePid, 'SIGKILL');
      problems.push(`holder ${h.unsharePid} did not exit after its pid 1 was killed`);
    }
  }
  const survivors = () => before.filter((p) => p.start !== undefined && procInfo(p.pid)?.startTime === p.start && isAlive(p.pid));
  await waitFor(() => survivors().length === 0, 10_000);
  for (const s of survivors()) problems.push(`process ${s.pid} (${procInfo(s.pid)?.comm}) survived the namespace kill`);
  const del = await runCmd(['ip', 'netns', 'del', h.netns]);
  if (del.code !== 0 && !/No such file/.test(del.stderr)) problems.push(`ip netns del ${h.netns}: ${del.stderr.trim()}`);
  return problems;
}
