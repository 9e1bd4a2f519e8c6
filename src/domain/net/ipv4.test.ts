import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contains, formatIPv4, formatPrefix4, isIPv6, mustPrefix4, overlaps, parseCidr4, parseIPv4, usableRange, within } from './ipv4.ts';
import { DEFAULT_ADDRESS_POOLS, nextFreeSubnet, poolSubnets } from './pools.ts';
import { macFromIPv4, normalizeMac } from './mac.ts';

describe('IPv4 math', () => {
  for (const [s, n] of [
    ['0.0.0.0', 0],
    ['172.17.0.1', 0xac110001],
    ['255.255.255.255', 0xffffffff],
  ] as const) {
    it(`parses and formats ${s}`, () => {
      assert.equal(parseIPv4(s), n);
      assert.equal(formatIPv4(n), s);
    });
  }
  for (const bad of ['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseIPv4(bad), undefined));
  }
  it('parses CIDRs, masking host bits', () => {
    assert.deepEqual(parseCidr4('172.17.0.1/16'), { ip: 0xac110001, prefix: { base: 0xac110000, bits: 16 } });
    assert.equal(parseCidr4('10.0.0.0/33'), undefined);
    assert.equal(parseCidr4('10.0.0.0'), undefined);
    assert.equal(formatPrefix4(mustPrefix4('10.1.2.3/8')), '10.0.0.0/8');
  });
  const table: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.255.0.0/16', true],
    ['10.0.0.0/16', '10.1.0.0/16', false],
    ['172.17.0.0/16', '172.16.0.0/12', true],
    ['192.168.0.0/20', '192.168.16.0/20', false],
    ['0.0.0.0/0', '1.2.3.4/32', true],
  ];
  for (const [a, b, want] of table) it(`overlaps(${a}, ${b}) = ${want}`, () => assert.equal(overlaps(mustPrefix4(a), mustPrefix4(b)), want));
  it('contains, within, usable range', () => {
    assert.ok(contains(mustPrefix4('172.17.0.0/16'), parseIPv4('172.17.255.255')!));
    assert.ok(!contains(mustPrefix4('172.17.0.0/16'), parseIPv4('172.18.0.0')!));
    assert.ok(within(mustPrefix4('10.1.0.0/24'), mustPrefix4('10.0.0.0/8')));
    assert.ok(!within(mustPrefix4('10.0.0.0/8'), mustPrefix4('10.1.0.0/24')));
    const u = usableRange(mustPrefix4('10.0.0.0/30'));
    assert.deepEqual([formatIPv4(u.first), formatIPv4(u.last)], ['10.0.0.1', '10.0.0.2']);
    const u31 = usableRange(mustPrefix4('10.0.0.0/31'));
    assert.deepEqual([formatIPv4(u31.first), formatIPv4(u31.last)], ['10.0.0.0', '10.0.0.1']);
  });
  for (const [s, want] of [
    ['::', true],
    ['::1', true],
    ['fe80::1%eth0', false],
    ['2001:db8::8:800:200c:417a', true],
    ['::ffff:1.2.3.4', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2::3', false],
    ['12345::', false],
    ['1.2.3.4', false],
  ] as const) {
    it(`isIPv6(${s}) = ${want}`, () => assert.equal(isIPv6(s), want));
  }
});

describe('address pools', () => {
  it("yields dockerd's default subnets in order", () => {
    const all = [...poolSubnets(DEFAULT_ADDRESS_POOLS)].map(formatPrefix4);
    assert.deepEqual(all.slice(0, 4), ['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16', '172.20.0.0/16']);
    assert.equal(all.at(14), '172.31.0.0/16');
    assert.equal(all.at(15), '192.168.0.0/20');
    assert.equal(all.length, 15 + 16);
  });
  const cases: [string[], string | undefined][] = [
    [[], '172.17.0.0/16'],
    [['172.17.0.0/16'], '172.18.0.0/16'],
    [['172.16.0.0/12'], '192.168.0.0/20'],
    [['172.17.5.0/24', '172.18.0.0/16'], '172.19.0.0/16'],
    [['172.16.0.0/12', '192.168.0.0/16'], undefined],
  ];
  for (const [used, want] of cases) {
    it(`next free after [${used.join(', ')}] is ${want}`, () => assert.equal(nextFreeSubnet(DEFAULT_ADDRESS_POOLS, used.map(mustPrefix4)), want));
  }
});

describe('MAC addresses', () => {
  for (const [ip, mac] of [
    ['172.17.0.2', '02:42:ac:11:00:02'],
    ['10.77.0.255', '02:42:0a:4d:00:ff'],
  ]) {
    it(`derives ${mac} from ${ip}`, () => assert.equal(macFromIPv4(ip), mac));
  }
  it('normalises and validates user MACs', () => {
    assert.equal(normalizeMac('12-34-56-78-9A-BC'), '12:34:56:78:9a:bc');
    assert.throws(() => normalizeMac('12:34:56:78:9a'), { message: '12:34:56:78:9a is not a valid mac address' });
  });
});
