import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CAPABILITIES } from './defaults.ts';
import { DOCKER_DEFAULT_SECCOMP } from './seccomp-default.ts';
import { kernelAtLeast, parseSeccompProfile, seccompFor } from './seccomp.ts';

const amd64 = { arch: 'amd64', bounding: DEFAULT_CAPABILITIES, kernel: '6.1.0-18-amd64' };
const allowed = (s: ReturnType<typeof seccompFor>, name: string) => s!.syscalls!.some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes(name) && !r.args);

describe("Docker's default profile", () => {
  const def = seccompFor(DOCKER_DEFAULT_SECCOMP, amd64)!;
  test('deny by default with EPERM, x86 architectures', () => {
    assert.equal(def.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(def.defaultErrnoRet, 1);
    assert.deepEqual(def.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  });
  test('ordinary syscalls allowed; keyctl, add_key, reboot, mount, unshare not without their capability', () => {
    for (const n of ['read', 'write', 'openat', 'clone', 'arch_prctl']) assert.ok(def.syscalls!.some((r) => r.names.includes(n) && r.action === 'SCMP_ACT_ALLOW'), n);
    for (const n of ['keyctl', 'add_key', 'request_key', 'reboot', 'mount', 'unshare', 'setns', 'init_module', 'kexec_load']) assert.ok(!allowed(def, n), n);
  });
  test('a capability brings its syscalls', () => {
    const admin = seccompFor(DOCKER_DEFAULT_SECCOMP, { ...amd64, bounding: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT'] })!;
    for (const n of ['mount', 'unshare', 'setns', 'reboot']) assert.ok(allowed(admin, n), n);
    // clone3 is refused with ENOSYS without CAP_SYS_ADMIN, so that libcs fall back to clone
    assert.ok(def.syscalls!.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === 38));
    assert.ok(!admin.syscalls!.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO'));
  });
  test('arch-specific rules', () => {
    assert.ok(allowed(def, 'arch_prctl'));
    assert.ok(!allowed(def, 's390_pci_mmio_read'));
  });
});

describe('profiles', () => {
  test('a user profile passes through', () => {
    const s = seccompFor(parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"}]}'), amd64)!;
    assert.deepEqual(s, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
  });
  test('errors', () => {
    assert.throws(() => parseSeccompProfile('{'), /^InvalidArgumentError: Decoding seccomp profile failed/);
    assert.throws(() => seccompFor({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }] }, amd64), /both 'architectures' and 'archMap'/);
    assert.throws(() => seccompFor({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, amd64), /both 'name' and 'names'/);
  });
  test('an empty profile disables seccomp', () => assert.equal(seccompFor({ defaultAction: '' }, amd64), undefined));
  test('kernel versions', () => {
    assert.equal(kernelAtLeast('6.1.0-18-amd64', '4.8'), true);
    assert.equal(kernelAtLeast('4.4.0', '4.8'), false);
    assert.equal(kernelAtLeast('4.8.1', '4.8'), true);
  });
});
