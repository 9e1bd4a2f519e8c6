import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { REPO_ROOT, type Sandbox } from '../support/sandbox.ts';
import { type RunningCmd, startCmd } from '../support/running-cmd.ts';
import { assertExit, eventually, useSandbox } from './helpers.ts';

/**
 * Issue 5, "bad input and failure": Ctrl-C (SIGINT) in the middle of `berth pull` or `berth logs -f` ends the CLI
 * at once and leaves the daemon consistent — no half image, the next pull and run work, no follower or file left
 * open in the daemon. The registry is Debian's docker-registry inside the sandbox (plain HTTP on its loopback).
 */
const sandbox = useSandbox({ label: 'cli-interrupt' });
const REG = '127.0.0.1:5000';
const BIG = `${REG}/big:v1`;
/** The big layer's size: large enough that the pull is still running when the CLI is interrupted. */
const BIG_BYTES = 48_000_000;

/** berth's CLI in the background, against the sandbox's daemon. */
function berthSpawn(sb: Sandbox, args: string[]): RunningCmd {
  const env = { DOCKER_HOST: sb.host, BERTH_HOST: sb.host, BERTH_CONFIG: join(sb.dir, 'berth-config'), BERTH_CONTEXT: undefined, DOCKER_CONTEXT: undefined };
  return startCmd([join(REPO_ROOT, 'bin/berth'), ...args], { env, timeoutMs: 120_000 });
}

function daemonFds(sb: Sandbox): number {
  return readdirSync(`/proc/${sb.daemonPid}/fd`).length;
}

/** The daemon's open files once they stop changing (a container just started still settles for a moment). */
async function steadyFds(sb: Sandbox): Promise<number> {
  let last = daemonFds(sb);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = daemonFds(sb);
    if (now === last) return now;
    last = now;
  }
  return last;
}

describe('Ctrl-C in the berth CLI', () => {
  before(async () => {
    const sb = sandbox();
    writeFileSync(
      join(sb.dir, 'registry.yml'),
      `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${sb.dir}/registry\nhttp:\n  addr: ${REG}\n`,
    );
    await sb.exec(['sh', '-c', `setsid -f /usr/bin/docker-registry serve ${sb.dir}/registry.yml > ${sb.dir}/registry.log 2>&1 < /dev/null`]);
    await eventually(async () => (await sb.exec(['busybox', 'wget', '-q', '-O', '-', `http://${REG}/v2/`], { timeoutMs: 5000 })).code === 0, 10_000, () => 'docker-registry did not start');
    // busybox plus one incompressible layer, pushed, then removed here
    await sb.dockerOk(['run', '--name', 'mkbig', 'bb', 'sh', '-c', `head -c ${BIG_BYTES} /dev/urandom > /big`]);
    await sb.dockerOk(['commit', 'mkbig', BIG]);
    await sb.dockerOk(['rm', 'mkbig']);
    await sb.dockerOk(['push', BIG], { timeoutMs: 120_000 });
    await sb.dockerOk(['rmi', BIG]);
  });

  test('during a pull: the CLI stops, the daemon has no half image, and the next pull and run work', async () => {
    const sb = sandbox();
    const pull = berthSpawn(sb, ['pull', BIG]);
    await pull.waitForStdout(/Pulling fs layer|Waiting|Downloading/, 30_000);
    const t0 = Date.now();
    pull.kill('SIGINT');
    const r = await pull.done;
    assert.ok(Date.now() - t0 < 5000, `the CLI ended ${Date.now() - t0} ms after SIGINT\n${r.stdout}${r.stderr}`);
    // (a pull that won the race and finished first exits 0)
    if (r.code !== 0) assert.equal(r.code, 130, `exit status of an interrupted pull (128 + SIGINT)\n${r.stdout}${r.stderr}`);
    // whatever the daemon had finished by then, what it lists is whole: either no image, or one that runs
    const listed = await sb.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}', BIG]);
    if (listed !== '' || r.code === 0) assert.equal(listed, BIG);
    const again = await sb.docker(['pull', BIG], { timeoutMs: 120_000 });
    assertExit(sb, again, 0, 'pull after the interrupted one');
    assert.equal(await sb.dockerOk(['run', '--rm', BIG, 'sh', '-c', 'wc -c < /big']), String(BIG_BYTES));
    await sb.dockerOk(['rmi', BIG]);
  });

  test('during logs -f: the CLI stops and the daemon lets go of the stream; the container is untouched', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'chatty', 'bb', 'sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.05; done']);
    const before = await steadyFds(sb);
    const follow = berthSpawn(sb, ['logs', '-f', 'chatty']);
    await follow.waitForStdout(/line 5\n/, 10_000);
    assert.ok(daemonFds(sb) > before, 'the follower holds files in the daemon');
    const t0 = Date.now();
    follow.kill('SIGINT');
    await follow.done;
    assert.ok(Date.now() - t0 < 5000, `the CLI ended ${Date.now() - t0} ms after SIGINT`);
    await eventually(
      async () => daemonFds(sb) <= before,
      5000,
      () => `the daemon still holds ${daemonFds(sb)} files (${before} before logs -f)`,
    );
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Running}}', 'chatty']), 'true');
    assert.match(await sb.dockerOk(['logs', '--tail', '1', 'chatty']), /^line \d+$/);
    await sb.dockerOk(['rm', '-f', 'chatty']);
  });
});
