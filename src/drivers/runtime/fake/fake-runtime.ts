import { readFile } from 'node:fs/promises';
import type { Ctx } from '../../../common/ctx.ts';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../common/errors.ts';
import type { AttachStreams, ContainerRuntime, ContainerState, CreatedContainer, ExecOptions, RuntimeCreateOptions } from '../contract.ts';

/** What a fake process sees: its command, output writers, stdin, and the signals sent to it. */
export interface FakeProcessIO {
  args: string[];
  tty: boolean;
  write(stream: 1 | 2, data: string | Buffer): void;
  /** Chunks written to stdin, until it is closed. */
  stdin: AsyncIterable<Buffer>;
  /** Resolves with the first signal sent (name without SIG, e.g. "TERM"). SIGKILL ends the process regardless. */
  signalled: Promise<string>;
}

/** A fake program: returns the exit code. */
export type FakeProgram = (io: FakeProcessIO) => Promise<number> | number;

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, TERM: 15 };

function signalName(s: string | number): string {
  if (typeof s === 'number' || /^\d+$/.test(s)) return Object.entries(SIGNALS).find(([, n]) => n === Number(s))?.[0] ?? String(s);
  return s.toUpperCase().replace(/^SIG/, '');
}

/**
 * The default programs: `echo …`, `true`, `false`, `sh -c "exit N"`, `cat` (stdin to stdout); anything else runs
 * until a signal ends it (exit 128 + signal number). A command containing "nonexistent" fails at create with the
 * OCI runtime's "no such file or directory" error, like a missing executable.
 */
export const defaultProgram: FakeProgram = async (io) => {
  const [cmd, ...rest] = io.args;
  const nl = io.tty ? '\r\n' : '\n';
  switch (cmd) {
    case 'echo':
      io.write(1, rest.join(' ') + nl);
      return 0;
    case 'true':
      return 0;
    case 'false':
      return 1;
    case 'cat':
      for await (const chunk of io.stdin) io.write(1, chunk);
      return 0;
    case 'sh': {
      const m = rest[0] === '-c' ? /^exit (\d+)$/.exec(rest[1] ?? '') : null;
      if (m) return Number(m[1]);
      break;
    }
  }
  const sig = await io.signalled;
  return 128 + (SIGNALS[sig] ?? 15);
};

