/** Runs bin/berth (or the stock docker CLI, for side-by-side comparisons) as a child process and captures it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BERTH_BIN = fileURLToPath(new URL('../../../bin/berth', import.meta.url));
export const DOCKER_BIN = '/usr/local/bin/docker';

export function hasDocker(): boolean {
  return existsSync(DOCKER_BIN);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Called with the child once it runs (to send signals). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

export function runCli(bin: string, args: string[], o: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', ...o.env };
    const child = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    o.onSpawn?.(child);
    if (o.input !== undefined) child.stdin.end(o.input);
    else child.stdin.end();
  });
}

export function berth(args: string[], o?: RunOptions): Promise<CliResult> {
  return runCli(BERTH_BIN, args, o);
}

export function docker(args: string[], o?: RunOptions): Promise<CliResult> {
  return runCli(DOCKER_BIN, args, o);
}
