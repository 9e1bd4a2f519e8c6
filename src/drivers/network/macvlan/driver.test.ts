import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipFailure, vlanOf } from './driver.ts';

test('ipFailure: the reason of a failed ip -batch, without the line-number trailer', () => {
  const cases: [string, string, string][] = [
    ['ip -batch -: Error: Unknown device type.\nCommand failed -:1', 'vlan', 'the kernel does not support vlan links (ip: Unknown device type.)'],
    ['ip -batch -: RTNETLINK answers: File exists\nCommand failed -:2', 'dummy', 'RTNETLINK answers: File exists'],
    ['ip -batch -: Error: argument "x" is wrong: invalid VLAN id\nCommand failed -:1', 'vlan', 'argument "x" is wrong: invalid VLAN id'],
    ['', 'vlan', 'failed'],
  ];
  for (const [msg, kind, want] of cases) assert.equal(ipFailure(msg, kind), want, msg);
});

test('vlanOf: the 802.1q form of a parent', () => {
  assert.deepEqual(vlanOf('eth0.10'), { link: 'eth0', id: 10 });
  assert.equal(vlanOf('eth0'), undefined);
  assert.equal(vlanOf('eth0.4095'), undefined);
  assert.equal(vlanOf('eth0.0'), undefined);
});
