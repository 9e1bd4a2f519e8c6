import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { SyncParser, type SyncMessage } from './sync.ts';

export interface ConmonSpawnOptions {
  cwd: string;
  /** exec with --exec-attach: also pass the start pipe (fd 4) and the attach pipe (fd 5). */
  execAttach: boolean;
}

/** A queue of messages from one of conmon's pipes; waiters are rejected when the pipe ends. */
class MessageQueue {
  readonly #msgs: SyncMessage[] = [];
  readonly #waiters: { resolve: (m: SyncMessage) => void; reject: (e: Error) => void }[] = [];
  #ended: Error | undefined;
  push(m: SyncMessage): void {
    const w = this.#waiters.shift();
    if (w) w.resolve(m);
    else this.#msgs.push(m);
  }
  end(err: Error): void {
    if (this.#ended) return;
    this.#ended = err;
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
  next(): Promise<SyncMessage> {
    const m = this.#msgs.shift();
    if (m) return Promise.resolve(m);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}

/**
 * One conmon invocation seen from the daemon: the pipes it reports on. conmon's first process exits at once
 * (it double-forks; the monitor lives on, holding the pipes), so `parentExit` resolves quickly and the messages
 * come from the monitor: on the sync pipe (fd 3) the container pid or `{"data": -1, "message": <runtime stderr>}`,
 * then for an exec the exit code; on the attach pipe (fd 5, exec only) `{"data": 0}` once the attach socket listens.
 */
export class ConmonProcess {
  readonly #child: ChildProcess;
  readonly #sync = new MessageQueue();
  readonly #attach = new MessageQueue();
  readonly #output: Buffer[] = [];
  readonly parentExit: Promise<number>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.parentExit = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      child.once('error', () => resolve(127));
    });
  }

  static spawn(conmonPath: string, args: string[], opts: ConmonSpawnOptions): ConmonProcess {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' };
    if (opts.execAttach) {
      env._OCI_STARTPIPE = '4';
      env._OCI_ATTACHPIPE = '5';
    }
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe', 'pipe'];
    if (opts.execAttach) stdio.push('pipe', 'pipe');
    const child = spawn(conmonPath, args, { stdio, env, cwd: opts.cwd });
    const p = new ConmonProcess(child);
    p.#wire();
    return p;
  }

  #wire(): void {
    const child = this.#child;
    const collect = (b: Buffer) => {
      if (this.#output.reduce((n, x) => n + x.length, 0) < 65536) this.#output.push(b);
    };
    (child.stdio[1] as Readable | null)?.on('data', collect);
    (child.stdio[2] as Readable | null)?.on('data', collect);
    const wirePipe = (stream: Readable | null, q: MessageQueue, what: string) => {
      if (!stream) return;
      const parser = new SyncParser();
      stream.on('data', (b: Buffer) => {
        try {
          for (const m of parser.push(b)) q.push(m);
        } catch (err) {
          q.end(err as Error);
        }
      });
      const ended = () => q.end(new Error(`conmon closed its ${what} pipe${this.output() ? `: ${this.output()}` : ''}`));
      stream.on('end', ended);
      stream.on('close', ended);
      stream.on('error', ended);
    };
    wirePipe(child.stdio[3] as Readable, this.#sync, 'sync');
    const attachPipe = (child.stdio as unknown[])[5] as Readable | undefined;
    if (attachPipe) wirePipe(attachPipe, this.#attach, 'attach');
    child.on('error', (err) => {
      const e = new Error(`conmon: ${err.message}`);
      this.#sync.end(e);
      this.#attach.end(e);
    });
    (child.stdio[4] as Writable | null)?.on('error', () => {});
  }

  /** Whatever conmon itself printed (option errors, "Runtime path … is not valid", …), trimmed. */
  output(): string {
    return Buffer.concat(this.#output).toString('utf8').trim();
  }

  get parentPid(): number | undefined {
    return this.#child.pid;
  }

  /** The next message on the sync pipe. */
  nextSync(): Promise<SyncMessage> {
    return this.#sync.next();
  }

  /** exec: resolves when conmon's attach socket listens. */
  async attachReady(): Promise<void> {
    await this.#attach.next();
  }

  /** exec: one write on the start pipe lets conmon go on (first: fork; second: run `<runtime> exec`). */
  releaseStart(): void {
    (this.#child.stdio[4] as Writable | null)?.write('0');
  }

  /** Drops the daemon's ends of the pipes (conmon ignores SIGPIPE; the monitor keeps running). */
  close(): void {
    for (const s of this.#child.stdio) s?.destroy();
    this.#sync.end(new Error('conmon pipes closed'));
    this.#attach.end(new Error('conmon pipes closed'));
  }
}
