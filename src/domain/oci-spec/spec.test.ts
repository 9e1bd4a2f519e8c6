import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from './defaults.ts';
import { buildExecProcess, buildSpec, containerEnv, replaceOrAppendEnv, type SpecOptions } from './spec.ts';

const base: SpecOptions = {
  id: 'abc',
  rootfs: '/var/lib/berth/overlay/abc/merged',
  args: ['sh', '-c', 'echo hi'],
  env: ['PATH=/bin'],
  user: { uid: 0, gid: 0 },
};

function mountOf(spec: ReturnType<typeof buildSpec>, dest: string) {
  return spec.mounts.find((m) => m.destination === dest);
}

describe('buildSpec defaults', () => {
  const s = buildSpec(base);
  it('has Docker\'s process defaults', () => {
    assert.equal(s.ociVersion, '1.0.2');
    assert.deepEqual(s.process.args, ['sh', '-c', 'echo hi']);
    assert.equal(s.process.cwd, '/');
    assert.equal(s.process.terminal, false);
    assert.deepEqual(s.process.capabilities.bounding, [...DEFAULT_CAPABILITIES]);
    assert.deepEqual(s.process.capabilities.effective, [...DEFAULT_CAPABILITIES]);
    assert.deepEqual(s.process.capabilities.permitted, [...DEFAULT_CAPABILITIES]);
    assert.equal(s.process.capabilities.inheritable, undefined);
    assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
    assert.equal(s.process.oomScoreAdj, 0);
    assert.equal(s.process.user.additionalGids, undefined);
  });
  it('has Docker\'s mounts in order', () => {
    assert.deepEqual(
      s.mounts.map((m) => m.destination),
      ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm'],
    );
    assert.deepEqual(mountOf(s, '/dev/shm')?.options, ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']);
    assert.ok(mountOf(s, '/sys')?.options?.includes('ro'));
    assert.ok(mountOf(s, '/sys/fs/cgroup')?.options?.includes('ro'));
  });
  it('masks and protects Docker\'s paths', () => {
    assert.deepEqual(s.linux.maskedPaths, [...DEFAULT_MASKED_PATHS]);
    assert.deepEqual(s.linux.readonlyPaths, [...DEFAULT_READONLY_PATHS]);
    assert.equal(DEFAULT_MASKED_PATHS.length, 12);
  });
  it('has private namespaces except cgroup (v1 default: host)', () => {
    assert.deepEqual(s.linux.namespaces, [{ type: 'mount' }, { type: 'network' }, { type: 'uts' }, { type: 'pid' }, { type: 'ipc' }]);
  });
  it('puts the container under /berth/<id> and denies devices by default', () => {
    assert.equal(s.linux.cgroupsPath, '/berth/abc');
    assert.deepEqual(s.linux.resources.devices[0], { allow: false, access: 'rwm' });
    assert.equal(s.linux.resources.memory, undefined);
  });
  it('has a writable root by default', () => assert.deepEqual(s.root, { path: base.rootfs, readonly: false }));
});

describe('buildSpec options', () => {
  const cases: { name: string; opts: Partial<SpecOptions>; check: (s: ReturnType<typeof buildSpec>) => void }[] = [
    {
      name: 'network by path, host pid, host uts drops the hostname',
      opts: { network: { mode: 'path', path: '/run/netns/x' }, pid: { mode: 'host' }, uts: { mode: 'host' }, hostname: 'h' },
      check: (s) => {
        assert.deepEqual(s.linux.namespaces, [{ type: 'mount' }, { type: 'network', path: '/run/netns/x' }, { type: 'ipc' }]);
        assert.equal(s.hostname, undefined);
      },
    },
    {
      name: 'host network, private cgroupns, hostname and domainname',
      opts: { network: { mode: 'host' }, cgroupns: { mode: 'private' }, hostname: 'web', domainname: 'example.org' },
      check: (s) => {
        assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['mount', 'uts', 'pid', 'ipc', 'cgroup']);
        assert.equal(s.hostname, 'web');
        assert.equal(s.domainname, 'example.org');
      },
    },
    {
      name: 'user with additional gids, cwd, tty with console size',
      opts: { user: { uid: 1000, gid: 100, additionalGids: [10, 20] }, cwd: '/work', tty: true, consoleSize: { height: 40, width: 120 } },
      check: (s) => {
        assert.deepEqual(s.process.user, { uid: 1000, gid: 100, additionalGids: [10, 20] });
        assert.equal(s.process.cwd, '/work');
        assert.equal(s.process.terminal, true);
        assert.deepEqual(s.process.consoleSize, { height: 40, width: 120 });
      },
    },
    {
      name: 'bind mounts (hosts files, volumes) sorted by depth, readonly rootfs makes /etc files ro',
      opts: {
        readonlyRootfs: true,
        mounts: [
          { type: 'bind', source: '/v/data', destination: '/data/sub/' },
          { type: 'bind', source: '/c/hosts', destination: '/etc/hosts' },
          { type: 'bind', source: '/c/resolv.conf', destination: '/etc/resolv.conf' },
          { type: 'bind', source: '/v/ro', destination: '/ro', readonly: true },
        ],
      },
      check: (s) => {
        assert.equal(s.root.readonly, true);
        const user = s.mounts.slice(7);
        assert.deepEqual(user.map((m) => m.destination), ['/ro', '/data/sub', '/etc/hosts', '/etc/resolv.conf']);
        assert.deepEqual(mountOf(s, '/etc/hosts')?.options, ['rbind', 'rprivate', 'ro']);
        assert.deepEqual(mountOf(s, '/ro')?.options, ['rbind', 'rprivate', 'ro']);
        assert.deepEqual(mountOf(s, '/data/sub')?.options, ['rbind', 'rprivate']);
        assert.equal(mountOf(s, '/data/sub')?.source, '/v/data');
      },
    },
    {
      name: 'tmpfs mounts get Docker\'s default flags unless overridden; a /dev/shm mount replaces the default',
      opts: {
        mounts: [
          { type: 'tmpfs', destination: '/run', options: ['size=1m'] },
          { type: 'tmpfs', destination: '/x', options: ['exec'] },
          { type: 'tmpfs', destination: '/dev/shm', options: ['size=1g'] },
        ],
      },
      check: (s) => {
        assert.deepEqual(mountOf(s, '/run'), { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'size=1m'] });
        assert.deepEqual(mountOf(s, '/x')?.options, ['nosuid', 'nodev', 'exec']);
        assert.equal(s.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
        assert.deepEqual(mountOf(s, '/dev/shm')?.options, ['noexec', 'nosuid', 'nodev', 'size=1g']);
      },
    },
    {
      name: 'host-dependent masked paths follow Docker\'s defaults',
      opts: { hostMaskedPaths: ['/sys/devices/system/cpu/cpu0/thermal_throttle'] },
      check: (s) => assert.deepEqual(s.linux.maskedPaths, [...DEFAULT_MASKED_PATHS, '/sys/devices/system/cpu/cpu0/thermal_throttle']),
    },
    {
      name: 'shm size',
      opts: { shmSize: 128 * 1024 * 1024 },
      check: (s) => assert.ok(mountOf(s, '/dev/shm')?.options?.includes('size=131072k')),
    },
    {
      name: '--init runs tini as /sbin/docker-init with -- before the command',
      opts: { init: true },
      check: (s) => {
        assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sh', '-c', 'echo hi']);
        assert.deepEqual(mountOf(s, '/sbin/docker-init'), { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['bind', 'ro'] });
      },
    },
    {
      name: 'privileged: all capabilities, no masks, rw sysfs, all devices allowed',
      opts: { privileged: true },
      check: (s) => {
        assert.deepEqual(s.process.capabilities.bounding, [...ALL_CAPABILITIES]);
        assert.equal(s.linux.maskedPaths, undefined);
        assert.equal(s.linux.readonlyPaths, undefined);
        assert.ok(mountOf(s, '/sys')?.options?.includes('rw'));
        assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
      },
    },
    {
      name: 'cap-add / cap-drop',
      opts: { capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'] },
      check: (s) => {
        assert.ok(s.process.capabilities.bounding.includes('CAP_NET_ADMIN'));
        assert.ok(!s.process.capabilities.effective.includes('CAP_MKNOD'));
      },
    },
    {
      name: 'ulimits override the NOFILE default and add others',
      opts: { ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'nproc', soft: 100, hard: 100 }] },
      check: (s) => assert.deepEqual(s.process.rlimits, [
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
        { type: 'RLIMIT_NPROC', soft: 100, hard: 100 },
      ]),
    },
    {
      name: 'the NOFILE default is capped to the daemon\'s own hard limit',
      opts: { maxNofile: 20000 },
      check: (s) => assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]),
    },
    {
      name: 'resources: memory, swap, cpu shares, --cpus, pids, oom score',
      opts: { resources: { memory: 64 << 20, memorySwap: 128 << 20, cpuShares: 512, nanoCpus: 1.5e9, pidsLimit: 50 }, oomScoreAdj: 500 },
      check: (s) => {
        assert.deepEqual(s.linux.resources.memory, { limit: 64 << 20, swap: 128 << 20 });
        assert.deepEqual(s.linux.resources.cpu, { shares: 512, period: 100000, quota: 150000 });
        assert.deepEqual(s.linux.resources.pids, { limit: 50 });
        assert.equal(s.process.oomScoreAdj, 500);
      },
    },
    {
      name: 'cpu quota/period, cgroup parent, devices and sysctls',
      opts: {
        resources: { cpuQuota: 50000, cpuPeriod: 100000, pidsLimit: -1 },
        cgroupParent: '/custom',
        devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }],
        sysctls: { 'net.ipv4.ip_forward': '1' },
      },
      check: (s) => {
        assert.deepEqual(s.linux.resources.cpu, { quota: 50000, period: 100000 });
        assert.equal(s.linux.resources.pids, undefined);
        assert.equal(s.linux.cgroupsPath, '/custom/abc');
        assert.equal(s.linux.devices?.[0]?.path, '/dev/fuse');
        assert.deepEqual(s.linux.resources.devices.at(-1), { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' });
        assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ip_forward': '1' });
      },
    },
  ];
  for (const c of cases) it(c.name, () => c.check(buildSpec({ ...base, ...c.opts })));

  const bad: { name: string; opts: Partial<SpecOptions>; msg: RegExp }[] = [
    { name: 'no command', opts: { args: [] }, msg: /no command specified/ },
    { name: 'unknown ulimit', opts: { ulimits: [{ name: 'bogus', soft: 1, hard: 1 }] }, msg: /invalid ulimit type: bogus/ },
    { name: 'soft > hard', opts: { ulimits: [{ name: 'nofile', soft: 10, hard: 5 }] }, msg: /soft limit must be less than or equal/ },
    { name: 'mount on /', opts: { mounts: [{ type: 'bind', source: '/x', destination: '/' }] }, msg: /destination can't be '\/'/ },
    { name: 'unknown capability', opts: { capAdd: ['bogus'] }, msg: /unknown capability: "CAP_BOGUS"/ },
  ];
  for (const c of bad) it(`rejects ${c.name}`, () => assert.throws(() => buildSpec({ ...base, ...c.opts }), c.msg));
});

