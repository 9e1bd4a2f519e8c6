import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatsRow, calculateCpuPercent, emptyEntry, goFixed, memUsageNoCache, toEntry } from './stats-calc.ts';
import { parseRestartPolicy, updateBody } from './update.ts';

describe('stats arithmetic (docker/cli stats_helpers.go)', () => {
  it('CPU %: usage delta over system delta, times the online CPUs', () => {
    const v = { cpu_stats: { cpu_usage: { total_usage: 3e9 }, system_cpu_usage: 104e9, online_cpus: 2 }, precpu_stats: { cpu_usage: { total_usage: 2e9 }, system_cpu_usage: 102e9 } };
    assert.equal(calculateCpuPercent(v), 100);
    assert.equal(calculateCpuPercent({ ...v, precpu_stats: undefined }), (3e9 / 104e9) * 2 * 100);
    assert.equal(calculateCpuPercent({ cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 3] }, system_cpu_usage: 10 } }), 150, 'percpu_usage counts the CPUs when online_cpus is missing');
    assert.equal(calculateCpuPercent({}), 0);
  });
  it('memory without the inactive page cache (v1, v2)', () => {
    assert.equal(memUsageNoCache({ usage: 1000, stats: { total_inactive_file: 300 } }), 700);
    assert.equal(memUsageNoCache({ usage: 1000, stats: { inactive_file: 100 } }), 900);
    assert.equal(memUsageNoCache({ usage: 100, stats: { total_inactive_file: 300 } }), 100);
  });
  it('a row: block and network sums, Docker\'s units', () => {
    const e = toEntry('c1', {
      name: '/web',
      id: 'a'.repeat(64),
      memory_stats: { usage: 2 * 1024 * 1024, limit: 64 * 1024 * 1024, stats: {} },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 1000 }, { op: 'write', value: 2500 }, { op: 'Sync', value: 9 }] },
      networks: { eth0: { rx_bytes: 1500, tx_bytes: 100 }, eth1: { rx_bytes: 500, tx_bytes: 0 } },
      pids_stats: { current: 7 },
    });
    const r = new StatsRow(e, true);
    assert.equal(r.Name(), 'web');
    assert.equal(r.ID(), 'aaaaaaaaaaaa');
    assert.equal(r.MemUsage(), '2MiB / 64MiB');
    assert.equal(r.MemPerc(), '3.12%');
    assert.equal(r.NetIO(), '2kB / 100B');
    assert.equal(r.BlockIO(), '1kB / 2.5kB');
    assert.equal(r.PIDs(), '7');
    const bad = new StatsRow({ ...emptyEntry('x'), invalid: true }, true);
    assert.deepEqual([bad.Name(), bad.CPUPerc(), bad.MemUsage(), bad.PIDs()], ['--', '--', '-- / --', '--']);
  });
});

describe('Go FormatFloat f', () => {
  const cases: [number, number, string][] = [
    [3.125, 2, '3.12'],
    [3.135, 2, '3.13'],
    [2.675, 2, '2.67'],
    [0.005, 2, '0.01'],
    [99.999, 2, '100.00'],
    [0, 2, '0.00'],
    [83.3651, 2, '83.37'],
    [1.5, 0, '2'],
    [2.5, 0, '2'],
  ];
  for (const [v, p, want] of cases) it(`${v} → ${want}`, () => assert.equal(goFixed(v, p), want));
});

describe('update body', () => {
  it('restart policies', () => {
    assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.deepEqual(parseRestartPolicy(''), { Name: '', MaximumRetryCount: 0 });
    assert.throws(() => parseRestartPolicy(':3'), /no policy provided before colon/);
    assert.throws(() => parseRestartPolicy('always:x'), /maximum retry count must be an integer/);
  });
  it('zero means unchanged; the pids limit only when given', () => {
    const o = { blkioWeight: 0, cpuPeriod: 0, cpuQuota: 0, cpuRtPeriod: 0, cpuRtRuntime: 0, cpusetCpus: '', cpusetMems: '', cpuShares: 0, memory: 1024, memoryReservation: 0, memorySwap: 0, kernelMemory: 0, restart: '', pidsLimit: 0, cpus: 0 };
    const b = updateBody(o, new Set(['memory']));
    assert.equal(b.Memory, 1024);
    assert.equal(b.PidsLimit, null);
    assert.ok(!('KernelMemory' in b));
    assert.equal(updateBody({ ...o, pidsLimit: -1 }, new Set(['pids-limit'])).PidsLimit, -1);
  });
});
