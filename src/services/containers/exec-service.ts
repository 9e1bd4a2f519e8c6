import { defaultBridgeLinks } from '../../domain/net/links.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, InvalidArgumentError, NotFoundError, errorMessage } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';
import type { AttachStreams, ContainerRuntime } from '../../drivers/runtime/contract.ts';
import type { EventsService } from '../events/events.ts';
import type { ContainerService } from './container-service.ts';

export interface ExecConfig {
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  DetachKeys: string;
  Tty: boolean;
  Env: string[];
  Cmd: string[];
  Privileged: boolean;
  User: string;
  WorkingDir: string;
  ConsoleSize?: [number, number];
}

export interface ExecRecord {
  ID: string;
  ContainerID: string;
  Config: ExecConfig;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  started: boolean;
  resize?: (h: number, w: number) => Promise<void>;
  pendingSize?: [number, number];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** docker exec: processes started in a running container's namespaces, each under its own conmon. */
export class ExecService {
  readonly #execs = new Map<string, ExecRecord>();
  readonly #containers: ContainerService;
  readonly #runtime: ContainerRuntime;
  readonly #events: EventsService;
  readonly #runtimePath: (rec: ContainerRecord) => string;

  constructor(containers: ContainerService, runtime: ContainerRuntime, events: EventsService, runtimePath: (rec: ContainerRecord) => string) {
    this.#containers = containers;
    this.#runtime = runtime;
    this.#events = events;
    this.#runtimePath = runtimePath;
  }

  #emit(rec: ContainerRecord, action: string, extra: Record<string, string>): void {
    this.#events.emit({ type: 'container', action, id: rec.Id, from: rec.Config.Image, attributes: { ...rec.Config.Labels, ...extra, image: rec.Config.Image, name: rec.Name.slice(1) } });
  }

