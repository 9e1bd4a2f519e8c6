import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Integration tests that need a network and mount namespace of their own re-run themselves inside one:
 * a throwaway netns (`ip netns add berth-t-<random>`, deleted in `finally`) entered with `nsenter --net` — not
 * `ip netns exec`, which remounts /sys and would hide /sys/fs/cgroup — and `unshare -m --propagation private`, so
 * mounts (e.g. the hugetlb cgroup) never reach the host.
 */
export const SANDBOX_ENV = 'BERTH_ITEST_SANDBOX';

export function inSandbox(): boolean {
  return process.env[SANDBOX_ENV] === '1';
}

function sh(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: 'inherit' });
    c.on('exit', (code) => resolve(code ?? 1));
    c.on('error', () => resolve(127));
  });
}

/** Runs `node --test <file>` inside a fresh sandbox; resolves with its exit code. Output goes to ours. */
export async function runTestFileInSandbox(file: string): Promise<number> {
  const ns = `berth-t-${randomBytes(4).toString('hex')}`;
  if ((await sh('ip', ['netns', 'add', ns])) !== 0) throw new Error(`ip netns add ${ns} failed`);
  // node:test marks its children (NODE_TEST_CONTEXT); the inner run must be a test run of its own
  const env: NodeJS.ProcessEnv = { ...process.env, [SANDBOX_ENV]: '1' };
  delete env.NODE_TEST_CONTEXT;
  try {
    return await new Promise<number>((resolve, reject) => {
      const c = spawn(
        'nsenter',
        [`--net=/run/netns/${ns}`, 'unshare', '-m', '--propagation', 'private', process.execPath, '--test', '--test-concurrency=1', file],
        { stdio: 'inherit', env },
      );
      c.on('exit', (code) => resolve(code ?? 1));
      c.on('error', reject);
    });
  } finally {
    await sh('ip', ['netns', 'del', ns]);
  }
}