describe('environment', () => {
  it('builds Docker\'s default env', () => {
    assert.deepEqual(containerEnv({ hostname: 'h1', tty: true, env: ['FOO=bar', 'PATH=/x'] }), ['PATH=/x', 'HOSTNAME=h1', 'TERM=xterm', 'FOO=bar']);
    assert.deepEqual(containerEnv({ hostname: 'h1', tty: false, env: [] }), [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOSTNAME=h1',
    ]);
  });
  it('replaces, appends and removes', () => {
    assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2'], ['B=3', 'C=4', 'A']), ['B=3', 'C=4']);
  });
});

describe('buildExecProcess', () => {
  const s = buildSpec({ ...base, env: ['A=1', 'B=2'], cwd: '/srv', ulimits: [{ name: 'nproc', soft: 5, hard: 5 }] });
  it('inherits the container process and overrides args, env, tty, cwd, user', () => {
    const p = buildExecProcess(s.process, { args: ['ls'], env: ['B=3'], tty: true, consoleSize: { height: 10, width: 20 }, user: { uid: 5, gid: 6 } });
    assert.deepEqual(p.args, ['ls']);
    assert.deepEqual(p.env, ['A=1', 'B=3']);
    assert.equal(p.terminal, true);
    assert.deepEqual(p.consoleSize, { height: 10, width: 20 });
    assert.equal(p.cwd, '/srv');
    assert.deepEqual(p.user, { uid: 5, gid: 6 });
    assert.deepEqual(p.rlimits, s.process.rlimits);
    assert.deepEqual(s.process.args, ['sh', '-c', 'echo hi'], 'the base is not modified');
  });
  it('gives a privileged exec every capability', () => {
    const p = buildExecProcess(s.process, { args: ['ls'], tty: false, privileged: true });
    assert.equal(p.capabilities.bounding.length, 41);
    assert.equal(p.terminal, false);
  });
});

