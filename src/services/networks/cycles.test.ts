import type dgram from 'node:dgram';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { backgroundCtx as ctx } from '../../common/ctx.ts';
import { BERTH_TABLE, ICC_TABLE } from '../../drivers/network/bridge/ruleset.ts';
import { disposeWorlds, fakeWorld, sandboxSpec } from './testing.ts';

after(disposeWorlds);

describe('leaks', () => {
  it('200 cycles of (create network, run three containers, connect/disconnect, rm) leave nothing behind', async () => {
    const w = await fakeWorld();
    const svc = await w.start();
    await svc.create(ctx, { Name: 'other', Options: { 'com.docker.network.bridge.enable_icc': 'false' } });
    const inventory = async () => ({
      links: (await w.ip.links(ctx)).map((l) => l.name).sort(),
      addrs: (await w.ip.addrs(ctx)).map((a) => `${a.dev} ${a.cidr}`).sort(),
      pubAny: await w.nft.elements(ctx, BERTH_TABLE, 'pub_any'),
      pubIp: await w.nft.elements(ctx, BERTH_TABLE, 'pub_ip'),
      bridges: await w.nft.elements(ctx, BERTH_TABLE, 'bridges'),
      noicc: await w.nft.elements(ctx, ICC_TABLE, 'noicc'),
      leases: w.deps.ipam.pools().flatMap((p) => w.deps.ipam.leases(p.id)),
      pools: w.deps.ipam.pools().map((p) => p.subnet).sort(),
      ports: w.deps.portMapper.owners(),
      networks: (await svc.list(ctx, new Map())).map((n) => n.Name),
    });
    const before = await inventory();
    let pid = 1000;
    for (let i = 0; i < 200; i++) {
      await svc.create(ctx, { Name: `cyc${i}`, EnableIPv6: i % 2 === 0 });
      const ids = [0, 1, 2].map((k) => `${String(i).padStart(4, '0')}${k}`.padEnd(64, 'f'));
      for (const [k, id] of ids.entries()) {
        pid++;
        w.ip.spawn(pid);
        const spec = sandboxSpec(id, { containerName: `c${i}-${k}`, networkMode: `cyc${i}`, portBindings: k === 0 ? { '80/tcp': [{ HostIp: '', HostPort: '' }] } : {} });
        await svc.attach(ctx, spec, pid);
        w.containers.add({ id, name: `c${i}-${k}`, pid, spec });
      }
      await svc.connect(ctx, 'other', `c${i}-1`, { Aliases: ['x'] });
      await svc.disconnect(ctx, 'other', `c${i}-1`, false);
      await svc.connect(ctx, 'other', `c${i}-2`, {});
      for (const id of ids) {
        const c = w.containers.byId.get(id)!;
        w.ip.exit(c.pid);
        await svc.detach(ctx, id);
        w.containers.byId.delete(id);
      }
      await svc.remove(ctx, `cyc${i}`);
    }
    assert.deepEqual(await inventory(), before);
    assert.deepEqual(w.dnsSockets.byPid.size, 600, 'every container had the embedded DNS');
    for (const l of w.dnsSockets.byPid.values()) assert.throws(() => (l.udp as dgram.Socket).address(), 'its sockets are closed');
  });
});
