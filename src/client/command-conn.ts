/**
 * A connection carried by a child process's stdin and stdout (docker's commandconn): what `ssh … dial-stdio` gives
 * the Engine API client. It is a Duplex like a socket: writes go to the child's stdin, its stdout is read, end()
 * closes stdin (the half-close reaches the daemon through the remote dial-stdio), destroy() ends the child
 * (SIGTERM, SIGKILL 3 s later). The child gets its own session, as docker's does: the terminal's Ctrl-C reaches
 * the CLI (which forwards it to the container), not ssh. When stdout ends and the child failed, the read side
 * fails with docker's message, which carries the child's last stderr ("ssh: connect to host … refused").
 */
import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { Readable, Writable } from 'node:stream';

/** The child exited with an error (or never started). `message` is docker's wording. */
export class CommandConnError extends Error {
  override name = 'CommandConnError';
}

/** What the error says to do, after "make sure the URL is valid, and …". */
const HINT = 'berth or Docker 18.09 or later is installed on the remote host';

/** Children still running when the process exits get SIGTERM (docker sets a parent-death signal instead). */
const live = new Set<ChildProcessByStdio<Writable, Readable, Readable>>();
let exitHook = false;

function killOnExit(child: ChildProcessByStdio<Writable, Readable, Readable>): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGTERM');
      } catch {
        // gone already
      }
    }
  });
}

/** Go's exec.ExitError text: "exit status N" or "signal: killed". */
function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_TEXT[signal] ?? signal}`;
  return `exit status ${code}`;
}

const SIGNAL_TEXT: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
  SIGPIPE: 'broken pipe',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
};

export class CommandConn extends Duplex {
  readonly argv: string[];
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  #stderr = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exited: Promise<void>;
  #killTimer: NodeJS.Timeout | undefined;
  #eof = false;

  constructor(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    super({ allowHalfOpen: true });
    // errors reach whoever reads the connection; none may crash the process before a reader is attached
    this.on('error', () => {});
    this.argv = [cmd, ...args];
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env, detached: true });
    this.#child = child;
    killOnExit(child);
    this.#exited = new Promise<void>((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        // the program could not be started: Go's exec error text
        this.#exit ??= { code: null, signal: null };
        this.#stderr = '';
        this.destroy(new CommandConnError(`exec: "${cmd}": ${err.code === 'ENOENT' ? 'executable file not found in $PATH' : err.message}`));
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        if (this.#killTimer) clearTimeout(this.#killTimer);
        resolve();
      });
    });
    child.stderr.on('data', (b: Buffer) => {
      // docker keeps the last 4 KiB or so
      this.#stderr = (this.#stderr.length > 4096 ? '' : this.#stderr) + b.toString('utf8');
    });
    child.stdout.on('data', (b: Buffer) => {
      if (this.destroyed) return;
      if (!this.push(b)) child.stdout.pause();
    });
    child.stdout.once('end', () => {
      this.#eof = true;
      void this.#onEof();
    });
    child.stdin.on('error', () => {
      // EPIPE: the child is gone; the read side reports why
    });
  }

  /** The child's stdout ended: a clean end when it exited 0, docker's error otherwise. */
  async #onEof(): Promise<void> {
    await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    if (this.destroyed) return;
    const e = this.#exit;
    if (!e) {
      this.destroy(new CommandConnError(`command ${this.#argvText()} did not exit after EOF: stderr=${JSON.stringify(this.#stderr)}`));
      return;
    }
    if (e.code === 0) {
      this.push(null);
      return;
    }
    this.destroy(
      new CommandConnError(`command ${this.#argvText()} has exited with ${exitText(e.code, e.signal)}, make sure the URL is valid, and ${HINT}: stderr=${this.#stderr}`),
    );
  }

  /** Go's %v of the argv slice. */
  #argvText(): string {
    return `[${this.argv.join(' ')}]`;
  }

  /** False once the child's stdout ended or the child exited: an idle connection that can no longer be reused. */
  get alive(): boolean {
    return !this.destroyed && !this.#eof && !this.#exit;
  }

  /** The child's pid (undefined when it could not be started). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  override _read(): void {
    this.#child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.#child.stdin.destroyed) {
      cb();
      return;
    }
    this.#child.stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#child.stdin.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const child = this.#child;
    child.stdin.destroy();
    child.stdout.destroy();
    child.stderr.destroy();
    if (!this.#exit && child.pid !== undefined) {
      try {
        child.kill('SIGTERM');
      } catch {
        // gone already
      }
      this.#killTimer = setTimeout(() => {
        if (!this.#exit) child.kill('SIGKILL');
      }, 3000);
      this.#killTimer.unref();
    }
    cb(err);
  }
}
