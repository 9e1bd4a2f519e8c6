import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CgroupCaps, adaptResources, mergeUpdate, parseCpuList, parseResources, verifyResources } from './resources.ts';

const v1: CgroupCaps = {
  version: 1,
  memory: true,
  swap: true,
  swappiness: true,
  reservation: true,
  oomKillDisable: true,
  pids: true,
  cpuShares: true,
  cpuCfs: true,
  cpuRealtime: true,
  cpuset: true,
  cpus: '0-1',
  mems: '0',
  blkioWeight: false,
  blkioWeightDevice: false,
  blkioThrottle: true,
  ncpu: 2,
};
const M = 1024 * 1024;

function verify(h: Record<string, unknown>, caps = v1, update = false) {
  const r = parseResources(h);
  return { warnings: verifyResources(r, caps, update), r };
}

describe('verifyResources', () => {
  const errors: [Record<string, unknown>, string][] = [
    [{ Memory: 4 * M }, 'Minimum memory limit allowed is 6MB'],
    [{ Memory: 32 * M, MemorySwap: 16 * M }, 'Minimum memoryswap limit should be larger than memory limit, see usage'],
    [{ MemorySwap: 16 * M }, 'You should always set the Memory limit when using Memoryswap limit, see usage'],
    [{ MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100'],
    [{ MemoryReservation: 1 * M }, 'Minimum memory reservation allowed is 6MB'],
    [{ Memory: 16 * M, MemoryReservation: 32 * M }, 'Minimum memory limit can not be less than memory reservation limit, see usage'],
    [{ NanoCpus: 5e8, CpuPeriod: 50000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set'],
    [{ NanoCpus: 5e8, CpuQuota: 50000 }, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set'],
    [{ NanoCpus: 3e9 }, 'range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available'],
    [{ CpuPeriod: 999 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
    [{ CpuQuota: 999 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
    [{ CpusetCpus: '5' }, 'Requested CPUs are not available - requested 5, available: 0-1'],
    [{ CpusetMems: '1' }, 'Requested memory nodes are not available - requested 1, available: 0'],
    [{ CpuShares: -1 }, 'invalid CPU shares (-1): value must be a positive integer'],
    [{ CpuRealtimePeriod: 1000, CpuRealtimeRuntime: 2000 }, 'cpu real-time runtime cannot be higher than cpu real-time period'],
    [{ IOMaximumIOps: 5 }, 'Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps'],
  ];
  for (const [h, msg] of errors) test(`refuses ${JSON.stringify(h)}`, () => assert.throws(() => verify(h), { message: msg }));

  test('a malformed cpuset', () => assert.throws(() => verify({ CpusetCpus: '1-0' }), /^InvalidArgumentError: Invalid value 1-0 for cpuset cpus: /));
  test('swappiness -1 means unset', () => assert.equal(verify({ MemorySwappiness: -1 }).r.MemorySwappiness, null));
  test('warnings drop what the host cannot do', () => {
    const { warnings, r } = verify({ BlkioWeight: 300, OomKillDisable: true, KernelMemory: 8 * M });
    assert.deepEqual(warnings, [
      'Your kernel does not support kernel memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
    ]);
    assert.equal(r.BlkioWeight, 0);
    assert.equal(r.KernelMemory, 0);
  });
  test('no swap accounting: memory limited without swap', () => {
    const { warnings, r } = verify({ Memory: 32 * M }, { ...v1, swap: false });
    assert.deepEqual(warnings, ['Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.']);
    assert.equal(r.MemorySwap, -1);
  });
  test('update may set swap alone', () => assert.doesNotThrow(() => verify({ MemorySwap: 64 * M }, v1, true)));
});

describe('adapt and update', () => {
  test('swap defaults to twice the memory', () => {
    const r = parseResources({ Memory: 32 * M });
    adaptResources(r);
    assert.equal(r.MemorySwap, 64 * M);
    assert.equal(r.OomKillDisable, false);
  });
  test('mergeUpdate', () => {
    const cur = parseResources({ Memory: 64 * M, MemorySwap: 128 * M, NanoCpus: 1e9 });
    assert.equal(mergeUpdate(cur, parseResources({ Memory: 32 * M })).Memory, 32 * M);
    assert.throws(() => mergeUpdate(cur, parseResources({ Memory: 256 * M })), /Memory limit should be smaller than already set memoryswap limit/);
    assert.equal(mergeUpdate(cur, parseResources({ Memory: 256 * M, MemorySwap: 512 * M })).MemorySwap, 512 * M);
    assert.throws(() => mergeUpdate(cur, parseResources({ CpuQuota: 5000 })), /CPU Quota cannot be updated as NanoCPUs has already been set/);
    assert.equal(mergeUpdate(cur, parseResources({ PidsLimit: 7 })).PidsLimit, 7);
    assert.equal(mergeUpdate(cur, parseResources({})).Memory, 64 * M, 'zero fields keep the current value');
  });
  test('cpu lists', () => {
    assert.deepEqual(parseCpuList('0-2,5'), [0, 1, 2, 5]);
    assert.deepEqual(parseCpuList(''), []);
    assert.throws(() => parseCpuList('a'));
  });
  test('type errors as Go reports them', () => {
    assert.throws(() => parseResources({ Memory: '1g' }), /json: cannot unmarshal string into Go struct field HostConfig.Memory of type int64/);
  });
});
