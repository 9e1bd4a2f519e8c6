import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { FakeNftables } from './fake.ts';
import type { NftTable } from './port.ts';
import { parseListedElements, parseListedRules, renderNftScript } from './render.ts';

const T: NftTable = { family: 'inet', name: 't' };

describe('nft script rendering', () => {
  it('renders every op and drops empty element lists', () => {
    assert.equal(
      renderNftScript(T, [
        { op: 'add-table' },
        { op: 'add-set', name: 's', spec: 'type ifname;' },
        { op: 'add-set', name: 'm', map: true, spec: 'type inet_service : ipv4_addr;' },
        { op: 'add-chain', chain: 'pre', base: 'type nat hook prerouting priority -100; policy accept;' },
        { op: 'add-chain', chain: 'c' },
        { op: 'flush-chain', chain: 'c' },
        { op: 'add-rule', chain: 'c', rule: 'iifname @s accept' },
        { op: 'add-element', set: 's', elements: ['"a"', '"b"'] },
        { op: 'delete-element', set: 's', elements: [] },
        { op: 'delete-table' },
      ]),
      [
        'add table inet t',
        'add set inet t s { type ifname; }',
        'add map inet t m { type inet_service : ipv4_addr; }',
        'add chain inet t pre { type nat hook prerouting priority -100; policy accept; }',
        'add chain inet t c',
        'flush chain inet t c',
        'add rule inet t c iifname @s accept',
        'add element inet t s { "a", "b" }',
        'delete table inet t',
        '',
      ].join('\n'),
    );
  });
  it('parses listed elements and rules', () => {
    const map = `table inet berth {
\tmap pub_any {
\t\ttype inet_proto . inet_service : ipv4_addr . inet_service
\t\telements = { tcp . 8080 : 172.17.0.2 . 80,
\t\t\t     udp . 53 : 172.17.0.3 . 53 }
\t}
}`;
    assert.deepEqual(parseListedElements(map), ['tcp . 8080 : 172.17.0.2 . 80', 'udp . 53 : 172.17.0.3 . 53']);
    assert.deepEqual(parseListedElements('table inet berth {\n\tset bridges {\n\t\ttype ifname\n\t}\n}'), []);
    const chain = `table inet berth {
\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tjump nets-fwd
\t\toifname @bridges drop
\t}
}`;
    assert.deepEqual(parseListedRules(chain), ['jump nets-fwd', 'oifname @bridges drop']);
  });
});

describe('FakeNftables', () => {
  it('applies transactions atomically and fails like nft', async () => {
    const nft = new FakeNftables();
    await assert.rejects(nft.apply(ctx, T, [{ op: 'add-chain', chain: 'c' }]), /No such file or directory/);
    await nft.apply(ctx, T, [{ op: 'add-table' }, { op: 'add-set', name: 'm', map: true, spec: 'type inet_service : ipv4_addr;' }]);
    await nft.apply(ctx, T, [{ op: 'add-element', set: 'm', elements: ['80 : 10.0.0.2'] }]);
    await assert.rejects(
      nft.apply(ctx, T, [
        { op: 'add-element', set: 'm', elements: ['81 : 10.0.0.3'] },
        { op: 'delete-element', set: 'm', elements: ['99 : 10.0.0.9'] },
      ]),
      /No such file or directory/,
    );
    assert.deepEqual(await nft.elements(ctx, T, 'm'), ['80 : 10.0.0.2']);
    await assert.rejects(nft.apply(ctx, T, [{ op: 'add-element', set: 'm', elements: ['80 : 10.0.0.4'] }]), /File exists/);
    await assert.rejects(nft.apply(ctx, T, [{ op: 'add-chain', chain: 'c' }, { op: 'add-rule', chain: 'c', rule: 'jump nowhere' }]), /No such file/);
    await nft.apply(ctx, T, [{ op: 'add-table' }, { op: 'delete-table' }]);
    assert.deepEqual(await nft.tables(ctx), []);
  });
});
