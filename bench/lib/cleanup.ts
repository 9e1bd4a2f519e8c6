import type { Sandbox } from '../../test/support/sandbox.ts';

/**
 * The sandboxes the bench has open. Normal runs close them in `finally`; SIGINT/SIGTERM close them too before the
 * process exits (a sandbox left to the kernel would leave its netns and state dir behind).
 */
export class SandboxRegistry {
  /** Each open sandbox with what to do once it is closed (e.g. remove the cgroup parent its daemon used). */
  readonly open = new Map<Sandbox, (() => string | undefined) | undefined>();
  /** Set by SIGINT/SIGTERM: measurements stop issuing commands. */
  aborted = false;
  #installed = false;
  #closing: Promise<string[]> | undefined;

  add<T extends Sandbox>(sb: T, afterClose?: () => string | undefined): T {
    this.open.set(sb, afterClose);
    return sb;
  }

  /** Closes one sandbox; returns the teardown problem, if any, instead of throwing. */
  async release(sb: Sandbox): Promise<string | undefined> {
    const after = this.open.get(sb);
    this.open.delete(sb);
    const problems: string[] = [];
    try {
      await sb.close();
    } catch (err) {
      problems.push((err as Error).message);
    }
    const p = after?.();
    if (p) problems.push(p);
    return problems.length ? problems.join('\n') : undefined;
  }

  /** Closes all of them (one at a time: a daemon stopping its containers is busy enough on 2 cores). */
  closeAll(): Promise<string[]> {
    this.#closing ??= (async () => {
      const problems: string[] = [];
      for (const sb of [...this.open.keys()]) {
        const p = await this.release(sb);
        if (p) problems.push(p);
      }
      return problems;
    })();
    return this.#closing;
  }

  installSignalHandlers(log: (s: string) => void): void {
    if (this.#installed) return;
    this.#installed = true;
    let count = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      count += 1;
      this.aborted = true;
      if (count > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
      log(`\n${sig}: tearing down ${this.open.size} sandbox(es)…`);
      void this.closeAll().then((problems) => {
        for (const p of problems) log(p);
        process.exit(sig === 'SIGINT' ? 130 : 143);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
