import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBusyboxRootfs } from '../../test/support/busybox-image.ts';
import { runCmd } from '../../test/support/proc.ts';
import { REPO_ROOT, Sandbox } from '../../test/support/sandbox.ts';
import type { SandboxRegistry } from './cleanup.ts';
import type { InnerPlan } from './oci-inner.ts';

/**
 * The bare OCI runtime floor of `docker run --rm bb true`: `crun run` and `runc run` of a prepared bundle (the same
 * busybox rootfs the daemons import, config.json from `<runtime> spec` with no terminal and args ["true"]) in a
 * throwaway sandbox (its own netns, mount and pid namespaces, no daemon), each runtime with its own --root.
 */

export const FLOOR_RUNTIMES = ['crun', 'runc'] as const;

/** `<runtime> spec` output, adjusted to run `true` without a terminal from the shared rootfs. */
export function adjustSpec(spec: Record<string, any>, rootfs: string): Record<string, any> {
  return {
    ...spec,
    root: { ...spec.root, path: rootfs, readonly: true },
    process: { ...spec.process, terminal: false, args: ['true'] },
  };
}

export interface FloorResult {
  times: Record<string, number[]>;
  notes: string[];
}

export async function measureOciFloor(runs: number, registry: SandboxRegistry): Promise<FloorResult> {
  const sb = registry.add(await Sandbox.create({ label: 'bench-oci', startDaemon: false }));
  let times: FloorResult | undefined;
  let failure: unknown;
  try {
    times = await runFloor(sb, runs);
  } catch (err) {
    failure = err;
  }
  const problem = await registry.release(sb);
  if (failure !== undefined) throw failure;
  if (problem) throw new Error(problem);
  return times!;
}

/**
 * crun 1.8 refuses a hybrid cgroup host while the v2 hierarchy has controllers ("cgroups in hybrid mode not
 * supported"); on this kind of host the one left there is hugetlb. berthd binds it to a v1 hierarchy in its private
 * mount namespace at startup (src/system/oci-runtime/probe.ts); the floor does the same in its sandbox, or crun
 * would work only while some berthd happens to hold that binding. Returns a note when the binding was missing.
 */
async function fixHybridForCrun(sb: Sandbox): Promise<string | undefined> {
  let ctrls: string[];
  try {
    ctrls = readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return undefined; // not a hybrid host
  }
  // mounted even when another process holds the binding right now: the mount keeps it for the whole floor
  const dir = join(sb.dir, 'cgroup-hugetlb');
  const r = await sb.exec(['sh', '-c', 'mkdir -p "$1" && mount -t cgroup -o hugetlb cgroup "$1"', 'sh', dir], { timeoutMs: 10_000 });
  if (r.code !== 0) return ctrls.includes('hugetlb') ? `could not bind hugetlb to a v1 hierarchy for crun: ${r.stderr.trim()}` : undefined;
  return ctrls.includes('hugetlb') ? 'the floor sandbox bound hugetlb to a v1 cgroup hierarchy (as berthd does) so that crun accepts this hybrid host' : undefined;
}

async function runFloor(sb: Sandbox, runs: number): Promise<FloorResult> {
  const notes: string[] = [];
  const fix = await fixHybridForCrun(sb);
  if (fix) notes.push(fix);
  const rootfs = join(sb.dir, 'rootfs');
  await makeBusyboxRootfs(rootfs);
  const plan: InnerPlan = { runs, warmup: 2, runtimes: [] };
  for (const name of FLOOR_RUNTIMES) {
    const bundle = join(sb.dir, `${name}-bundle`);
    const root = join(sb.dir, `${name}-state`);
    mkdirSync(bundle);
    mkdirSync(root);
    const spec = await runCmd([name, 'spec'], { cwd: bundle, timeoutMs: 10_000 });
    if (spec.code !== 0) throw new Error(`${name} spec: ${spec.stderr.trim()}`);
    const cfg = join(bundle, 'config.json');
    writeFileSync(cfg, `${JSON.stringify(adjustSpec(JSON.parse(readFileSync(cfg, 'utf8')), rootfs), null, 2)}\n`);
    plan.runtimes.push({ name, bin: name, root, bundle });
  }
  const inner = join(REPO_ROOT, 'bench/lib/oci-inner.ts');
  // a run takes tens of ms; 2 s each is far more than enough, and bounds a runtime that hangs
  const timeoutMs = 30_000 + 2_000 * (runs + plan.warmup) * FLOOR_RUNTIMES.length;
  const r = await sb.exec([process.execPath, inner, JSON.stringify(plan)], { timeoutMs });
  if (r.code !== 0) throw new Error(`OCI floor failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim()}`);
  return { times: JSON.parse(r.stdout) as Record<string, number[]>, notes };
}
