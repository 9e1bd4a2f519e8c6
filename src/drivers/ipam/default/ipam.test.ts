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
    await assert.rejects(ipam.requestPool(ctx, { owner: 'n3', subnet: '172.19.3.0/24' }), (e: Error) => e instanceof ForbiddenError && e.message === 'Pool overlaps with other one on this address space');
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

  it('serial allocation does not reuse a just-released address while others are free', async () => {
    const { ipam } = await open();
    const p = await ipam.requestPool(ctx, { owner: 'n', subnet: '10.8.0.0/24' });
    const a = await ipam.requestAddress(ctx, p.id, { owner: 'a' });
    await ipam.releaseAddress(ctx, p.id, a);
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'b' }), '10.8.0.3');
  });

  it('honours preferred addresses and ip ranges', async () => {
    const { ipam } = await open();
    const p = await ipam.requestPool(ctx, { owner: 'n', subnet: '10.7.0.0/24', ipRange: '10.7.0.128/26' });
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'a' }), '10.7.0.128');
    assert.equal(await ipam.requestAddress(ctx, p.id, { owner: 'b', preferred: '10.7.0.9' }), '10.7.0.9');
    await assert.rejects(ipam.requestAddress(ctx, p.id, { owner: 'c', preferred: '10.7.0.9' }), { message: 'Address already in use' });
    await assert.rejects(ipam.requestAddress(ctx, p.id, { owner: 'c', preferred: '10.7.0.1' }), { message: 'Address already in use' });
    await assert.rejects(ipam.requestAddress(ctx, p.id, { owner: 'c', preferred: '10.7.1.1' }), { message: 'requested address is out of range' });
    await Promise.all([1, 2, 3].map((i) => ipam.requestAddress(ctx, p.id, { owner: `p${i}` })));
    assert.equal(new Set(ipam.leases(p.id).map((l) => l.ip)).size, 5, 'concurrent requests get distinct addresses');
  });
});
