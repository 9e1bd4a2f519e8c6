import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { CmdResult } from '../support/proc.ts';
import { Sandbox, type SandboxOptions } from '../support/sandbox.ts';

/**
 * One sandbox (berthd in its own namespaces) for the test file, with the busybox image imported as `bb`.
 * Tests in the file share it, so each uses its own container names.
 */
export function useSandbox(opts: SandboxOptions & { image?: string | false } = {}): () => Sandbox {
  let sb: Sandbox | undefined;
  before(async () => {
    sb = await Sandbox.create(opts);
    if (opts.image !== false) await sb.importBusybox(opts.image ?? 'bb');
  });
  after(async () => {
    await sb?.close();
  });
  return () => {
    if (!sb) throw new Error('sandbox not created (see the before hook)');
    return sb;
  };
}

/** Asserts an exit code, showing the command's output and the daemon's log when it differs. */
export function assertExit(sb: Sandbox, r: CmdResult, code: number, what = ''): void {
  if (r.code !== code) assert.fail(sb.explain(r, `${what ? `${what}: ` : ''}expected exit code ${code}, got ${r.code}`));
}

/** Asserts stdout (trimmed) equals or matches. */
export function assertStdout(sb: Sandbox, r: CmdResult, want: string | RegExp, what = ''): void {
  const out = r.stdout.trim();
  const ok = typeof want === 'string' ? out === want : want.test(r.stdout);
  if (!ok) assert.fail(sb.explain(r, `${what ? `${what}: ` : ''}stdout should ${typeof want === 'string' ? 'be' : 'match'} ${JSON.stringify(String(want))}`));
}

export function assertStderr(sb: Sandbox, r: CmdResult, want: string | RegExp, what = ''): void {
  const ok = typeof want === 'string' ? r.stderr.includes(want) : want.test(r.stderr);
  if (!ok) assert.fail(sb.explain(r, `${what ? `${what}: ` : ''}stderr should contain ${JSON.stringify(String(want))}`));
}

/** Polls until `fn` resolves true; fails with `message()` when it does not within `timeoutMs`. */
export async function eventually(fn: () => Promise<boolean>, timeoutMs: number, message: () => string | Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(await message());
}