class FakeStreams implements AttachStreams {
  #data: ((stream: 1 | 2, data: Buffer) => void) | undefined;
  #pending: [1 | 2, Buffer][] = [];
  readonly #close: (() => void)[] = [];
  closed = false;
  stdinClosed = false;
  readonly #proc: FakeProc;
  constructor(proc: FakeProc) {
    this.#proc = proc;
  }
  deliver(stream: 1 | 2, data: Buffer): void {
    if (this.closed) return;
    if (this.#data) this.#data(stream, data);
    else this.#pending.push([stream, data]);
  }
  end(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => this.#flushClose());
  }
  #flushClose(): void {
    for (const cb of this.#close.splice(0)) cb();
  }
  onData(cb: (stream: 1 | 2, data: Buffer) => void): void {
    this.#data = cb;
    for (const [s, d] of this.#pending.splice(0)) cb(s, d);
  }
  onClose(cb: () => void): void {
    this.#close.push(cb);
    if (this.closed) setImmediate(() => this.#flushClose());
  }
  write(data: Buffer): void {
    if (!this.stdinClosed) this.#proc.input(data);
  }
  closeStdin(): void {
    if (this.stdinClosed) return;
    this.stdinClosed = true;
    if (this.#proc.stdinOnce) this.#proc.closeInput();
  }
  close(): void {
    this.end();
  }
}

/** One fake process (a container's init or an exec). */
class FakeProc {
  readonly args: string[];
  readonly tty: boolean;
  readonly stdinOnce: boolean;
  readonly pid: number;
  readonly attached = new Set<FakeStreams>();
  status: 'created' | 'running' | 'paused' | 'stopped' = 'created';
  exitCode: number | undefined;
  readonly #exitWaiters: ((code: number) => void)[] = [];
  readonly #stdin: Buffer[] = [];
  #stdinClosed = false;
  #stdinWake: (() => void) | undefined;
  #signal: ((s: string) => void) | undefined;
  readonly #signalled: Promise<string>;
  constructor(args: string[], tty: boolean, stdinOnce: boolean, pid: number) {
    this.args = args;
    this.tty = tty;
    this.stdinOnce = stdinOnce;
    this.pid = pid;
    this.#signalled = new Promise((r) => (this.#signal = r));
  }
  input(d: Buffer): void {
    if (this.#stdinClosed) return;
    this.#stdin.push(Buffer.from(d));
    this.#stdinWake?.();
  }
  closeInput(): void {
    this.#stdinClosed = true;
    this.#stdinWake?.();
  }
  async *#stdinIter(): AsyncGenerator<Buffer> {
    for (;;) {
      const b = this.#stdin.shift();
      if (b) {
        yield b;
        continue;
      }
      if (this.#stdinClosed) return;
      await new Promise<void>((r) => (this.#stdinWake = r));
      this.#stdinWake = undefined;
    }
  }
  run(program: FakeProgram): void {
    this.status = 'running';
    const io: FakeProcessIO = {
      args: this.args,
      tty: this.tty,
      write: (stream, data) => {
        const b = Buffer.from(data);
        for (const s of this.attached) s.deliver(this.tty ? 1 : stream, b);
      },
      stdin: this.#stdinIter(),
      signalled: this.#signalled,
    };
    Promise.resolve()
      .then(() => program(io))
      .then(
        (code) => this.exit(code),
        () => this.exit(255),
      );
  }
  signal(sig: string): void {
    if (sig === 'KILL') this.exit(137);
    else this.#signal?.(sig);
  }
  exit(code: number): void {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    this.exitCode = code;
    for (const s of this.attached) s.end();
    for (const w of this.#exitWaiters.splice(0)) w(code);
  }
  waitExit(): Promise<number> {
    if (this.exitCode !== undefined) return Promise.resolve(this.exitCode);
    return new Promise((r) => this.#exitWaiters.push(r));
  }
  attach(): FakeStreams {
    const s = new FakeStreams(this);
    if (this.status === 'stopped') s.end();
    else this.attached.add(s);
    return s;
  }
}

/**
 * A stateful in-memory ContainerRuntime for service tests: containers and execs run fake programs (see
 * `defaultProgram`, or pass your own). The command comes from `<bundle>/config.json` like the real one's.
 * Exits are kept per runtime object (a "daemon restart" in a test shares the FakeRuntime).
 */
export class FakeRuntime implements ContainerRuntime {
  readonly containers = new Map<string, FakeProc>();
  readonly #program: FakeProgram;
  #nextPid = 1000;
  constructor(opts: { program?: FakeProgram } = {}) {
    this.#program = opts.program ?? defaultProgram;
  }

  #get(id: string): FakeProc {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError(`fake runtime: container ${id} does not exist`);
    return c;
  }

  async create(_ctx: Ctx, opts: RuntimeCreateOptions): Promise<CreatedContainer> {
    if (this.containers.has(opts.id)) throw new ConflictError(`fake runtime: container ${opts.id} exists`);
    let args: string[] = [];
    try {
      const spec = JSON.parse(await readFile(`${opts.bundle}/config.json`, 'utf8')) as { process?: { args?: string[] } };
      args = spec.process?.args ?? [];
    } catch {
      // no bundle: an empty command
    }
    const cmd = args[0] === '/sbin/docker-init' ? (args[2] ?? '') : (args[0] ?? '');
    if (cmd.includes('nonexistent')) {
      const detail = cmd.includes('/') ? `stat ${cmd}: no such file or directory` : 'executable file not found in $PATH';
      throw new InvalidArgumentError(
        `failed to create shim task: OCI runtime create failed: fake create failed: unable to start container process: exec: ${JSON.stringify(cmd)}: ${detail}: unknown`,
      );
    }
    const userArgs = args[0] === '/sbin/docker-init' ? args.slice(2) : args;
    const proc = new FakeProc(userArgs, opts.tty, opts.stdinOnce ?? true, this.#nextPid++);
    this.containers.set(opts.id, proc);
    return { pid: proc.pid, conmonPid: this.#nextPid++ };
  }

  async start(_ctx: Ctx, id: string, _runtimePath: string): Promise<void> {
    const c = this.#get(id);
    if (c.status !== 'created') throw new ConflictError(`fake runtime: container ${id} is ${c.status}`);
    c.run(this.#program);
  }

  async kill(_ctx: Ctx, id: string, _runtimePath: string, signal: string | number, _all = false): Promise<void> {
    const c = this.#get(id);
    if (c.status !== 'running' && c.status !== 'paused') throw new ConflictError(`fake runtime: container ${id} is not running`);
    c.signal(signalName(signal));
  }

  async pause(_ctx: Ctx, id: string, _runtimePath: string): Promise<void> {
    const c = this.#get(id);
    if (c.status !== 'running') throw new ConflictError(`fake runtime: container ${id} is not running`);
    c.status = 'paused';
  }

  async resume(_ctx: Ctx, id: string, _runtimePath: string): Promise<void> {
    const c = this.#get(id);
    if (c.status !== 'paused') throw new ConflictError(`fake runtime: container ${id} is not paused`);
    c.status = 'running';
  }

  async delete(_ctx: Ctx, id: string, _runtimePath: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (c.status !== 'stopped') c.exit(137);
    this.containers.delete(id);
  }

  async state(_ctx: Ctx, id: string, _runtimePath: string): Promise<ContainerState | undefined> {
    const c = this.containers.get(id);
    return c ? { status: c.status, pid: c.status === 'stopped' ? 0 : c.pid } : undefined;
  }

  waitExit(id: string, _runtimeDir: string, signal?: AbortSignal): Promise<number> {
    const c = this.#get(id);
    if (!signal) return c.waitExit();
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      c.waitExit().then(resolve, reject);
    });
  }

  async readExit(id: string, _runtimeDir: string): Promise<number | undefined> {
    return this.containers.get(id)?.exitCode;
  }

  async attach(_ctx: Ctx, id: string, _runtimeDir: string): Promise<AttachStreams> {
    return this.#get(id).attach();
  }

  async resize(id: string, _runtimeDir: string, _height: number, _width: number): Promise<void> {
    const c = this.#get(id);
    if (c.status !== 'running') throw new ConflictError(`fake runtime: container ${id} is not running`);
  }

  /** Counts the requests per container (the fake writes no log files). */
  readonly logReopens = new Map<string, number>();

  async reopenLog(id: string, _runtimeDir: string): Promise<void> {
    const c = this.#get(id);
    if (c.status === 'stopped') throw new ConflictError(`fake runtime: container ${id} is not running`);
    this.logReopens.set(id, (this.logReopens.get(id) ?? 0) + 1);
  }

  async exec(
    _ctx: Ctx,
    o: ExecOptions,
  ): Promise<{ pid: number; streams: AttachStreams; exit: Promise<number>; resize(h: number, w: number): Promise<void> }> {
    const c = this.#get(o.containerId);
    if (c.status !== 'running') throw new ConflictError(`fake runtime: container ${o.containerId} is not running`);
    const args = ((o.process.args as string[] | undefined) ?? []).map(String);
    const cmd = args[0] ?? '';
    if (cmd.includes('nonexistent')) {
      throw new InvalidArgumentError(
        `OCI runtime exec failed: exec failed: unable to start container process: exec: ${JSON.stringify(cmd)}: executable file not found in $PATH: unknown`,
      );
    }
    const proc = new FakeProc(args, o.tty, true, this.#nextPid++);
    const streams = proc.attach();
    proc.run(this.#program);
    return { pid: proc.pid, streams, exit: proc.waitExit(), resize: async () => {} };
  }
}
