import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlatform, normalizeArch, onlyPlatform, type Platform, parsePlatform } from './platform.ts';

const amd64: Platform = { os: 'linux', architecture: 'amd64' };

describe('platforms', () => {
  it('parses --platform values', () => {
    const cases: [string, string][] = [
      ['linux/amd64', 'linux/amd64'],
      ['linux/arm64', 'linux/arm64'],
      ['linux/arm64/v8', 'linux/arm64'],
      ['linux/aarch64', 'linux/arm64'],
      ['linux/arm', 'linux/arm/v7'],
      ['linux/arm/v6', 'linux/arm/v6'],
      ['linux/armhf', 'linux/arm/v7'],
      ['linux/x86_64', 'linux/amd64'],
      ['linux/i386', 'linux/386'],
      ['arm64', 'linux/arm64'],
      ['linux', 'linux/amd64'],
      ['Linux/AMD64', 'linux/amd64'],
      ['windows/amd64', 'windows/amd64'],
    ];
    for (const [spec, want] of cases) assert.equal(formatPlatform(parsePlatform(spec, amd64)), want, spec);
  });
  it('refuses nonsense with containerd-like messages', () => {
    assert.throws(() => parsePlatform('linux/nosucharch', amd64), /"linux\/nosucharch": unknown architecture: invalid argument/);
    assert.throws(() => parsePlatform('plan10/amd64', amd64), /unknown operating system/);
    assert.throws(() => parsePlatform('bogus', amd64), /unknown operating system or architecture/);
    assert.throws(() => parsePlatform('linux/arm/v7/extra', amd64), /cannot parse platform specifier/);
    assert.throws(() => parsePlatform('linux//amd64', amd64), /invalid component/);
  });
  it('normalises architectures', () => {
    assert.deepEqual(normalizeArch('aarch64', '8'), { architecture: 'arm64', variant: '' });
    assert.deepEqual(normalizeArch('arm', '5'), { architecture: 'arm', variant: 'v5' });
    assert.deepEqual(normalizeArch('amd64', 'v1'), { architecture: 'amd64', variant: '' });
  });
  it('matches what a host can run, best first', () => {
    const onAmd = onlyPlatform(amd64);
    assert.ok(onAmd.match({ os: 'linux', architecture: 'amd64' }));
    assert.ok(onAmd.match({ os: 'linux', architecture: 'x86_64' }));
    assert.ok(onAmd.match({ os: 'linux', architecture: '386' }));
    assert.ok(!onAmd.match({ os: 'linux', architecture: 'arm64' }));
    assert.ok(!onAmd.match({ os: 'windows', architecture: 'amd64' }));
    assert.ok(onAmd.rank({ os: 'linux', architecture: 'amd64' }) < onAmd.rank({ os: 'linux', architecture: '386' }));
    const onArm64 = onlyPlatform({ os: 'linux', architecture: 'arm64' });
    assert.ok(onArm64.match({ os: 'linux', architecture: 'arm64', variant: 'v8' }));
    assert.ok(onArm64.match({ os: 'linux', architecture: 'arm', variant: 'v7' }));
    assert.ok(onArm64.match({ os: 'linux', architecture: 'arm', variant: 'v5' }));
    assert.ok(!onArm64.match({ os: 'linux', architecture: 'amd64' }));
    assert.ok(onArm64.rank({ os: 'linux', architecture: 'arm', variant: 'v8' }) < onArm64.rank({ os: 'linux', architecture: 'arm', variant: 'v6' }));
    const onArmV6 = onlyPlatform({ os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.ok(!onArmV6.match({ os: 'linux', architecture: 'arm', variant: 'v7' }));
    assert.ok(onArmV6.match({ os: 'linux', architecture: 'arm', variant: 'v5' }));
  });
});
