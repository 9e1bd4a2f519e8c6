import { spawn } from 'node:child_process';
import { SystemError } from '../../common/errors.ts';
import type { Ctx } from '../../common/ctx.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  input?: string | Uint8Array;
  env?: NodeJS.ProcessEnv;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFail?: boolean;
  cwd?: string;
}

/**
 * Runs a program and collects its output. Never blocks the event loop (no execFileSync in the daemon: a child
 * may call back into it). Throws SystemError with the program's stderr when it exits non-zero.
 */
export function run(ctx: Ctx, cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      signal: ctx.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new SystemError(`${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      const res = {
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (res.code !== 0 && !opts.allowFail) {
        const detail = res.stderr.trim() || res.stdout.trim() || `exit status ${res.code}`;
        reject(new SystemError(`${cmd} ${args.slice(0, 3).join(' ')}: ${detail}`));
        return;
      }
      resolve(res);
    });
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    ctx.log.debug('exec', { cmd, args: args.join(' ') });
  });
}
