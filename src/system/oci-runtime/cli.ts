import { basename } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import { run } from '../exec/exec.ts';
import { isNotExist, runtimeErrorText } from './errors.ts';

/** `<runtime> state` as crun and runc print it. */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  created?: string;
}

/**
 * One OCI runtime binary (crun or runc) with its own state root (`--root`), never the global default.
 * Each method is one exec of the runtime. Errors are SystemError carrying the runtime's own text
 * (see runtimeErrorText); "does not exist" is reported as `undefined` (state) or ignored (delete).
 */
export class OciRuntimeCli {
  readonly path: string;
  readonly root: string;
  readonly name: string;
  constructor(path: string, root: string) {
    this.path = path;
    this.root = root;
    this.name = basename(path);
  }

  /** Global arguments for the runtime (also passed through conmon's --runtime-arg). */
  globalArgs(): string[] {
    return [`--root=${this.root}`];
  }

  async #run(ctx: Ctx, op: string, args: string[]): Promise<string> {
    const res = await run(ctx, this.path, [...this.globalArgs(), ...args], { allowFail: true });
    if (res.code !== 0) {
      throw new SystemError(runtimeErrorText(this.name, res.stderr || res.stdout, op), { cause: { code: res.code, stderr: res.stderr } });
    }
    return res.stdout;
  }

  async start(ctx: Ctx, id: string): Promise<void> {
    await this.#run(ctx, 'start', ['start', id]);
  }

  /** Sends a signal (name with or without SIG, or number) to the init process, or to all processes. */
  async kill(ctx: Ctx, id: string, signal: string | number, all = false): Promise<void> {
    await this.#run(ctx, 'kill', ['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  async pause(ctx: Ctx, id: string): Promise<void> {
    await this.#run(ctx, 'pause', ['pause', id]);
  }

  async resume(ctx: Ctx, id: string): Promise<void> {
    await this.#run(ctx, 'resume', ['resume', id]);
  }

  /** `delete --force`: kills what is left and removes the state (and the container's cgroup). Idempotent. */
  async delete(ctx: Ctx, id: string): Promise<void> {
    const res = await run(ctx, this.path, [...this.globalArgs(), 'delete', '--force', id], { allowFail: true });
    if (res.code !== 0 && !isNotExist(res.stderr)) {
      throw new SystemError(runtimeErrorText(this.name, res.stderr, 'delete'));
    }
  }

  async state(ctx: Ctx, id: string): Promise<OciState | undefined> {
    const res = await run(ctx, this.path, [...this.globalArgs(), 'state', id], { allowFail: true });
    if (res.code !== 0) {
      if (isNotExist(res.stderr)) return undefined;
      throw new SystemError(runtimeErrorText(this.name, res.stderr, 'state'));
    }
    return JSON.parse(res.stdout) as OciState;
  }

  /** Ids of the containers in this root. */
  async list(ctx: Ctx): Promise<string[]> {
    const out = await this.#run(ctx, 'list', ['list', '--quiet']);
    return out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }

  async version(ctx: Ctx): Promise<string> {
    const res = await run(ctx, this.path, ['--version']);
    return res.stdout.split('\n')[0]?.trim() ?? '';
  }
}
