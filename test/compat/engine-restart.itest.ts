import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sleep } from '../support/proc.ts';
import { eventually, useSandbox } from './helpers.ts';

/**
 * Containers outlive their daemon: kill -9 berthd while 20 containers run, start it again, and everything is as
 * it was — all running, logs continuous, stop works, nothing duplicated. Run with --live-restore, as dockerd
 * needs for the same promise.
 */
const sandbox = useSandbox({ label: 'restart', daemonArgs: ['--live-restore'] });
const N = 20;
const names = Array.from({ length: N }, (_, i) => `r${i}`);
const counter = 'i=0; while :; do echo "n=$i"; i=$((i+1)); sleep 0.2; done';

function numbers(logs: string): number[] {
  return logs
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(/^n=(\d+)$/.exec(l)?.[1] ?? Number.NaN));
}

function assertContinuous(name: string, logs: string): number[] {
  const nums = numbers(logs);
  assert.ok(nums.length > 0, `${name}: no log lines`);
  nums.forEach((n, i) => {
    assert.equal(n, i, `${name}: log line ${i} should be n=${i} (lines lost, doubled or garbled around a restart):\n${logs.slice(0, 2000)}`);
  });
  return nums;
}

describe('daemon restart', () => {
  test(`kill -9 of berthd with ${N} running containers, then restart`, async () => {
    const sb = sandbox();
    const ids = new Map<string, string>();
    for (const n of names) ids.set(n, await sb.dockerOk(['run', '-d', '--name', n, 'bb', 'sh', '-c', counter]));
    const pidsBefore = new Map<string, string>();
    for (const n of names) pidsBefore.set(n, await sb.dockerOk(['inspect', '-f', '{{.State.Pid}}', n]));
    await sleep(1000);

    const exit = await sb.kill9();
    assert.ok(exit.signal === 'SIGKILL' || exit.code === 137, `daemon exit: ${JSON.stringify(exit)}`);
    assert.equal(await sb.ping(), false, 'daemon is down');
    await sleep(1500); // the containers keep writing while nobody watches

    await sb.start();
    const ps = (await sb.dockerOk(['ps', '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort();
    assert.deepEqual(ps, [...names].sort(), 'all containers running after the restart, each once');
    const all = (await sb.dockerOk(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}'])).split('\n').filter(Boolean);
    assert.equal(all.length, N, `no duplicates in ps -a:\n${all.join('\n')}`);
    for (const n of names) {
      const [running, pid, id] = (await sb.dockerOk(['inspect', '-f', '{{.State.Running}} {{.State.Pid}} {{.Id}}', n])).split(' ');
      assert.equal(running, 'true', `${n} running`);
      assert.equal(pid, pidsBefore.get(n), `${n} is the same process as before the restart`);
      assert.equal(id, ids.get(n));
    }

    // logs: continuous across the restart, and still growing
    const first = new Map<string, number>();
    for (const n of names) {
      const nums = assertContinuous(n, await sb.dockerOk(['logs', n]));
      first.set(n, nums.length);
    }
    await eventually(
      async () => numbers(await sb.dockerOk(['logs', 'r0'])).length > first.get('r0')! + 2,
      5000,
      () => 'r0 logs do not grow after the restart',
    );
    const follow = sb.dockerSpawn(['logs', '-f', '--tail', '1', 'r7'], { timeoutMs: 20_000 });
    await follow.waitForStdout(/n=\d+\n.*n=\d+\n/s, 5000);
    follow.kill();

    // exec and stop work on containers from before the restart
    const ex = await sb.docker(['exec', 'r3', 'echo', 'exec-after-restart']);
    assert.equal(ex.stdout, 'exec-after-restart\n', sb.explain(ex));
    const stopped = await sb.dockerOk(['stop', '-t', '1', ...names], { timeoutMs: 120_000 });
    assert.deepEqual(stopped.split('\n'), names);
    assert.equal(await sb.dockerOk(['ps', '-q']), '', 'nothing running after stop');
    for (const n of names) assertContinuous(n, await sb.dockerOk(['logs', n]));
    const exited = (await sb.dockerOk(['ps', '-a', '--format', '{{.Names}} {{.State}}'])).split('\n').sort();
    assert.deepEqual(exited, names.map((n) => `${n} exited`).sort());

    // a second, graceful restart keeps the stopped containers, once each
    await sb.restart();
    assert.equal((await sb.dockerOk(['ps', '-aq'])).split('\n').filter(Boolean).length, N);
    assert.equal(await sb.dockerOk(['rm', ...names]), names.join('\n'));
  });
});
