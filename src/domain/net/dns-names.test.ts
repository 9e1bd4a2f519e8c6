import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressOfReverseName, type DnsView, expandIPv6, resolveAddress, resolveName, reverseName, rotate } from './dns-names.ts';

const ep = (containerId: string, networkId: string, names: string[], ipv4: string, ipv6 = '', links?: Record<string, string>) => ({
  containerId,
  containerName: names[0]!,
  networkId,
  names,
  ipv4,
  ipv6,
  ...(links ? { links } : {}),
});

// web and db on "front"; db and cache on "back"; a and b share the alias "svc" on "front"; c6 is dual-stack
const view: DnsView = {
  networks: [
    { id: 'F', name: 'front' },
    { id: 'B', name: 'back' },
  ],
  endpoints: [
    ep('web', 'F', ['web', 'www', 'webid1234567', 'webhost'], '10.0.0.2', '', { database: 'db' }),
    ep('db', 'F', ['db', 'dbid12345678'], '10.0.0.3'),
    ep('db', 'B', ['db', 'dbid12345678', 'store'], '10.1.0.3'),
    ep('cache', 'B', ['cache'], '10.1.0.4'),
    ep('a', 'F', ['a', 'svc'], '10.0.0.10'),
    ep('b', 'F', ['b', 'svc'], '10.0.0.11'),
    ep('c6', 'F', ['c6'], '10.0.0.20', 'fd00::20'),
    // on the default bridge (not a resolving network): never visible
    ep('web', 'D', ['web'], '172.17.0.2'),
    ep('old', 'D', ['old'], '172.17.0.3'),
  ],
};

describe('embedded DNS name resolution', () => {
  const cases: [string, string, string, 4 | 6, ReturnType<typeof resolveName>][] = [
    ['container name', 'web', 'db', 4, { kind: 'found', ips: ['10.0.0.3'] }],
    ['case and trailing dot', 'web', 'DB.', 4, { kind: 'found', ips: ['10.0.0.3'] }],
    ['network alias', 'db', 'www', 4, { kind: 'found', ips: ['10.0.0.2'] }],
    ['short id', 'db', 'webid1234567', 4, { kind: 'found', ips: ['10.0.0.2'] }],
    ['hostname', 'db', 'webhost', 4, { kind: 'found', ips: ['10.0.0.2'] }],
    ['shared alias: every address', 'web', 'svc', 4, { kind: 'found', ips: ['10.0.0.10', '10.0.0.11'] }],
    ['not on a shared network', 'web', 'cache', 4, { kind: 'unknown' }],
    ['alias only on the other network', 'web', 'store', 4, { kind: 'unknown' }],
    ['seen from the second network', 'cache', 'db', 4, { kind: 'found', ips: ['10.1.0.3'] }],
    ['asker on both: first network first', 'db', 'db', 4, { kind: 'found', ips: ['10.0.0.3'] }],
    ['name.network picks the network', 'db', 'db.back', 4, { kind: 'found', ips: ['10.1.0.3'] }],
    ['name.network of a network not shared', 'web', 'db.back', 4, { kind: 'unknown' }],
    ['legacy link alias', 'web', 'database', 4, { kind: 'found', ips: ['10.0.0.3'] }],
    ['link alias is the asker\'s only', 'db', 'database', 4, { kind: 'unknown' }],
    ['AAAA of an IPv4-only name: no data', 'web', 'db', 6, { kind: 'nodata' }],
    ['AAAA of a dual-stack name', 'web', 'c6', 6, { kind: 'found', ips: ['fd00::20'] }],
    ['unknown name is forwarded', 'web', 'example.com', 4, { kind: 'unknown' }],
    ['default bridge names are invisible', 'old', 'web', 4, { kind: 'unknown' }],
    ['empty name', 'web', '.', 4, { kind: 'unknown' }],
  ];
  for (const [what, asker, q, fam, want] of cases) {
    it(what, () => assert.deepEqual(resolveName(view, asker, q, fam), want));
  }

  it('answers reverse queries with name.network of the shared networks only', () => {
    assert.equal(resolveAddress(view, 'web', '10.0.0.3'), 'db.front');
    assert.equal(resolveAddress(view, 'cache', '10.1.0.3'), 'db.back');
    assert.equal(resolveAddress(view, 'web', '10.1.0.4'), undefined);
    assert.equal(resolveAddress(view, 'web', 'fd00:0::20'), 'c6.front');
  });

  it('reverse names both ways', () => {
    assert.equal(reverseName('10.0.0.3'), '3.0.0.10.in-addr.arpa');
    assert.equal(addressOfReverseName('3.0.0.10.in-addr.arpa.'), '10.0.0.3');
    assert.equal(addressOfReverseName('300.0.0.10.in-addr.arpa'), undefined);
    assert.equal(addressOfReverseName('example.com'), undefined);
    const r6 = reverseName('fd00::20');
    assert.match(r6, /^0\.2(\.0){28}\.d\.f\.ip6\.arpa$/);
    assert.equal(addressOfReverseName(r6), expandIPv6('fd00::20'));
    assert.equal(expandIPv6('::1'), '0000:0000:0000:0000:0000:0000:0000:0001');
  });

  it('rotates for round robin', () => {
    assert.deepEqual(rotate([1, 2, 3], 1), [2, 3, 1]);
    assert.deepEqual(rotate([1, 2, 3], 5), [3, 1, 2]);
    assert.deepEqual(rotate([1], 7), [1]);
  });
});
