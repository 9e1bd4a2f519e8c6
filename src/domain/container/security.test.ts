import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adaptHostSettings } from './host-settings.ts';
import { normalizeHostConfig } from './normalize.ts';
import { lsmWarnings, parseDeviceCgroupRule, parseSecurityOpts, validateSysctls } from './security.ts';

describe('security options', () => {
  test('parseSecurityOpts', () => {
    assert.deepEqual(parseSecurityOpts(['no-new-privileges', 'seccomp=unconfined', 'apparmor:foo', 'label=level:s0']), { noNewPrivileges: true, seccomp: 'unconfined', apparmor: 'foo', labels: ['level:s0'] });
    assert.equal(parseSecurityOpts(['no-new-privileges=false']).noNewPrivileges, false);
    assert.throws(() => parseSecurityOpts(['bogus']), { message: 'invalid --security-opt 1: "bogus"' });
    assert.throws(() => parseSecurityOpts(['foo=bar']), { message: 'invalid --security-opt 2: "foo=bar"' });
    assert.throws(() => parseSecurityOpts(['no-new-privileges=maybe']), { message: 'invalid --security-opt 2: "no-new-privileges=maybe"' });
  });
  test('LSM warnings only where the host lacks the LSM', () => {
    const s = parseSecurityOpts(['apparmor=x', 'label=disable']);
    assert.equal(lsmWarnings(s, { apparmor: false, selinux: false }).length, 2);
    assert.equal(lsmWarnings(s, { apparmor: true, selinux: true }).length, 0);
    assert.equal(lsmWarnings(parseSecurityOpts(['apparmor=unconfined']), { apparmor: false, selinux: false }).length, 0);
  });
  test('sysctls', () => {
    const priv = { ipcHost: false, netHost: false, utsHost: false };
    assert.doesNotThrow(() => validateSysctls({ 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '10' }, priv));
    assert.throws(() => validateSysctls({ 'kernel.panic': '1' }, priv), { message: 'sysctl "kernel.panic" is not in a separate kernel namespace' });
    assert.throws(() => validateSysctls({ 'net.core.somaxconn': '1' }, { ...priv, netHost: true }), /not allowed in host network namespace/);
    assert.throws(() => validateSysctls({ 'kernel.sem': '1' }, { ...priv, ipcHost: true }), /not allowed in the hosts ipc namespace/);
  });
  test('device cgroup rules', () => {
    assert.deepEqual(parseDeviceCgroupRule('c 1:3 rwm'), { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
    assert.deepEqual(parseDeviceCgroupRule('b *:* r'), { allow: true, type: 'b', access: 'r' });
    assert.throws(() => parseDeviceCgroupRule('x 1:3 rwm'), { message: "invalid device cgroup rule format: 'x 1:3 rwm'" });
  });
});

describe('host settings', () => {
  const d = { cgroupVersion: 1 as const };
  test('defaults', () => {
    const h = normalizeHostConfig({});
    adaptHostSettings(h, { Hostname: '' }, d);
    assert.deepEqual([h.ShmSize, h.IpcMode, h.CgroupnsMode], [64 * 1024 * 1024, 'private', 'host']);
    const v2 = normalizeHostConfig({});
    adaptHostSettings(v2, { Hostname: '' }, { cgroupVersion: 2 });
    assert.equal(v2.CgroupnsMode, 'private');
  });
  const bad: [Record<string, unknown>, string, string?][] = [
    [{ UTSMode: 'host' }, 'conflicting options: hostname and the UTS mode', 'h1'],
    [{ IpcMode: 'bogus' }, 'invalid IPC mode: bogus'],
    [{ PidMode: 'container:' }, 'invalid PID mode: container:'],
    [{ UTSMode: 'private' }, 'invalid UTS mode: private'],
    [{ CgroupnsMode: 'x' }, 'invalid cgroup namespace mode: x'],
    [{ OomScoreAdj: -1001 }, 'Invalid value -1001, range for oom score adj is [-1000, 1000]'],
  ];
  for (const [raw, msg, hostname] of bad) {
    test(`refuses ${JSON.stringify(raw)}`, () => assert.throws(() => adaptHostSettings(normalizeHostConfig(raw), { Hostname: hostname ?? '' }, d), { message: msg }));
  }
});
