import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HostSnapshot, type Leak, findLeaks, formatLeaks, parseMountinfo } from './leak-scan.ts';
import { NAME_PREFIX } from './names.ts';
import { allPids, cmdlineOf, nsOf, procInfo, runCmd, signalPid, sleep } from './proc.ts';

/**
 * The suite's last step: fails when a test left something behind on the host (netns, links or nft tables in the
 * root network namespace, mounts in the root mount namespace, processes, temp dirs, container cgroups).
 *
 *   node test/support/leak-check.ts snapshot [--out FILE]          record the host before a run
 *   node test/support/leak-check.ts check [--baseline FILE] [--run ID]
 *   node test/support/leak-check.ts clean --run ID                 remove what run ID left (by pid and by name)
 */

const TMP_DIRS = ['/tmp', '/run'];

export async function takeSnapshot(): Promise<HostSnapshot> {
  const notes: string[] = [];
  const netnsRes = await runCmd(['ip', 'netns', 'list'], { timeoutMs: 10_000 });
  if (netnsRes.code !== 0) notes.push(`ip netns list: ${netnsRes.stderr.trim()}`);
  const netns = netnsRes.stdout
    .split('\n')
    .map((l) => l.trim().split(' ')[0]!)
    .filter(Boolean);

  let links: string[] = [];
  const linkRes = await runCmd(['ip', '-j', 'link', 'show'], { timeoutMs: 10_000 });
  try {
    links = (JSON.parse(linkRes.stdout) as { ifname: string }[]).map((l) => l.ifname);
  } catch {
    notes.push(`ip -j link show: ${linkRes.stderr.trim() || 'unreadable output'}`);
  }

  let nftTables: string[] = [];
  const nftRes = await runCmd(['nft', '-j', 'list', 'tables'], { timeoutMs: 10_000 });
  try {
    const j = JSON.parse(nftRes.stdout || '{"nftables":[]}') as { nftables: { table?: { family: string; name: string } }[] };
    nftTables = j.nftables.flatMap((e) => (e.table ? [`${e.table.family} ${e.table.name}`] : []));
  } catch {
    notes.push(`nft -j list tables: ${nftRes.stderr.trim() || 'unreadable output'}`);
  }

  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).map((m) => ({ mountPoint: m.mountPoint, source: m.source }));

  const own = { pid: nsOf('self', 'pid'), net: nsOf('self', 'net'), mnt: nsOf('self', 'mnt') };
  const procs: HostSnapshot['procs'] = [];
  for (const pid of allPids()) {
    const info = procInfo(pid);
    if (!info) continue;
    const pidNs = nsOf(pid, 'pid');
    const netNs = nsOf(pid, 'net');
    const mntNs = nsOf(pid, 'mnt');
    const foreignNs = (pidNs !== undefined && pidNs !== own.pid) || (netNs !== undefined && netNs !== own.net) || (mntNs !== undefined && mntNs !== own.mnt);
    procs.push({ pid, startTime: info.startTime, comm: info.comm, cmdline: cmdlineOf(pid), foreignNs });
  }

  const tmpEntries: string[] = [];
  for (const dir of TMP_DIRS) {
    try {
      for (const n of readdirSync(dir)) if (n.startsWith('berth')) tmpEntries.push(join(dir, n));
    } catch {
      // no such dir
    }
  }

  return { takenAt: new Date().toISOString(), netns, links, nftTables, mounts, procs, tmpEntries, cgroups: walkCgroups(), notes };
}

function walkCgroups(root = '/sys/fs/cgroup', limit = 50_000): string[] {
  const out: string[] = [];
  const stack: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  while (stack.length > 0 && out.length < limit) {
    const { dir, depth } = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      out.push(p);
      if (depth < 10) stack.push({ dir: p, depth: depth + 1 });
    }
  }
  return out;
}

/** The checker itself and its ancestors (the shell that runs the suite), never reported. */
function selfAndAncestors(): Set<number> {
  const s = new Set<number>();
  let pid: number | undefined = process.pid;
  while (pid && pid > 1 && !s.has(pid)) {
    s.add(pid);
    pid = procInfo(pid)?.ppid;
  }
  return s;
}

