import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkLocalCidrs } from './link-local.ts';

describe('--link-local-ip', () => {
  it('gives the interface addresses with libnetwork masks', () => {
    assert.deepEqual(linkLocalCidrs(['169.254.1.1', 'fe80::5', 'FE80:0::a']), ['169.254.1.1/16', 'fe80::5/64', 'fe80::a/64']);
    assert.deepEqual(linkLocalCidrs(undefined), []);
    assert.deepEqual(linkLocalCidrs(null), []);
    assert.deepEqual(linkLocalCidrs(['']), []);
  });

  const bad: [string[], string][] = [
    [['foo'], 'Invalid link-local IP address: [foo]'],
    [['169.254.1.1', 'bar'], 'Invalid link-local IP address: [169.254.1.1 bar]'],
    [['169.254.1.1/16'], 'Invalid link-local IP address: [169.254.1.1/16]'],
    [['10.1.2.3'], 'invalid link local IP address: 10.1.2.3'],
    [['0.0.0.0'], 'invalid link local IP address: 0.0.0.0'],
    [['::'], 'invalid link local IP address: ::'],
    [['2001:db8::1'], 'invalid link local IP address: 2001:db8::1'],
    [['169.255.0.1'], 'invalid link local IP address: 169.255.0.1'],
  ];
  for (const [ips, message] of bad) {
    it(`refuses ${JSON.stringify(ips)} with dockerd's message`, () => assert.throws(() => linkLocalCidrs(ips), { message }));
  }
});