  /** dockerd works the link environment out again for an exec: every linked container must still run. */
  #checkLinks(rec: ContainerRecord): void {
    for (const l of defaultBridgeLinks(rec.HostConfig.NetworkMode, rec.HostConfig.Links)) {
      const child = this.#containers.store.find(l.target);
      if (!child?.State.Running) throw new ConflictError(`Cannot link to a non running container: ${child?.Name ?? `/${l.target}`} AS ${rec.Name}/${l.alias}`);
    }
  }

  create(ref: string, body: Record<string, unknown>): { Id: string } {
    const rec = this.#containers.requireRunning(ref);
    this.#checkLinks(rec);
    const cmd = body.Cmd;
    if (!Array.isArray(cmd) || cmd.length === 0) throw new InvalidArgumentError('No exec command specified');
    if (!cmd.every((c) => typeof c === 'string')) throw new InvalidArgumentError('json: cannot unmarshal into Go struct field ExecConfig.Cmd of type []string');
    const env = body.Env ?? [];
    if (!Array.isArray(env) || !env.every((e) => typeof e === 'string')) throw new InvalidArgumentError('json: cannot unmarshal into Go struct field ExecConfig.Env of type []string');
    const b = (k: string) => {
      const v = body[k];
      if (v !== undefined && v !== null && typeof v !== 'boolean') throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field ExecConfig.${k} of type bool`);
      return v === true;
    };
    const s = (k: string) => {
      const v = body[k];
      if (v !== undefined && v !== null && typeof v !== 'string') throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field ExecConfig.${k} of type string`);
      return (v as string | undefined) ?? '';
    };
    const wd = s('WorkingDir');
    if (wd && !wd.startsWith('/')) throw new InvalidArgumentError(`the working directory '${wd}' is invalid, it needs to be an absolute path`);
    const id = newId();
    const cfg: ExecConfig = {
      AttachStdin: b('AttachStdin'),
      AttachStdout: b('AttachStdout'),
      AttachStderr: b('AttachStderr'),
      DetachKeys: s('DetachKeys'),
      Tty: b('Tty'),
      Env: env as string[],
      Cmd: cmd as string[],
      Privileged: b('Privileged'),
      User: s('User'),
      WorkingDir: wd,
    };
    if (Array.isArray(body.ConsoleSize) && body.ConsoleSize.length === 2) cfg.ConsoleSize = body.ConsoleSize as [number, number];
    this.#execs.set(id, { ID: id, ContainerID: rec.Id, Config: cfg, Running: false, ExitCode: null, Pid: 0, started: false });
    const r = rec as ContainerRecord & { ExecIDs?: string[] };
    r.ExecIDs = [...(r.ExecIDs ?? []), id];
    this.#emit(rec, `exec_create: ${cfg.Cmd.join(' ')}`, { execID: id });
    return { Id: id };
  }

  get(id: string): ExecRecord {
    const e = this.#execs.get(id);
    if (!e) throw new NotFoundError(`No such exec instance: ${id}`);
    return e;
  }

  /** Builds the exec's OCI process from the container's own (env, caps, rlimits), as dockerd does. */
  async #process(rec: ContainerRecord, e: ExecRecord, tty: boolean): Promise<Record<string, unknown>> {
    const spec = JSON.parse(await readFile(join(this.#containers.runtimeDir(rec.Id), 'config.json'), 'utf8')) as { process: Record<string, unknown> };
    const base = spec.process;
    const env = [...((base.env as string[]) ?? [])];
    for (const kv of e.Config.Env) {
      const k = kv.split('=')[0];
      const i = env.findIndex((x) => x.split('=')[0] === k);
      if (i >= 0) env[i] = kv;
      else env.push(kv);
    }
    if (tty && !env.some((x) => x.startsWith('TERM='))) env.push('TERM=xterm');
    const proc: Record<string, unknown> = { ...base, args: e.Config.Cmd, env, terminal: tty, cwd: e.Config.WorkingDir || base.cwd || '/' };
    if (e.Config.User) {
      const { resolveExecUser } = await import('./user.ts');
      proc.user = await resolveExecUser(this.#containers.rootfsPath(rec.Id), e.Config.User);
    }
    if (e.Config.Privileged) {
      const caps = (base.capabilities as Record<string, string[]> | undefined) ?? {};
      const { allCapabilities } = await import('./user.ts');
      const all = allCapabilities();
      proc.capabilities = { ...caps, bounding: all, effective: all, permitted: all };
    }
    if (e.Config.ConsoleSize) proc.consoleSize = { height: e.Config.ConsoleSize[0], width: e.Config.ConsoleSize[1] };
    return proc;
  }

  /**
   * Starts the exec. Returns its streams (for the hijacked connection) and a promise of the exit code.
   * Throws ConflictError if already started or the container stopped meanwhile.
   */
  /** The checks dockerd makes before it takes over the connection: unknown exec 404, already run or container down 409. */
  precheck(id: string): ExecRecord {
    const e = this.get(id);
    if (e.started) throw new ConflictError(`Error: Exec command ${id} has already run`);
    this.#containers.requireRunning(e.ContainerID);
    return e;
  }

  async start(ctx: Ctx, id: string, opts: { tty?: boolean; consoleSize?: [number, number] }): Promise<{ streams: AttachStreams; exit: Promise<number>; exec: ExecRecord }> {
    const e = this.precheck(id);
    const rec = this.#containers.requireRunning(e.ContainerID);
    e.started = true;
    if (opts.consoleSize) e.Config.ConsoleSize = opts.consoleSize;
    const tty = opts.tty ?? e.Config.Tty;
    const proc = await this.#process(rec, e, tty);
    let r: Awaited<ReturnType<ContainerRuntime['exec']>>;
    try {
      r = await this.#runtime.exec(ctx, {
        containerId: rec.Id,
        execId: id,
        bundle: this.#containers.runtimeDir(rec.Id),
        runtimeDir: this.#containers.runtimeDir(rec.Id),
        runtimePath: this.#runtimePath(rec),
        process: proc,
        tty,
        openStdin: e.Config.AttachStdin,
      });
    } catch (err) {
      e.ExitCode = 126;
      this.#emit(rec, 'exec_die', { execID: id, exitCode: '126' });
      throw err;
    }
    e.Running = true;
    e.Pid = r.pid;
    e.resize = r.resize;
    if (e.pendingSize) void r.resize(e.pendingSize[0], e.pendingSize[1]).catch(() => {});
    this.#emit(rec, `exec_start: ${e.Config.Cmd.join(' ')}`, { execID: id });
    const exit = r.exit.then(
      (code) => {
        e.Running = false;
        e.ExitCode = code;
        this.#emit(rec, 'exec_die', { execID: id, exitCode: String(code) });
        this.#forgetLater(e);
        return code;
      },
      (err) => {
        e.Running = false;
        e.ExitCode = 126;
        ctx.log.warn('exec failed', { id, error: errorMessage(err) });
        this.#forgetLater(e);
        return 126;
      },
    );
    return { streams: r.streams, exit, exec: e };
  }

  /** Keeps a finished exec inspectable for a while (docker exec reads ExitCode after the stream ends). */
  #forgetLater(e: ExecRecord): void {
    setTimeout(() => {
      this.#execs.delete(e.ID);
      const rec = this.#containers.store.find(e.ContainerID) as (ContainerRecord & { ExecIDs?: string[] }) | undefined;
      if (rec?.ExecIDs) rec.ExecIDs = rec.ExecIDs.filter((x) => x !== e.ID);
    }, 5 * 60_000).unref();
  }

  async resize(id: string, h: number, w: number): Promise<void> {
    const e = this.get(id);
    if (!e.resize) {
      e.pendingSize = [h, w];
      return;
    }
    await e.resize(h, w);
  }

  inspect(id: string): Record<string, unknown> {
    const e = this.get(id);
    return {
      ID: e.ID,
      Running: e.Running,
      ExitCode: e.Running || !e.started ? null : e.ExitCode,
      ProcessConfig: { tty: e.Config.Tty, entrypoint: e.Config.Cmd[0], arguments: e.Config.Cmd.slice(1), privileged: e.Config.Privileged, user: e.Config.User || undefined },
      OpenStdin: e.Config.AttachStdin,
      OpenStderr: e.Config.AttachStderr,
      OpenStdout: e.Config.AttachStdout,
      CanRemove: false,
      ContainerID: e.ContainerID,
      DetachKeys: e.Config.DetachKeys,
      Pid: e.Pid,
    };
  }

  static isObj = isObj;
}
