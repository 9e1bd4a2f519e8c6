import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../../common/ctx.ts';
import { ForbiddenError, InvalidArgumentError, UnavailableError } from '../../../common/errors.ts';
import { DefaultIpam } from './ipam.ts';

const dirs: string[] = [];
async function tmpDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'berth-ipam-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function open(): Promise<{ path: string; ipam: DefaultIpam }> {
  const path = join(await tmpDir(), 'ipam.json');
  return { path, ipam: await DefaultIpam.open(path) };
}

describe('DefaultIpam', () => {
  it('chooses free default pools, avoiding routed prefixes and existing pools', async () => {
    const { ipam } = await open();
    const a = await ipam.requestPool(ctx, { owner: 'n1' });
    assert.deepEqual(a, { id: '172.17.0.0/16', subnet: '172.17.0.0/16', gateway: '172.17.0.1', owner: 'n1' });
    const b = await ipam.requestPool(ctx, { owner: 'n2', avoid: ['172.18.0.0/16', '10.0.0.0/8'] });
    assert.equal(b.subnet, '172.19.0.0/16');
    await assert.rejects(ipam.requestPool(ctx, { owner: 'n3', subnet: '172.19.3.0/24' }), (e: Error) => e instanceof ForbiddenError && e.message === 'invalid pool request: Pool overlaps with other one on this address space');
    await assert.rejects(ipam.requestPool(ctx, { owner: 'n3', subnet: '10.0.0.0/24', gateway: '10.0.1.1' }), /Address out of range/);
    await assert.rejects(ipam.requestPool(ctx, { owner: 'n3', subnet: 'nope' }), InvalidArgumentError);
    await assert.rejects(ipam.requestPool(ctx, { owner: 'n3', subnet: '10.0.0.0/24', ipRange: '10.0.1.0/25' }), /not within subnet/);
    assert.equal(ipam.pools().length, 2, 'failed requests leave no pool');
  });

  it('leases serially, skipping gateway and reserved addresses, persisted across reopen', async () => {
    const { path, ipam } = await open();
    const p = await ipam.requestPool(ctx, { owner: 'n', subnet: '10.9.0.0/29', gateway: '10.9.0.2', auxAddresses: { r: '10.9.0.3' } });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await ipam.requestAddress(ctx, p.id, { owner: `e${i}` }));
    assert.deepEqual(got, ['10.9.0.1', '10.9.0.4', '10.9.0.5', '10.9.0.6']);
    await assert.rejects(ipam.requestAddress(ctx, p.id, { owner: 'x' }), (e: Error) => e instanceof UnavailableError && e.message === 'No available addresses on this pool');
    await ipam.releaseAddress(ctx, p.id, '10.9.0.4');
    await ipam.releaseAddress(ctx, p.id, '10.9.0.4');
    const again = await DefaultIpam.open(path);
    assert.deepEqual(
      again.leases(p.id).map((l) => l.ip).sort(),
      ['10.9.0.1', '10.9.0.5', '10.9.0.6'],
    );
    assert.equal(await again.requestAddress(ctx, p.id, { owner: 'y' }), '10.9.0.4');
  });

  it('hands out the lowest free address (libnetwork): a released one comes back first', async () => {
    const { ipam } = await open();
    const p = await ipam.requestPool(ctx, { owner: 'n', subnet: '10.8.0.0/24' });
    const a = await ipam.requestAddress(ctx, p.id, { owner: 'a' });
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'b' }), '10.8.0.3');
    await ipam.releaseAddress(ctx, p.id, a);
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'c' }), '10.8.0.2');
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'd' }), '10.8.0.4');
  });

  it('honours preferred addresses and ip ranges', async () => {
    const { ipam } = await open();
    const p = await ipam.requestPool(ctx, { owner: 'n', subnet: '10.7.0.0/24', ipRange: '10.7.0.128/26' });
    // without --gateway the gateway is the range's first address (libnetwork), the first container the next
    assert.equal(p.gateway, '10.7.0.128');
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'a' }), '10.7.0.129');
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'b', preferred: '10.7.0.9' }), '10.7.0.9');
    await assert.rejects(ipam.requestAddress(ctx, p.id, { owner: 'c', preferred: '10.7.0.9' }), { message: 'Address already in use' });
    await assert.rejects(ipam.requestAddress(ctx, p.id, { owner: 'c', preferred: '10.7.0.128' }), { message: 'Address already in use' });
    await assert.rejects(ipam.requestAddress(ctx, p.id, { owner: 'c', preferred: '10.7.1.1' }), { message: 'requested address is out of range' });
    await Promise.all([1, 2, 3].map((i) => ipam.requestAddress(ctx, p.id, { owner: `p${i}` })));
    assert.equal(new Set(ipam.leases(p.id).map((l) => l.ip)).size, 5, 'concurrent requests get distinct addresses');
  });

  it('IPv6 pools: a user subnet, or a /64 of the engine ULA /48; serial leases from ::2', async () => {
    const { path, ipam } = await open();
    const a = await ipam.requestPool(ctx, { owner: 'n1', subnet: '2001:DB8:1::/64' });
    assert.deepEqual(a, { id: '2001:db8:1::/64', subnet: '2001:db8:1::/64', gateway: '2001:db8:1::1', owner: 'n1' });
    assert.equal(await ipam.requestAddress(ctx, a.id, { owner: 'e1' }), '2001:db8:1::2');
    assert.equal(await ipam.requestAddress(ctx, a.id, { owner: 'e2', preferred: '2001:db8:1:0::10' }), '2001:db8:1::10');
    await assert.rejects(ipam.requestAddress(ctx, a.id, { owner: 'e3', preferred: '2001:db8:1::1' }), { message: 'Address already in use' });
    await assert.rejects(ipam.requestPool(ctx, { owner: 'n2', subnet: '2001:db8::/32' }), { message: 'invalid pool request: Pool overlaps with other one on this address space' });
    const auto1 = await ipam.requestPool(ctx, { owner: 'n3', family: 6 });
    const auto2 = await ipam.requestPool(ctx, { owner: 'n4', family: 6 });
    assert.match(auto1.subnet, /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/64$/);
    assert.notEqual(auto1.subnet, auto2.subnet);
    // the ULA prefix is the engine's: the same after a reopen
    const again = await DefaultIpam.open(path);
    await again.releasePool(ctx, auto2.id);
    assert.equal((await again.requestPool(ctx, { owner: 'n5', family: 6 })).subnet, auto2.subnet);
    await again.releaseAddress(ctx, a.id, '2001:db8:1:0:0:0:0:2');
    assert.deepEqual(again.leases(a.id).map((l) => l.ip), ['2001:db8:1::10']);
    // an IPv4 and an IPv6 pool of the same network coexist
    assert.equal((await again.requestPool(ctx, { owner: 'n1', subnet: '10.6.0.0/24' })).subnet, '10.6.0.0/24');
  });

  it('takes daemon default-address-pools', async () => {
    const path = join(await tmpDir(), 'ipam.json');
    const ipam = await DefaultIpam.open(path, [
      { base: '10.201.0.0/16', size: 24 },
      { base: 'fd00:aaaa::/48', size: 64 },
    ]);
    assert.equal((await ipam.requestPool(ctx, { owner: 'a', avoid: ['10.201.0.0/24'] })).subnet, '10.201.1.0/24');
    assert.equal((await ipam.requestPool(ctx, { owner: 'b', family: 6 })).subnet, 'fd00:aaaa::/64');
  });
});
