import { readFileSync } from 'node:fs';
import { nsOf, procInfo, sleep } from '../../test/support/proc.ts';
import type { Sandbox } from '../../test/support/sandbox.ts';
import { median } from './stats.ts';

/**
 * Memory of an engine: every process of the sandbox's own pid namespace (daemon, containerd, shims, conmon, any
 * helper the engine keeps), found through the sandbox's namespace handle — never by name on the whole machine.
 * Container processes live in pid namespaces nested in it and are left out: the workload is the same for both.
 */

export interface ProcMem {
  pid: number;
  comm: string;
  rssKb: number;
  pssKb: number;
}

export interface EngineMemory {
  rssKb: number;
  pssKb: number;
  procs: ProcMem[];
}

/** The `VmRSS:` line of /proc/<pid>/status, in kB (undefined for kernel threads and zombies). */
export function parseStatusKb(status: string, field = 'VmRSS'): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m ? Number(m[1]) : undefined;
}

function readKb(path: string, field: string): number | undefined {
  try {
    return parseStatusKb(readFileSync(path, 'utf8'), field);
  } catch {
    return undefined;
  }
}

/** One reading of the engine's processes. */
export function engineMemory(sb: Sandbox): EngineMemory {
  const pidNs = nsOf(sb.initPid, 'pid');
  if (!pidNs) throw new Error(`sandbox ${sb.name}: its pid 1 is gone`);
  const procs: ProcMem[] = [];
  for (const pid of sb.processes()) {
    if (nsOf(pid, 'pid') !== pidNs) continue;
    const rssKb = readKb(`/proc/${pid}/status`, 'VmRSS');
    const info = procInfo(pid);
    if (rssKb === undefined || !info) continue;
    procs.push({ pid, comm: info.comm, rssKb, pssKb: readKb(`/proc/${pid}/smaps_rollup`, 'Pss') ?? 0 });
  }
  return { rssKb: sum(procs.map((p) => p.rssKb)), pssKb: sum(procs.map((p) => p.pssKb)), procs };
}

/** `samples` readings `intervalMs` apart; returns the one with the median RSS (a GC or a busy moment is not it). */
export async function sampleEngineMemory(sb: Sandbox, samples = 5, intervalMs = 400): Promise<EngineMemory> {
  const got: EngineMemory[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(intervalMs);
    got.push(engineMemory(sb));
  }
  const m = median(got.map((g) => g.rssKb));
  return got.reduce((best, g) => (Math.abs(g.rssKb - m) < Math.abs(best.rssKb - m) ? g : best));
}

/** "dockerd 1 × 48.1 MB, containerd-shim 50 × 7.9 MB" — processes grouped by name, largest group first. */
export function breakdown(m: EngineMemory): string {
  const groups = new Map<string, { n: number; kb: number }>();
  for (const p of m.procs) {
    const g = groups.get(p.comm) ?? { n: 0, kb: 0 };
    g.n += 1;
    g.kb += p.rssKb;
    groups.set(p.comm, g);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].kb - a[1].kb)
    .map(([comm, g]) => `${comm} ${g.n} × ${(g.kb / g.n / 1024).toFixed(1)} MB`)
    .join(', ');
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
