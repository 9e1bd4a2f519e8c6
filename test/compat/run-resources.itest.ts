import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';

/**
 * Resource constraints through the stock docker CLI, each checked where the kernel applies it (the container's
 * own cgroup files, ulimits, /dev/shm), OOM kills, `docker stats` and `docker update`. cgroup v1 paths.
 */
const sandbox = useSandbox({ label: 'res' });

async function inCtr(args: string[], script: string): Promise<string> {
  return sandbox().dockerOk(['run', '--rm', ...args, 'bb', 'sh', '-c', script]);
}

describe('resource limits reach the cgroup', () => {
  test('OOM kill: exit 137, State.OOMKilled, an oom event', async () => {
    const sb = sandbox();
    const since = (Date.now() / 1000).toFixed(3);
    const r = await sb.docker(['run', '--name', 'oom1', '-m', '16m', 'bb', 'sh', '-c', 'x=a; while true; do x=$x$x; done'], { timeoutMs: 60_000 });
    assertExit(sb, r, 137);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'oom1']), 'true 137');
    const until = (Date.now() / 1000 + 0.5).toFixed(3);
    const ev = await sb.dockerOk(['events', '--since', since, '--until', until, '--filter', 'container=oom1', '--format', '{{.Action}}']);
    const actions = ev.split('\n');
    assert.ok(actions.includes('oom'), `oom event: ${ev}`);
    assert.ok(actions.indexOf('oom') < actions.indexOf('die'), `oom before die: ${ev}`);
    const ok = await sb.dockerOk(['run', '--name', 'oom2', '-m', '16m', 'bb', 'true']);
    assert.equal(ok, '');
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.OOMKilled}}', 'oom2']), 'false');
    await sb.dockerOk(['rm', 'oom1', 'oom2']);
  });

  test('memory, swap (default twice the memory, -1 unlimited), reservation, swappiness', async () => {
    const m = await inCtr(['-m', '32m', '--memory-reservation', '16m', '--memory-swappiness', '10'], 'cd /sys/fs/cgroup/memory; cat memory.limit_in_bytes memory.memsw.limit_in_bytes memory.soft_limit_in_bytes memory.swappiness');
    assert.deepEqual(m.split('\n'), ['33554432', '67108864', '16777216', '10']);
    const unl = await inCtr(['-m', '32m', '--memory-swap', '-1'], 'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes');
    assert.ok(Number(unl) > 2 ** 60, `unlimited swap: ${unl}`);
    const sb = sandbox();
    await sb.dockerOk(['create', '--name', 'mem1', '-m', '32m', 'bb', 'true']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.ShmSize}} {{.HostConfig.OomKillDisable}}', 'mem1']), '33554432 67108864 67108864 false');
    await sb.dockerOk(['rm', 'mem1']);
  });

  test('--pids-limit 10 stops a fork bomb at 10', async () => {
    // builtins only after the bomb: nothing else can fork once the limit is reached
    const out = await inCtr(['--pids-limit', '10'], '(while :; do sleep 30 & done) 2>/dev/null; read cur < /sys/fs/cgroup/pids/pids.current; read max < /sys/fs/cgroup/pids/pids.max; read ev < /sys/fs/cgroup/pids/pids.events; echo "$cur $max $ev"');
    const [cur, max, , refused] = out.split(' ');
    assert.equal(max, '10');
    assert.ok(Number(cur) >= 9 && Number(cur) <= 10, `processes at the limit: ${out}`);
    assert.ok(Number(refused) >= 1, `forks were refused at the limit: ${out}`);
  });

  test('--cpus 0.5 → quota 50000 / period 100000; --cpu-shares; --cpuset-cpus; --cpu-period/--cpu-quota', async () => {
    assert.deepEqual((await inCtr(['--cpus', '0.5'], 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us')).split('\n'), ['50000', '100000']);
    assert.equal(await inCtr(['--cpu-shares', '512'], 'cat /sys/fs/cgroup/cpu/cpu.shares'), '512');
    assert.equal(await inCtr(['--cpu-shares', '0'], 'cat /sys/fs/cgroup/cpu/cpu.shares'), '1024', '0 means the default 1024');
    assert.equal(await inCtr(['--cpuset-cpus', '0'], 'cat /sys/fs/cgroup/cpuset/cpuset.cpus'), '0');
    assert.deepEqual((await inCtr(['--cpu-period', '50000', '--cpu-quota', '25000'], 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us')).split('\n'), ['25000', '50000']);
  });

  test('--ulimit, --shm-size (default 64m), --oom-score-adj, --device-read-bps', async () => {
    assert.deepEqual((await inCtr(['--ulimit', 'nofile=100:200'], 'ulimit -n; ulimit -Hn')).split('\n'), ['100', '200']);
    assert.match(await inCtr([], 'df -k /dev/shm | tail -1'), /^shm\s+65536\s/);
    assert.match(await inCtr(['--shm-size', '10m'], 'df -k /dev/shm | tail -1'), /^shm\s+10240\s/);
    assert.equal(await inCtr(['--oom-score-adj', '500'], 'cat /proc/1/oom_score_adj'), '500');
    const dev = await sandbox().exec(['sh', '-c', 'for d in /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda; do [ -b $d ] && { echo $d; stat -c "%t %T" $d; break; }; done']);
    const [path, nums] = dev.stdout.trim().split('\n');
    if (!path) return; // no block device on this host
    const [maj, min] = nums!.split(' ').map((h) => Number.parseInt(h, 16));
    assert.equal(await inCtr(['--device-read-bps', `${path}:1mb`], 'cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device'), `${maj}:${min} 1048576`);
  });

  test('unsupported settings are dropped with dockerd\'s warnings', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--rm', '--oom-kill-disable', 'bb', 'true']);
    assertExit(sb, r, 0);
    assertStderr(sb, r, 'WARNING: OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
    const k = await sb.docker(['run', '--rm', '--kernel-memory', '10m', 'bb', 'true']);
    assertExit(sb, k, 0, '--kernel-memory is accepted (and ignored, API ≥ 1.42)');
  });

  test('invalid combinations are refused with exit 125 and dockerd\'s message', async () => {
    const sb = sandbox();
    const cases: [string[], string][] = [
      [['-m', '4m'], 'Minimum memory limit allowed is 6MB'],
      [['-m', '32m', '--memory-swap', '16m'], 'Minimum memoryswap limit should be larger than memory limit, see usage'],
      [['--memory-swap', '64m'], 'You should always set the Memory limit when using Memoryswap limit, see usage'],
      [['-m', '16m', '--memory-reservation', '32m'], 'Minimum memory limit can not be less than memory reservation limit, see usage'],
      [['--cpus', '0.5', '--cpu-quota', '50000'], 'Conflicting options: Nano CPUs and CPU Quota cannot both be set'],
      [['--cpus', '0.5', '--cpu-period', '50000'], 'Conflicting options: Nano CPUs and CPU Period cannot both be set'],
      [['--cpus', '64'], 'range of CPUs is from 0.01 to'],
      [['--cpu-period', '100'], 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
      [['--cpu-quota', '100'], 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
      [['--cpuset-cpus', '63'], 'Requested CPUs are not available - requested 63, available: '],
      [['--cpuset-cpus', 'x-y'], 'Invalid value x-y for cpuset cpus'],
      [['--oom-score-adj', '1001'], 'Invalid value 1001, range for oom score adj is [-1000, 1000]'],
    ];
    for (const [args, msg] of cases) {
      const r = await sb.docker(['run', '--rm', ...args, 'bb', 'true']);
      assertExit(sb, r, 125, args.join(' '));
      assertStderr(sb, r, msg, args.join(' '));
    }
    assert.equal(await sb.dockerOk(['ps', '-aq']), '', 'refused runs leave no container');
    // the CLI checks swappiness itself: the daemon's own check, through the API
    const api = await sb.request('POST', '/containers/create', { body: JSON.stringify({ Image: 'bb', Cmd: ['true'], HostConfig: { MemorySwappiness: 101 } }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(api.status, 400, api.body);
    assert.match(api.body, /Invalid value: 101, valid memory swappiness range is 0-100/);
  });
});

describe('docker update', () => {
  test('--memory on a running container changes its cgroup limit; conflicts are refused', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'up1', '-m', '64m', 'bb', 'sleep', '1000']);
    const limit = () => sb.dockerOk(['exec', 'up1', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes']);
    assert.equal(await limit(), '67108864\n134217728');
    assert.equal(await sb.dockerOk(['update', '-m', '48m', 'up1']), 'up1');
    assert.equal(await limit(), '50331648\n134217728');
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.HostConfig.Memory}}', 'up1']), '50331648');
    const big = await sb.docker(['update', '-m', '256m', 'up1']);
    assertExit(sb, big, 1);
    assertStderr(sb, big, /Cannot update container [0-9a-f]{64}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time/);
    await sb.dockerOk(['update', '-m', '256m', '--memory-swap', '512m', 'up1']);
    assert.equal(await limit(), '268435456\n536870912', 'raising memory and swap together');
    await sb.dockerOk(['update', '--cpus', '0.25', '--pids-limit', '50', '--cpu-shares', '256', 'up1']);
    const cg = await sb.dockerOk(['exec', 'up1', 'cat', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/pids/pids.max', '/sys/fs/cgroup/cpu/cpu.shares']);
    assert.equal(cg, '25000\n50\n256');
    const q = await sb.docker(['update', '--cpu-quota', '10000', 'up1']);
    assertExit(sb, q, 1);
    assertStderr(sb, q, 'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
    await sb.dockerOk(['update', '--restart', 'always', 'up1']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', 'up1']), 'always');
    await sb.dockerOk(['rm', '-f', 'up1']);
  });

  test('a stopped container keeps the update for its next start; --restart with --rm is refused', async () => {
    const sb = sandbox();
    await sb.dockerOk(['create', '--name', 'up2', 'bb', 'cat', '/sys/fs/cgroup/pids/pids.max']);
    await sb.dockerOk(['update', '--pids-limit', '33', 'up2']);
    const r = await sb.docker(['start', '-a', 'up2']);
    assert.equal(r.stdout.trim(), '33');
    await sb.dockerOk(['rm', 'up2']);
    await sb.dockerOk(['run', '-d', '--rm', '--name', 'up3', 'bb', 'sleep', '1000']);
    const rp = await sb.docker(['update', '--restart', 'always', 'up3']);
    assertExit(sb, rp, 1);
    assertStderr(sb, rp, 'Restart policy cannot be updated because AutoRemove is enabled for the container');
    await sb.dockerOk(['rm', '-f', 'up3']);
  });
});

describe('docker stats', () => {
  test('--no-stream prints Docker\'s columns with plausible values', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'st1', '-m', '64m', 'bb', 'sh', '-c', 'while :; do :; done']);
    await sb.dockerOk(['run', '-d', '--name', 'st2', 'bb', 'sleep', '1000']);
    const out = await sb.dockerOk(['stats', '--no-stream']);
    const lines = out.split('\n');
    assert.match(lines[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    const st1 = lines.find((l) => /\sst1\s/.test(l));
    assert.ok(st1, out);
    const f = st1!.split(/\s{2,}/);
    const cpu = Number.parseFloat(f[2]!);
    assert.ok(cpu > 30 && cpu < 110, `a busy loop uses about one CPU: ${st1}`);
    assert.match(f[3]!, /^\d+(\.\d+)?(B|KiB|MiB) \/ 64MiB$/);
    assert.match(f[5]!, /^\d+(\.\d+)?k?B \/ \d+(\.\d+)?k?B$/);
    assert.equal(f[7], '1');
    const st2 = lines.find((l) => /\sst2\s/.test(l))!;
    assert.match(st2, /\s0\.00%\s/);
    assert.match(st2, /\/ \d+(\.\d+)?GiB\s/, 'no limit: the host memory');
    const fmt = await sb.dockerOk(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'st2']);
    assert.equal(fmt, 'st2 1');
  });

  test('API: stream of one object per second, one-shot, a stopped container', async () => {
    const sb = sandbox();
    const one = JSON.parse((await sb.request('GET', '/containers/st1/stats?stream=0&one-shot=1')).body);
    assert.deepEqual(Object.keys(one), ['read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'name', 'id', 'networks']);
    assert.equal(one.name, '/st1');
    assert.equal(one.memory_stats.limit, 64 * 1024 * 1024);
    assert.ok(one.cpu_stats.cpu_usage.total_usage > 0);
    assert.ok(one.cpu_stats.system_cpu_usage > 0);
    assert.equal(one.precpu_stats.cpu_usage.total_usage, 0, 'one-shot: no precpu');
    assert.ok(one.networks.eth0.rx_bytes >= 0);
    const s = sb.dockerSpawn(['stats', '--format', '{{.Name}} {{.CPUPerc}}', 'st1'], { timeoutMs: 20_000 });
    await s.waitForStdout(/st1 \d+\.\d+%[\s\S]*st1 \d+\.\d+%/, 8000);
    s.kill();
    await sb.dockerOk(['stop', '-t', '0', 'st2']);
    const stopped = JSON.parse((await sb.request('GET', '/containers/st2/stats?stream=0')).body);
    assert.equal(stopped.read, '0001-01-01T00:00:00Z');
    assert.deepEqual(stopped.memory_stats, {});
    await sb.dockerOk(['rm', '-f', 'st1', 'st2']);
  });
});
