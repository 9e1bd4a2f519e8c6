import { rmdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cgroupMounts } from '../../test/support/cgroups.ts';
import { uniqueName } from '../../test/support/names.ts';
import { clip } from '../../test/support/proc.ts';
import { Sandbox } from '../../test/support/sandbox.ts';
import type { SandboxRegistry } from './cleanup.ts';

export type SlotKey = 'berth' | 'docker';

export class BudgetError extends Error {}

/**
 * One side of the comparison: a daemon (berthd or dockerd, whichever the slot is configured with) in a sandbox of
 * its own, with the `bb` image imported, driven by the stock docker CLI.
 */
export class Slot {
  readonly key: SlotKey;
  readonly argv: string[];
  readonly deadline: number;
  sb: Sandbox | undefined;
  startError: string | undefined;
  serverVersion = '';
  #registry: SandboxRegistry | undefined;

  constructor(key: SlotKey, argv: string[], deadline: number) {
    this.key = key;
    this.argv = argv;
    this.deadline = deadline;
  }

  /** e.g. "berth (berthd)", or "berth (dockerd)" when the slot was pointed at another daemon. */
  get title(): string {
    return `${this.key} (${basename(this.argv[this.argv.length - 1]!)})`;
  }

  get ok(): boolean {
    return this.sb !== undefined && this.startError === undefined;
  }

  /** Starts the daemon, imports busybox as `bb` and does one untimed `run --rm` (first-use costs are not measured). */
  async open(registry: SandboxRegistry): Promise<void> {
    this.#registry = registry;
    // dockerd puts containers under /docker/<id> in every hierarchy and leaves /docker behind: give it a parent of
    // its own, removed after teardown. (berthd's /berth parent is removed by the sandbox's teardown.)
    const isDockerd = this.argv.some((a) => basename(a) === 'dockerd');
    const cgroupParent = isDockerd ? uniqueName(`bench-${this.key}`) : undefined;
    try {
      const sb = await Sandbox.create({
        label: `bench-${this.key}`,
        daemonCommand: this.argv,
        daemonConfig: cgroupParent ? { 'cgroup-parent': `/${cgroupParent}` } : {},
        debug: false,
        readyTimeoutMs: 60_000,
      });
      this.sb = registry.add(sb, cgroupParent ? () => removeCgroupParent(cgroupParent) : undefined);
      this.serverVersion = (await this.docker(['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'])).out;
      await this.sb.importBusybox('bb');
      await this.docker(['run', '--rm', 'bb', 'true'], 60_000);
    } catch (err) {
      this.startError = (err as Error).message;
    }
  }

  /** Runs `docker -H <slot> args…`, timed from spawn to exit; throws with the command's story on a non-zero exit. */
  async docker(args: string[], timeoutMs = 60_000): Promise<{ ms: number; out: string }> {
    const sb = this.sb;
    if (!sb) throw new Error(`${this.key}: no daemon`);
    if (this.#registry?.aborted) throw new BudgetError('interrupted');
    if (Date.now() > this.deadline) throw new BudgetError('time budget of the bench used up');
    const t0 = performance.now();
    const r = await sb.docker(args, { timeoutMs });
    const ms = performance.now() - t0;
    if (r.code !== 0) throw new Error(clip(sb.explain(r, `docker ${args.slice(0, 4).join(' ')}… failed on ${this.title}`), 4000));
    return { ms, out: r.stdout.trim() };
  }
}

/** Removes the (by now empty) cgroup directory `name` from every hierarchy; returns a problem, if any. */
export function removeCgroupParent(name: string): string | undefined {
  const left: string[] = [];
  for (const m of cgroupMounts()) {
    const dir = join(m.mountPoint, name);
    try {
      rmdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') left.push(`${dir}: ${(err as Error).message}`);
    }
  }
  return left.length ? `cgroup parent not removed: ${left.join('; ')}` : undefined;
}
