import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BindingPolicy, hostIpsOf, isLoopback6 } from './host-bindings.ts';

const dflt: BindingPolicy = { defaultHostIp: '0.0.0.0', ipv6Listenable: true, userlandProxy: true };

describe('host addresses of a port binding (dockerd 20.10 allocatePortsInternal)', () => {
  const cases: [string, string, Partial<BindingPolicy>, boolean, string[]][] = [
    // what, HostIp, policy, container has IPv6, expected
    ['no address: 0.0.0.0 and ::', '', {}, false, ['0.0.0.0', '::']],
    ['no address, dual-stack container', '', { userlandProxy: false }, true, ['0.0.0.0', '::']],
    ['no address, no proxy, IPv4-only container: IPv4 only', '', { userlandProxy: false }, false, ['0.0.0.0']],
    ['no address, host without IPv6', '', { ipv6Listenable: false }, true, ['0.0.0.0']],
    ['explicit 0.0.0.0: IPv4 only', '0.0.0.0', {}, true, ['0.0.0.0']],
    ['explicit 127.0.0.1', '127.0.0.1', {}, true, ['127.0.0.1']],
    ['explicit ::', '::', {}, false, ['::']],
    ['explicit ::1 (canonical)', '0:0::1', {}, false, ['::1']],
    ['explicit IPv6 even when the host cannot listen on IPv6 (the proxy will say why)', '::1', { ipv6Listenable: false }, false, ['::1']],
    ['explicit IPv6, no proxy, IPv4-only container: dropped', '2001:db8::1', { userlandProxy: false }, false, []],
    ['default address host_binding_ipv4=127.0.0.1: no ::', '', { defaultHostIp: '127.0.0.1' }, true, ['127.0.0.1']],
    ['daemon ip=::1: IPv6 only', '', { defaultHostIp: '::1' }, false, ['::1']],
    ['empty default: 0.0.0.0', '', { defaultHostIp: '' }, false, ['0.0.0.0', '::']],
  ];
  for (const [what, hostIp, p, ipv6, want] of cases) {
    it(what, () => assert.deepEqual(hostIpsOf(hostIp, { ...dflt, ...p }, { ipv6 }), want));
  }

  it('IPv6 loopback in any spelling', () => {
    assert.equal(isLoopback6('::1'), true);
    assert.equal(isLoopback6('0:0:0:0:0:0:0:1'), true);
    assert.equal(isLoopback6('::'), false);
    assert.equal(isLoopback6('127.0.0.1'), false);
  });
});
