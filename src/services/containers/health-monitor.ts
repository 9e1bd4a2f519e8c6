import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { errorMessage } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import type { Logger } from '../../common/log.ts';
import {
  type HealthConfig,
  type HealthResult,
  applyProbeResult,
  goDuration,
  limitOutput,
  MAX_OUTPUT,
  nextProbeDelayMs,
  probeCommand,
  probeTimeoutMs,
} from '../../domain/container/health.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';
import type { ContainerRuntime } from '../../drivers/runtime/contract.ts';

export interface HealthMonitorDeps {
  runtime: ContainerRuntime;
  log: Logger;
  runtimeDir: (id: string) => string;
  runtimePath: (rec: ContainerRecord) => string;
  /** Emits a container event (exec_create/exec_start/exec_die of the probes, health_status). */
  emit: (rec: ContainerRecord, action: string, extra?: Record<string, string>) => void;
  /** Publishes the new health state (in memory at once; persisted best effort). */
  saved: (rec: ContainerRecord) => Promise<void>;
}

interface Watch {
  timer?: NodeJS.Timeout;
  ac: AbortController;
}

/**
 * Runs a container's HEALTHCHECK: one probe (an exec in the container) per interval, the result applied to
 * State.Health, a `health_status: <status>` event when the status changes. One monitor per running container;
 * stopped while paused or after the exit (State.Health stays, as dockerd keeps it).
 */
export class HealthMonitor {
  readonly #d: HealthMonitorDeps;
  readonly #watches = new Map<string, Watch>();

  constructor(d: HealthMonitorDeps) {
    this.#d = d;
  }

  /** A (re)started container: status `starting`, streak reset, probes scheduled. No-op without a check. */
  start(rec: ContainerRecord): void {
    const h = rec.Config.Healthcheck as HealthConfig | undefined;
    if (!probeCommand(h, this.#shell(rec))) return;
    this.stop(rec.Id);
    rec.State.Health = { Status: 'starting', FailingStreak: 0, Log: rec.State.Health?.Log ?? [] };
    this.resume(rec);
  }

  /** Schedules probes again after an unpause, keeping the status. */
  resume(rec: ContainerRecord): void {
    const h = rec.Config.Healthcheck as HealthConfig | undefined;
    if (!probeCommand(h, this.#shell(rec)) || !rec.State.Health || this.#watches.has(rec.Id)) return;
    const w: Watch = { ac: new AbortController() };
    this.#watches.set(rec.Id, w);
    this.#schedule(rec, w);
  }

  stop(id: string): void {
    const w = this.#watches.get(id);
    if (!w) return;
    this.#watches.delete(id);
    clearTimeout(w.timer);
    w.ac.abort();
  }

  stopAll(): void {
    for (const id of [...this.#watches.keys()]) this.stop(id);
  }

  #shell(rec: ContainerRecord): string[] {
    const sh = rec.Config.Shell;
    return Array.isArray(sh) && sh.length > 0 ? (sh as string[]) : ['/bin/sh', '-c'];
  }

  #schedule(rec: ContainerRecord, w: Watch): void {
    const h = rec.Config.Healthcheck as HealthConfig;
    const delay = nextProbeDelayMs(h, Date.parse(rec.State.StartedAt), Date.now(), rec.State.Health?.Status ?? 'starting');
    w.timer = setTimeout(() => {
      void this.#probeOnce(rec, w).finally(() => {
        if (this.#watches.get(rec.Id) === w && !w.ac.signal.aborted) this.#schedule(rec, w);
      });
    }, delay);
    w.timer.unref?.();
  }

  async #probeOnce(rec: ContainerRecord, w: Watch): Promise<void> {
    const h = rec.Config.Healthcheck as HealthConfig;
    const start = new Date();
    let result: HealthResult;
    try {
      result = await this.#run(rec, h, w.ac.signal, start);
    } catch (err) {
      if (w.ac.signal.aborted) return;
      this.#d.log.warn(`Health check for container ${rec.Id} error: ${errorMessage(err)}`);
      result = { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: -1, Output: errorMessage(err) };
    }
    if (w.ac.signal.aborted || this.#watches.get(rec.Id) !== w || !rec.State.Health) return;
    const { state, changed } = applyProbeResult(rec.State.Health, result, h, Date.parse(rec.State.StartedAt));
    rec.State.Health = state;
    await this.#d.saved(rec).catch(() => {});
    if (changed) this.#d.emit(rec, `health_status: ${state.Status}`);
  }

  async #run(rec: ContainerRecord, h: HealthConfig, signal: AbortSignal, start: Date): Promise<HealthResult> {
    const argv = probeCommand(h, this.#shell(rec))!;
    const ctx: Ctx = { log: this.#d.log };
    const rdir = this.#d.runtimeDir(rec.Id);
    const spec = JSON.parse(await readFile(join(rdir, 'config.json'), 'utf8')) as { process: Record<string, unknown> };
    const process = { ...spec.process, args: argv, terminal: false, cwd: rec.Config.WorkingDir || (spec.process.cwd as string) || '/' };
    delete (process as Record<string, unknown>).consoleSize;
    const execId = newId();
    const cmdline = `${argv[0]} ${argv.slice(1).join(' ')}`;
    this.#d.emit(rec, `exec_create: ${cmdline}`, { execID: execId });
    const r = await this.#d.runtime.exec(ctx, {
      containerId: rec.Id,
      execId,
      bundle: rdir,
      runtimeDir: rdir,
      runtimePath: this.#d.runtimePath(rec),
      process,
      tty: false,
      openStdin: false,
    });
    this.#d.emit(rec, `exec_start: ${cmdline}`, { execID: execId });
    const out: Buffer[] = [];
    let size = 0;
    const closed = new Promise<void>((res) => r.streams.onClose(() => res()));
    r.streams.onData((_s, data) => {
      if (size >= MAX_OUTPUT) return;
      out.push(data);
      size += data.length;
    });
    const timeout = probeTimeoutMs(h);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeout);
    });
    const aborted = new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
    const code = await Promise.race([r.exit, timedOut, aborted]);
    clearTimeout(timer);
    if (code === 'timeout' || code === 'aborted') {
      try {
        globalThis.process.kill(r.pid, 'SIGKILL');
      } catch {
        // gone already
      }
      const exit = await Promise.race([r.exit, new Promise<number>((res) => setTimeout(() => res(-1), 5000))]);
      this.#d.emit(rec, 'exec_die', { execID: execId, exitCode: String(exit) });
      const o = limitOutput(out);
      const d = goDuration(timeout * 1e6);
      return { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: -1, Output: o ? `Health check exceeded timeout (${d}): ${o}` : `Health check exceeded timeout (${d})` };
    }
    // the output that came just before the exit
    await Promise.race([closed, new Promise((res) => setTimeout(res, 1000))]);
    this.#d.emit(rec, 'exec_die', { execID: execId, exitCode: String(code) });
    return { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: code, Output: limitOutput(out) };
  }
}
