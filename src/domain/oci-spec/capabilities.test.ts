import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeCapabilities, tweakCapabilities } from './capabilities.ts';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './defaults.ts';

describe('capabilities', () => {
  it('has Docker\'s 14 defaults and the kernel\'s 41', () => {
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    assert.equal(ALL_CAPABILITIES.length, 41);
    assert.equal(new Set(ALL_CAPABILITIES).size, 41);
    for (const c of DEFAULT_CAPABILITIES) assert.ok(ALL_CAPABILITIES.includes(c), c);
  });

  it('normalizes names', () => {
    assert.deepEqual(normalizeCapabilities(['net_admin', 'CAP_SYS_ADMIN', 'all', 'Sys_Time']), ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'ALL', 'CAP_SYS_TIME']);
  });

  it('rejects unknown names with Docker\'s message', () => {
    assert.throws(() => normalizeCapabilities(['foo']), { message: 'unknown capability: "CAP_FOO"' });
  });

  const cases: { name: string; add?: string[]; drop?: string[]; priv?: boolean; want: readonly string[] }[] = [
    { name: 'defaults', want: DEFAULT_CAPABILITIES },
    { name: 'privileged', priv: true, add: ['NET_ADMIN'], want: ALL_CAPABILITIES },
    { name: 'add one', add: ['NET_ADMIN'], want: [...DEFAULT_CAPABILITIES, 'CAP_NET_ADMIN'] },
    { name: 'drop one', drop: ['chown'], want: DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN') },
    { name: 'drop all, add one', drop: ['ALL'], add: ['kill'], want: ['CAP_KILL'] },
    { name: 'add all, drop one', add: ['ALL'], drop: ['sys_admin'], want: ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_ADMIN') },
    { name: 'add an existing one', add: ['KILL'], want: DEFAULT_CAPABILITIES },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(tweakCapabilities(DEFAULT_CAPABILITIES, c.add, c.drop, c.priv), [...c.want]));
  }
});
