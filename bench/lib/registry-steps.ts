import { readFileSync, rmSync } from 'node:fs';
import { type InnerRegistry, skopeo, startRegistryIn } from '../../test/compat/registry-sandbox.ts';
import { procInfo, sleep } from '../../test/support/proc.ts';
import { parseStatusKb } from './memory.ts';
import type { BenchImage } from './registry-image.ts';
import type { Slot, SlotKey } from './slot.ts';

/**
 * The registry benchmark's steps on one slot: registries run inside the slot's own sandbox (its netns), on
 * loopback, which both daemons treat as insecure (plain HTTP) by default. Times in ms, memory in kB.
 */

export const SOURCE = '127.0.0.1:5000';
export const PULL_REF = `${SOURCE}/bench/big:v1`;

export type RegistryMeasure = 'pull' | 'pushPulled' | 'pushLoaded';

/** Wall time of the CLI call and CPU time of the engine's processes meanwhile, in ms. */
export interface Timed {
  ms: number;
  cpuMs: number;
}

export interface PullSample extends Timed {
  /** Peak RSS of the daemon process during the pull (sampled, and its VmHWM: the peak since it started). */
  daemonPeakKb: number;
  /** Peak of the sum over every process of the engine (dockerd + containerd + helpers such as unpigz). */
  enginePeakKb: number;
  /** The daemon's RSS just before the pull. */
  daemonBeforeKb: number;
}

/** USER_HZ: /proc/<pid>/stat counts CPU time in these. */
const CLK_TCK = 100;

/** utime + stime + cutime + cstime of a process, in ticks. */
function cpuTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return 0;
  }
}

function rssKb(pid: number, field = 'VmRSS'): number {
  try {
    return parseStatusKb(readFileSync(`/proc/${pid}/status`, 'utf8'), field) ?? 0;
  } catch {
    return 0;
  }
}

export class RegistrySlot {
  readonly slot: Slot;
  source: InnerRegistry | undefined;
  #port = 5100;

  constructor(slot: Slot) {
    this.slot = slot;
  }

  get key(): SlotKey {
    return this.slot.key;
  }

  /** Starts the source registry in the slot's sandbox and seeds it with the image (untimed). */
  async prepare(img: BenchImage): Promise<void> {
    const sb = this.slot.sb!;
    this.source = await startRegistryIn(sb, { name: 'bench-source', addr: SOURCE });
    await skopeo(sb, ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${img.ociDir}:v1`, `docker://${PULL_REF}`], 300_000);
  }

  /** Removes every image of the daemon (so nothing of the bench image is cached), ignoring "no such image". */
  async removeImages(): Promise<void> {
    const ids = (await this.slot.docker(['images', '-aq'])).out.split('\n').filter(Boolean);
    if (ids.length) await this.slot.docker(['rmi', '-f', ...new Set(ids)], 120_000);
  }

  /**
   * The engine's processes: the daemon and every process below it (containerd, unpigz…), not the registries that
   * share the sandbox, with their RSS and CPU ticks (own + reaped children). Reads only /proc/<pid>/stat and
   * status (no smaps: walking a big process's page tables while it works would slow it down).
   */
  #engine(): { daemonKb: number; engineKb: number; ticks: Map<number, number> } {
    const sb = this.slot.sb!;
    const daemonPid = sb.daemonPid;
    const ticks = new Map<number, number>();
    if (daemonPid === undefined) return { daemonKb: 0, engineKb: 0, ticks };
    const pids = sb.processes();
    const parent = new Map(pids.map((pid) => [pid, procInfo(pid)?.ppid]));
    const underDaemon = (pid: number): boolean => {
      for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 64; p = parent.get(p), hops++) if (p === daemonPid) return true;
      return false;
    };
    let daemonKb = 0;
    let engineKb = 0;
    for (const pid of pids.filter(underDaemon)) {
      const kb = rssKb(pid);
      engineKb += kb;
      if (pid === daemonPid) daemonKb = kb;
      ticks.set(pid, cpuTicks(pid));
    }
    return { daemonKb, engineKb, ticks };
  }

  /** Runs `fn` and returns the CPU time (ms) the engine's processes used meanwhile. */
  async #withCpu<T>(fn: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
    const start = this.#engine().ticks;
    const value = await fn();
    let ticks = 0;
    for (const [pid, t] of this.#engine().ticks) ticks += t - (start.get(pid) ?? 0);
    return { value, cpuMs: (ticks * 1000) / CLK_TCK };
  }

  /** `docker pull` of the 5-layer image, timed, with the engine's RSS sampled every 100 ms and its CPU time. */
  async pull(): Promise<PullSample> {
    const daemonBeforeKb = this.#engine().daemonKb;
    let daemonPeakKb = daemonBeforeKb;
    let enginePeakKb = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = this.#engine();
        enginePeakKb = Math.max(enginePeakKb, m.engineKb);
        daemonPeakKb = Math.max(daemonPeakKb, m.daemonKb);
        await sleep(100);
      }
    })();
    try {
      const { value: r, cpuMs } = await this.#withCpu(() => this.slot.docker(['pull', PULL_REF], 300_000));
      if (!/Downloaded newer image/.test(r.out)) throw new Error(`pull did not download anything:\n${r.out}`);
      // the kernel's high-water mark catches a peak between two samples (it counts from the daemon's start)
      const pid = this.slot.sb!.daemonPid;
      const hwm = pid === undefined ? 0 : rssKb(pid, 'VmHWM');
      return { ms: r.ms, cpuMs, daemonPeakKb: Math.max(daemonPeakKb, hwm), enginePeakKb, daemonBeforeKb };
    } finally {
      sampling = false;
      await sampler;
    }
  }

  /**
   * Pushes `localRef` to a fresh registry (a new one per push, so no layer is there or mountable yet), timed.
   * The registry and its storage are removed afterwards.
   */
  async pushFresh(localRef: string): Promise<Timed> {
    const sb = this.slot.sb!;
    const addr = `127.0.0.1:${this.#port++}`;
    const reg = await startRegistryIn(sb, { name: `bench-push-${addr.split(':')[1]}`, addr });
    try {
      const target = `${addr}/bench/pushed:v1`;
      await this.slot.docker(['tag', localRef, target]);
      const { value: r, cpuMs } = await this.#withCpu(() => this.slot.docker(['push', target], 300_000));
      if (!/: Pushed$/m.test(r.out)) throw new Error(`push uploaded nothing:\n${r.out}`);
      await this.slot.docker(['rmi', target]);
      return { ms: r.ms, cpuMs };
    } finally {
      await reg.stop();
      rmSync(reg.dir, { recursive: true, force: true });
    }
  }

  /** `docker load` of the archive (untimed): the plain-tar layers a push has to compress. */
  async load(img: BenchImage): Promise<void> {
    const sb = this.slot.sb!;
    const r = await sb.docker(['load', '-i', img.archive], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(sb.explain(r, 'docker load failed'));
  }
}