export async function checkLeaks(prefix: string, baseline?: HostSnapshot): Promise<{ leaks: Leak[]; notes: string[] }> {
  // processes killed a moment ago may still be exiting: look twice before calling something a leak
  let leaks: Leak[] = [];
  let notes: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = await takeSnapshot();
    notes = now.notes;
    leaks = findLeaks(now, { prefix, baseline, ignorePids: selfAndAncestors() });
    if (leaks.length === 0) break;
    await sleep(1000);
  }
  return { leaks, notes };
}

/** Removes what run `runId` left behind: its processes (by pid), netns, mounts and temp dirs. */
export async function cleanRun(runId: string): Promise<string[]> {
  if (!/^[a-z0-9]{1,12}$/.test(runId)) throw new Error(`clean: bad run id ${JSON.stringify(runId)}`);
  const prefix = `${NAME_PREFIX}${runId}-`;
  const done: string[] = [];
  const ignore = selfAndAncestors();
  for (const pid of allPids()) {
    if (ignore.has(pid)) continue;
    if (cmdlineOf(pid).includes(prefix) && signalPid(pid, 'SIGKILL')) done.push(`killed pid ${pid}`);
  }
  if (done.length > 0) await sleep(500);
  const netns = (await runCmd(['ip', 'netns', 'list'])).stdout.split('\n').map((l) => l.trim().split(' ')[0]!);
  for (const n of netns) {
    if (!n.startsWith(prefix)) continue;
    const r = await runCmd(['ip', 'netns', 'del', n]);
    done.push(r.code === 0 ? `deleted netns ${n}` : `could not delete netns ${n}: ${r.stderr.trim()}`);
  }
  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => TMP_DIRS.some((d) => p.startsWith(`${d}/${prefix}`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    const r = await runCmd(['umount', '-l', m]);
    done.push(r.code === 0 ? `unmounted ${m}` : `could not unmount ${m}: ${r.stderr.trim()}`);
  }
  const stillMounted = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).map((m) => m.mountPoint);
  for (const dir of TMP_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.startsWith(prefix)) continue;
      const p = join(dir, n);
      if (stillMounted.some((m) => m === p || m.startsWith(`${p}/`))) {
        done.push(`left ${p}: something is still mounted under it`);
        continue;
      }
      rmSync(p, { recursive: true, force: true });
      done.push(`removed ${p}`);
    }
  }
  return done;
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  if (cmd === 'snapshot') {
    const snap = JSON.stringify(await takeSnapshot());
    const out = argValue(args, '--out');
    if (out) writeFileSync(out, snap);
    else process.stdout.write(`${snap}\n`);
    return 0;
  }
  if (cmd === 'check') {
    const run = argValue(args, '--run');
    const prefix = argValue(args, '--prefix') ?? (run ? `${NAME_PREFIX}${run}-` : NAME_PREFIX);
    const file = argValue(args, '--baseline');
    const baseline = file && statSync(file, { throwIfNoEntry: false }) ? (JSON.parse(readFileSync(file, 'utf8')) as HostSnapshot) : undefined;
    const { leaks, notes } = await checkLeaks(prefix, baseline);
    for (const n of notes) console.log(`leak-check: note: ${n}`);
    console.log(`leak-check: prefix ${prefix}${baseline ? `, baseline from ${baseline.takenAt}` : ', no baseline'}`);
    console.log(`leak-check: ${formatLeaks(leaks)}`);
    return leaks.length === 0 ? 0 : 1;
  }
  if (cmd === 'clean') {
    const run = argValue(args, '--run');
    if (!run) throw new Error('clean needs --run <id>');
    for (const line of await cleanRun(run)) console.log(`leak-check: ${line}`);
    return 0;
  }
  console.error('usage: leak-check.ts snapshot [--out FILE] | check [--baseline FILE] [--run ID | --prefix P] | clean --run ID');
  return 2;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`leak-check: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
