import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cgroupDirs, cgroupMounts } from './cgroups.ts';
import { type HostSnapshot, findLeaks, formatLeaks, parseMountinfo } from './leak-scan.ts';

const MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
42 27 254:0 /run/netns /run/netns rw,relatime shared:1 - ext4 /dev/vda rw
50 27 0:50 / /tmp/berth-t-abc-1-x/with\\040space rw - tmpfs stub rw
`;

function snap(over: Partial<HostSnapshot> = {}): HostSnapshot {
  return { takenAt: 't', netns: [], links: ['lo', 'eth0'], nftTables: [], mounts: [], procs: [], tmpEntries: [], cgroups: [], notes: [], ...over };
}

describe('parseMountinfo', () => {
  test('reads fields around the optional-fields separator and unescapes paths', () => {
    const m = parseMountinfo(MOUNTINFO);
    assert.equal(m.length, 9);
    const netns = m.find((x) => x.mountPoint === '/run/netns')!;
    assert.equal(netns.fsType, 'ext4');
    assert.equal(netns.source, '/dev/vda');
    assert.equal(netns.root, '/run/netns');
    assert.equal(m.at(-1)!.mountPoint, '/tmp/berth-t-abc-1-x/with space');
    assert.equal(m.find((x) => x.mountPoint === '/sys/fs/cgroup/systemd')!.superOptions, 'rw,xattr,name=systemd');
  });
  test('skips junk lines', () => {
    assert.deepEqual(parseMountinfo('\nnot a mount line\n'), []);
  });
});

describe('cgroupDirs', () => {
  const mounts = cgroupMounts(MOUNTINFO);
  const table: [string, string[]][] = [
    ['4:memory:/berth/abc', ['/sys/fs/cgroup/memory/berth/abc']],
    ['1:cpu:/x', ['/sys/fs/cgroup/cpu/x']],
    ['9:name=systemd:/sess', ['/sys/fs/cgroup/systemd/sess']],
    ['0::/unified/path', ['/sys/fs/cgroup/unified/unified/path']],
    ['3:cpuset:/nomount', []],
    ['4:memory:/', []],
  ];
  for (const [line, want] of table) {
    test(line, () => assert.deepEqual(cgroupDirs(line, mounts), want));
  }
});

describe('findLeaks', () => {
  const P = 'berth-t-';
  test('a clean host has no leaks', () => {
    assert.deepEqual(findLeaks(snap(), { prefix: P }), []);
    assert.equal(formatLeaks([]), 'no leaks');
  });
  test('netns, tmp entries, mounts and processes named with the prefix are leaks', () => {
    const now = snap({
      netns: ['berth-t-abc-1-2', 'other'],
      tmpEntries: ['/tmp/berth-t-abc-1-2-XyZ'],
      mounts: [
        { mountPoint: '/tmp/berth-t-abc-1-2-XyZ/data/overlay/merged', source: 'overlay' },
        { mountPoint: '/proc', source: 'proc' },
      ],
      procs: [
        { pid: 10, startTime: 5, comm: 'conmon', cmdline: 'conmon -b /tmp/berth-t-abc-1-2-XyZ/exec/x', foreignNs: false },
        { pid: 11, startTime: 5, comm: 'bash', cmdline: 'bash', foreignNs: false },
      ],
    });
    const kinds = findLeaks(now, { prefix: P }).map((l) => l.kind);
    assert.deepEqual(kinds, ['netns', 'mount', 'process', 'tmp-entry']);
  });
  test('with a baseline, any new netns, mount or berth temp entry is a leak, whatever its name', () => {
    const baseline = snap({ netns: ['old'], mounts: [{ mountPoint: '/proc', source: 'proc' }], tmpEntries: ['/tmp/berth-old'] });
    const now = snap({
      netns: ['old', 'h1'],
      mounts: [
        { mountPoint: '/proc', source: 'proc' },
        { mountPoint: '/tmp/x/merged', source: 'overlay' },
      ],
      tmpEntries: ['/tmp/berth-old', '/tmp/berth-net-abc', '/tmp/berth-logs', '/tmp/berth-suite-Xy12'],
    });
    assert.deepEqual(
      findLeaks(now, { prefix: P, baseline }).map((l) => `${l.kind}:${l.item}`),
      ['netns:h1', 'mount:/tmp/x/merged (from overlay)', 'tmp-entry:/tmp/berth-net-abc'],
    );
  });
  test('the prefix narrows the check to one run', () => {
    const now = snap({ netns: ['berth-t-abc-1-2', 'berth-t-def-1-2'] });
    assert.deepEqual(
      findLeaks(now, { prefix: 'berth-t-def-' }).map((l) => l.item),
      ['berth-t-def-1-2'],
    );
  });
  test('links and nft tables in the root netns count only when new since the baseline', () => {
    const baseline = snap({ links: ['lo', 'eth0', 'veth-old'], nftTables: ['inet filter'] });
    const now = snap({ links: ['lo', 'eth0', 'veth-old', 'veth1234', 'berth0', 'docker0'], nftTables: ['inet filter', 'inet berth', 'ip berth-nat'] });
    const leaks = findLeaks(now, { prefix: P, baseline });
    assert.deepEqual(
      leaks.map((l) => `${l.kind}:${l.item}`),
      ['link:veth1234', 'link:berth0', 'nft-table:inet berth', 'nft-table:ip berth-nat'],
    );
  });
  test('processes: ignored pids, baseline survivors and new foreign-namespace processes', () => {
    const old = { pid: 20, startTime: 1, comm: 'sleep', cmdline: 'sleep berth-t-x', foreignNs: true };
    const baseline = snap({ procs: [old] });
    const now = snap({
      procs: [
        old,
        { pid: 20, startTime: 2, comm: 'sleep', cmdline: 'sleep 1000', foreignNs: true },
        { pid: 30, startTime: 3, comm: 'node', cmdline: 'node leak-check berth-t-', foreignNs: false },
      ],
    });
    const leaks = findLeaks(now, { prefix: P, baseline, ignorePids: new Set([30]) });
    assert.equal(leaks.length, 1);
    assert.match(leaks[0]!.item, /pid 20 \(sleep\).*namespace of its own/);
    // without a baseline, only names count
    assert.deepEqual(findLeaks(snap({ procs: [now.procs[1]!] }), { prefix: P }), []);
  });
  test('cgroups: new container-looking dirs are leaks, others are not', () => {
    const id = 'a'.repeat(64);
    const baseline = snap({ cgroups: ['/sys/fs/cgroup/memory/user.slice'] });
    const now = snap({ cgroups: ['/sys/fs/cgroup/memory/user.slice', `/sys/fs/cgroup/memory/berth/${id}`, '/sys/fs/cgroup/memory/berth', '/sys/fs/cgroup/memory/misc'] });
    assert.deepEqual(
      findLeaks(now, { prefix: P, baseline }).map((l) => l.item),
      [`/sys/fs/cgroup/memory/berth/${id}`, '/sys/fs/cgroup/memory/berth'],
    );
  });
});