describe('buildSpec with a user namespace (--userns-remap)', () => {
  const maps = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 1000 }] };
  it('adds a user namespace with the mappings and leaves the cgroup mount writable', () => {
    const s = buildSpec({ ...base, userns: maps });
    assert.deepEqual(s.linux.namespaces.find((n) => n.type === 'user'), { type: 'user' });
    assert.deepEqual(s.linux.uidMappings, maps.uidMappings);
    assert.deepEqual(s.linux.gidMappings, maps.gidMappings);
    assert.equal(mountOf(s, '/sys/fs/cgroup')?.options?.includes('ro'), false);
    assert.ok(mountOf(s, '/sys')?.options?.includes('ro'), '/sys stays read-only');
  });
  it('joins an existing user namespace by path', () => {
    const s = buildSpec({ ...base, userns: { ...maps, path: '/proc/42/ns/user' } });
    assert.deepEqual(s.linux.namespaces.find((n) => n.type === 'user'), { type: 'user', path: '/proc/42/ns/user' });
  });
  it('has none without it', () => {
    const s = buildSpec(base);
    assert.equal(s.linux.namespaces.some((n) => n.type === 'user'), false);
    assert.equal(s.linux.uidMappings, undefined);
    assert.equal(s.linux.gidMappings, undefined);
  });
});
