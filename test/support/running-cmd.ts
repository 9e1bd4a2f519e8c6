import { spawn } from 'node:child_process';
import { type CmdOptions, type CmdResult, describeCmd, killGroup, mergeEnv } from './proc.ts';

/** A command left running in the background (`docker logs -f`, `docker events`), watched by a test. */
export interface RunningCmd {
  readonly argv: string[];
  readonly pid: number | undefined;
  stdout(): string;
  stderr(): string;
  /** Waits until stdout matches; rejects with the output so far when the time runs out or the command exits. */
  waitForStdout(what: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the command exits (never rejects). */
  readonly done: Promise<CmdResult>;
  /** Signals the command's process group (default SIGKILL). */
  kill(sig?: NodeJS.Signals): void;
}

export function startCmd(argv: string[], opts: CmdOptions = {}): RunningCmd {
  const started = Date.now();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: mergeEnv(opts.env), cwd: opts.cwd, detached: true });
  let out = '';
  let err = '';
  let exited = false;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString('utf8');
    wake();
  });
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString('utf8');
  });
  child.stdin.on('error', () => {});
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  const timer = opts.timeoutMs ? setTimeout(() => killGroup(child.pid, 'SIGKILL'), opts.timeoutMs) : undefined;
  const done = new Promise<CmdResult>((resolve) => {
    child.on('error', (e) => {
      err += `spawn ${argv[0]}: ${e.message}\n`;
    });
    child.on('close', (code, signal) => {
      exited = true;
      if (timer) clearTimeout(timer);
      wake();
      resolve({ argv, code: code ?? 128, signal, stdout: out, stderr: err, timedOut: false, durationMs: Date.now() - started });
    });
  });
  const self: RunningCmd = {
    argv,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    done,
    kill: (sig = 'SIGKILL') => {
      if (!exited) killGroup(child.pid, sig);
    },
    async waitForStdout(what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (typeof what === 'string' ? out.includes(what) : what.test(out)) return;
        const left = deadline - Date.now();
        if (left <= 0 || exited) {
          const snapshot: CmdResult = { argv, code: exited ? -1 : -2, signal: null, stdout: out, stderr: err, timedOut: !exited, durationMs: Date.now() - started };
          throw new Error(`${exited ? 'command exited' : `${timeoutMs} ms passed`} before stdout showed ${String(what)}\n${describeCmd(snapshot)}`);
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
  return self;
}
