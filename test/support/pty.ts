import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { killGroup, mergeEnv } from './proc.ts';

/**
 * Runs a command on a pseudo-terminal through util-linux `script -qefc CMD /dev/null`, for `docker run -it`,
 * `exec -it` and `attach`. The test types with send() and waits for output with expect(); wait() gives the
 * command's exit code (script -e passes it through).
 */
export interface PtyOptions {
  env?: Record<string, string | undefined>;
  rows?: number;
  cols?: number;
  /** Kill the whole session after this long (default 60 s). */
  timeoutMs?: number;
}

export interface PtyExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Everything the terminal showed, with \r\n turned into \n and ANSI escapes removed. */
  text: string;
  timedOut: boolean;
}

export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function stripAnsi(s: string): string {
  return s
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/\x1b[=>]/g, '');
}

export class PtySession {
  readonly argv: string[];
  readonly #child: ChildProcessWithoutNullStreams;
  #raw = '';
  #cursor = 0;
  #exit: Promise<PtyExit>;
  #timedOut = false;
  #listeners: (() => void)[] = [];

  constructor(argv: string[], opts: PtyOptions = {}) {
    this.argv = argv;
    const inner = `stty rows ${opts.rows ?? 40} cols ${opts.cols ?? 120}; exec ${argv.map(shellQuote).join(' ')}`;
    this.#child = spawn('script', ['-qefc', inner, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: mergeEnv({ TERM: 'xterm', ...opts.env }),
      detached: true,
    });
    const onData = (b: Buffer) => {
      this.#raw += b.toString('utf8');
      for (const l of this.#listeners.splice(0)) l();
    };
    this.#child.stdout.on('data', onData);
    this.#child.stderr.on('data', onData);
    this.#child.stdin.on('error', () => {});
    const timer = setTimeout(() => {
      this.#timedOut = true;
      killGroup(this.#child.pid, 'SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    this.#exit = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => {
        clearTimeout(timer);
        for (const l of this.#listeners.splice(0)) l();
        resolve({ code, signal, text: this.text, timedOut: this.#timedOut });
      });
      this.#child.on('error', (e) => {
        this.#raw += `\n[pty: cannot start script: ${e.message}]\n`;
      });
    });
  }

  /** What the terminal has shown so far (cleaned). */
  get text(): string {
    return stripAnsi(this.#raw).replace(/\r+\n/g, '\n');
  }

  send(s: string): void {
    this.#child.stdin.write(s);
  }

  /**
   * Waits until output that arrived after the previous expect() matches; resolves with the match. Rejects with
   * the whole transcript when the time runs out or the command exits first.
   */
  async expect(what: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.#exit.then(() => {
      exited = true;
    });
    for (;;) {
      const text = this.text;
      const tail = text.slice(this.#cursor);
      const m = typeof what === 'string' ? (tail.includes(what) ? what : null) : tail.match(what)?.[0];
      if (m != null) {
        const at = typeof what === 'string' ? tail.indexOf(what) : tail.search(what);
        this.#cursor += at + m.length;
        return m;
      }
      const left = deadline - Date.now();
      if (left <= 0 || exited) {
        throw new Error(`pty: ${exited ? 'the command exited' : `${timeoutMs} ms passed`} before ${String(what)} appeared\n$ ${this.argv.join(' ')}\n--- terminal ---\n${text}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#listeners.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for the command to exit (closing our side of the terminal first when asked). */
  async wait(opts: { closeInput?: boolean } = {}): Promise<PtyExit> {
    if (opts.closeInput) this.#child.stdin.end();
    const r = await this.#exit;
    this.#child.stdin.destroy();
    return r;
  }

  /** Kills the session (script and what runs in it) by its process group. */
  kill(): void {
    killGroup(this.#child.pid, 'SIGKILL');
  }
}
