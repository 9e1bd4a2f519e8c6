import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';

/** The outcome of a command run by a test: never thrown, so a test can assert on every part of it. */
export interface CmdResult {
  argv: string[];
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface CmdOptions {
  input?: string | Uint8Array;
  /** Added to (and overriding) the environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Kill the command's process group with SIGKILL after this long (default 60 s). */
  timeoutMs?: number;
  cwd?: string;
}

export function mergeEnv(extra?: Record<string, string | undefined>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Runs a program to completion and collects its output. The child gets its own process group, so a timeout
 * kills it and anything it started (by the group's pid, never by name). A program that cannot be started
 * resolves with code 127 and the reason in stderr.
 */
export function runCmd(argv: string[], opts: CmdOptions = {}): Promise<CmdResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: mergeEnv(opts.env),
      cwd: opts.cwd,
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        argv,
        code: spawnError ? 127 : (code ?? 128 + signalNumber(signal)),
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (spawnError ? `spawn ${argv[0]}: ${spawnError.message}\n` : ''),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig ? (constants.signals[sig] ?? 0) : 0;
}

/** Sends a signal to a process group we created; ignores a group that is already gone. */
export function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/** Sends a signal to one process by pid; false if it no longer exists. */
export function signalPid(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Human-readable account of a command's run, for assertion messages. */
export function describeCmd(res: CmdResult): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const lines = [
    `$ ${res.argv.map(quote).join(' ')}`,
    `exit code: ${res.code}${res.signal ? ` (signal ${res.signal})` : ''}${res.timedOut ? ' (TIMED OUT)' : ''} after ${res.durationMs} ms`,
    `--- stdout ---\n${clip(res.stdout)}`,
    `--- stderr ---\n${clip(res.stderr)}`,
  ];
  return lines.join('\n');
}

export function clip(s: string, max = 6000): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max / 2)}\n… [${s.length - max} characters cut] …\n${s.slice(-max / 2)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or the time runs out (then returns the last value). */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() >= deadline) return v;
    await sleep(intervalMs);
  }
}

// ---- /proc helpers (root pid namespace view) ----

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid it identifies a process across pid reuse. */
  startTime: number;
  comm: string;
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is state (field 3); ppid is field 4, starttime field 22
    return { pid, ppid: Number(fields[1]), startTime: Number(fields[19]), comm };
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  const info = procInfo(pid);
  if (!info) return false;
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The namespace inode of a process, e.g. nsInode(pid, 'net') → 'net:[4026532281]'. */
export function nsOf(pid: number | 'self', kind: 'net' | 'mnt' | 'pid' | 'pid_for_children'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}
