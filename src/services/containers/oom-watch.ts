import type { ContainerRecord } from '../../domain/container/types.ts';
import type { CgroupHost } from '../../system/cgroups/cgroups.ts';

interface Watch {
  timer?: NodeJS.Timeout;
  seen: number;
  path: string;
}

/**
 * OOM kills of containers, from the kernel's own counter in the container's memory cgroup (v1
 * memory.oom_control `oom_kill`, v2 memory.events) — no eventfd or containerd event stream, so it works on a
 * hybrid v1 host whatever other hierarchies exist. Containers with a memory limit are polled while they run (an
 * `oom` event soon after a kill, as dockerd's); every container's counter is read once more at its exit, before
 * its cgroup is removed.
 */
export class OomWatcher {
  readonly #cg: CgroupHost;
  readonly #emit: (rec: ContainerRecord) => void;
  readonly #watches = new Map<string, Watch>();
  readonly #intervalMs: number;

  constructor(cg: CgroupHost, emit: (rec: ContainerRecord) => void, intervalMs = 500) {
    this.#cg = cg;
    this.#emit = emit;
    this.#intervalMs = intervalMs;
  }

  /** Starts watching a (re)started container; `seen` is the counter at start (0 for a new cgroup). */
  watch(rec: ContainerRecord, path: string, seen = 0): void {
    this.stop(rec.Id);
    const w: Watch = { seen, path };
    this.#watches.set(rec.Id, w);
    if (!((rec.HostConfig.Memory ?? 0) > 0)) return;
    const tick = async () => {
      if (this.#watches.get(rec.Id) !== w) return;
      await this.#check(rec, w);
      if (this.#watches.get(rec.Id) === w) {
        w.timer = setTimeout(() => void tick(), this.#intervalMs);
        w.timer.unref?.();
      }
    };
    w.timer = setTimeout(() => void tick(), this.#intervalMs);
    w.timer.unref?.();
  }

  async #check(rec: ContainerRecord, w: Watch): Promise<number> {
    const n = await this.#cg.oomKills(w.path);
    for (; w.seen < n; w.seen++) this.#emit(rec);
    return n;
  }

  /**
   * At the exit: the last look at the counter (emitting what the polling missed). True when the OOM killer
   * killed a process of the container during this run (State.OOMKilled).
   */
  async finish(rec: ContainerRecord, path: string): Promise<boolean> {
    const w = this.#watches.get(rec.Id) ?? { seen: 0, path };
    this.stop(rec.Id);
    const n = await this.#check(rec, w).catch(() => w.seen);
    return n > 0;
  }

  stop(id: string): void {
    const w = this.#watches.get(id);
    if (!w) return;
    clearTimeout(w.timer);
    this.#watches.delete(id);
  }

  stopAll(): void {
    for (const id of [...this.#watches.keys()]) this.stop(id);
  }
}
