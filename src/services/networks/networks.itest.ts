/**
 * Networking against the real kernel, inside throwaway network namespaces only:
 *   H  plays the daemon's host (the service runs there: `ip netns exec H node --test <this file>`),
 *   C1, C2 play containers (a `sleep` started with `ip netns exec`, whose pid is attached),
 *   E  plays "the internet" on 198.51.100.0/24 (TEST-NET-2), reached through H.
 * The outer test creates and always deletes the namespaces and processes; the inner run (env BERTH_NET_ITEST)
 * drives NetworksService with the real adapters and checks connectivity, published ports, isolation, restart and
 * that detach leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nullLogger } from '../../common/log.ts';
import { DefaultIpam } from '../../drivers/ipam/default/ipam.ts';
import { BridgeDriver } from '../../drivers/network/bridge/driver.ts';
import { defaultBridgeOptions } from '../../drivers/network/bridge/options.ts';
import { BERTH_TABLE } from '../../drivers/network/bridge/ruleset.ts';
import { HostDriver } from '../../drivers/network/host/driver.ts';
import { NullDriver } from '../../drivers/network/null/driver.ts';
import { PortAllocator } from '../../drivers/portmapper/allocator.ts';
import { run } from '../../system/exec/exec.ts';
import { IpRouteCli } from '../../system/iproute/iproute.ts';
import { netnsInventory } from '../../system/iproute/leaks.ts';
import { ProcNetSocketProbe } from '../../system/iproute/sockets.ts';
import { NftablesCli } from '../../system/nftables/nftables.ts';
import { ProcSysctl } from '../../system/sysctl/sysctl.ts';
import { EventsService } from '../events/events.ts';
import { FakeContainers, sandboxSpec } from './testing.ts';
import { NetworksService } from './service.ts';
import { uniqueName } from '../../../test/support/names.ts';

const ctx = { log: nullLogger };
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));

interface Env {
  h: string;
  pid1: number;
  pid2: number;
  state: string;
}

const inner = process.env.BERTH_NET_ITEST ? (JSON.parse(process.env.BERTH_NET_ITEST) as Env) : undefined;

async function sh(cmd: string, args: string[], allowFail = false) {
  return run(ctx, cmd, args, { allowFail });
}

if (!inner) {
  // ---------------------------------------------------------------- outer: sandbox namespaces and processes
  const canRun = process.getuid?.() === 0;
  describe('networking in network namespaces (real ip/nft)', { skip: canRun ? false : 'needs root' }, () => {
    const h = uniqueName('h');
    const c1 = uniqueName('c1');
    const c2 = uniqueName('c2');
    const e = uniqueName('e');
    const procs: ChildProcess[] = [];
    let dir = '';

    const startIn = (ns: string, args: string[]): ChildProcess => {
      const p = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: 'ignore' });
      procs.push(p);
      return p;
    };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'berth-netitest-'));
      for (const ns of [h, c1, c2, e]) await sh('ip', ['netns', 'add', ns]);
      // E: a fake external host reached from H over a veth (TEST-NET-2)
      await sh('ip', ['-n', h, 'link', 'add', 'ext0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', e]);
      await sh('ip', ['-n', h, 'addr', 'add', '198.51.100.1/24', 'dev', 'ext0']);
      await sh('ip', ['-n', h, 'link', 'set', 'ext0', 'up']);
      await sh('ip', ['-n', h, 'link', 'set', 'lo', 'up']);
      await sh('ip', ['-n', h, 'route', 'add', 'default', 'via', '198.51.100.2']);
      await sh('ip', ['-n', e, 'addr', 'add', '198.51.100.2/24', 'dev', 'eth0']);
      await sh('ip', ['-n', e, 'link', 'set', 'eth0', 'up']);
      await sh('ip', ['-n', e, 'link', 'set', 'lo', 'up']);
      // web roots: C1 serves a page; E echoes the client address through CGI
      await mkdir(join(dir, 'www1'));
      await writeFile(join(dir, 'www1/index.html'), 'hello from c1\n');
      await mkdir(join(dir, 'wwwe/cgi-bin'), { recursive: true });
      await writeFile(join(dir, 'wwwe/cgi-bin/addr'), '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "$REMOTE_ADDR"\n');
      await chmod(join(dir, 'wwwe/cgi-bin/addr'), 0o755);
      startIn(e, [BUSYBOX!, 'httpd', '-f', '-p', '8000', '-h', join(dir, 'wwwe')]);
      startIn(c1, [BUSYBOX!, 'httpd', '-f', '-p', '80', '-h', join(dir, 'www1')]);
    });

    after(async () => {
      for (const p of procs) if (p.exitCode === null && p.pid) process.kill(p.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      for (const ns of [h, c1, c2, e]) await sh('ip', ['netns', 'del', ns], true);
      const left = (await sh('ip', ['netns', 'list'])).stdout;
      await rm(dir, { recursive: true, force: true });
      for (const ns of [h, c1, c2, e]) assert.ok(!left.includes(ns), `netns ${ns} left behind`);
    });

    it('runs the service inside the host namespace', { timeout: 120_000 }, async () => {
      const s1 = startIn(c1, ['sleep', '300']);
      const s2 = startIn(c2, ['sleep', '300']);
      await new Promise((r) => setTimeout(r, 200));
      const env: Env = { h, pid1: s1.pid!, pid2: s2.pid!, state: join(dir, 'state') };
      const self = fileURLToPath(import.meta.url);
      // NODE_TEST_CONTEXT would make the nested runner report to ours in its binary protocol
      const { NODE_TEST_CONTEXT: _drop, ...parentEnv } = process.env;
      const res = await run(ctx, 'ip', ['netns', 'exec', h, process.execPath, '--test', '--test-reporter=spec', self], {
        allowFail: true,
        env: { ...parentEnv, BERTH_NET_ITEST: JSON.stringify(env) },
      });
      if (res.code !== 0) console.log(res.stdout, res.stderr);
      assert.equal(res.code, 0, 'the tests inside the namespace failed (output above)');
      assert.match(res.stdout, /ℹ pass [1-9]/);
      assert.match(res.stdout, /ℹ fail 0/);
      // the root namespace was not touched: no berth table, no berth0
      assert.ok(!(await sh('nft', ['list', 'tables'])).stdout.includes('berth'));
      assert.ok(!(await sh('ip', ['link', 'show'])).stdout.includes('berth0'));
    });
  });
} else {
  // ---------------------------------------------------------------- inner: runs inside H
  const env = inner;
  const ip = new IpRouteCli();
  const nft = new NftablesCli();
  const events = new EventsService();
  const containers = new FakeContainers();
  const C1 = '1'.repeat(64);
  const C2 = '2'.repeat(64);
  let svc: NetworksService;

  const start = async () =>
    NetworksService.create(ctx, {
      stateDir: env.state,
      ip,
      nft,
      ipam: await DefaultIpam.open(join(env.state, 'ipam.json')),
      portMapper: await PortAllocator.open(join(env.state, 'ports.json'), new ProcNetSocketProbe()),
      drivers: [new BridgeDriver({ ip, nft, sysctl: new ProcSysctl() }), new HostDriver(), new NullDriver()],
      events,
      containers,
      defaultBridge: { options: defaultBridgeOptions() },
    });
  const inC = (pid: number, args: string[]) => run(ctx, 'nsenter', ['-t', String(pid), '-n', ...args], { allowFail: true });
  // busybox 1.35's `wget -T` crashes on this machine: bound the time with timeout(1) instead
  const wgetArgs = (url: string) => ['timeout', '4', BUSYBOX!, 'wget', '-q', '-O', '-', url];
  const wget = (url: string) => run(ctx, wgetArgs(url)[0]!, wgetArgs(url).slice(1), { allowFail: true });

  describe('NetworksService in a sandbox namespace', { concurrency: false }, () => {
    before(async () => {
      svc = await start();
    });

    it('creates berth0 with 172.17.0.1/16, the nft table and forwarding', async () => {
      const inv = await netnsInventory(ctx, env.h);
      assert.ok(inv.links.includes('berth0'));
      assert.ok(inv.addrs.includes('berth0 172.17.0.1/16'));
      assert.ok(inv.nftTables.includes('inet berth'));
      assert.equal((await run(ctx, 'cat', ['/proc/sys/net/ipv4/ip_forward'])).stdout.trim(), '1');
      assert.equal((await run(ctx, 'cat', ['/proc/sys/net/ipv4/conf/berth0/route_localnet'])).stdout.trim(), '1');
    });

    it('attaches a container with published ports; the ports answer from the host and the container gets out', async () => {
      const spec = sandboxSpec(C1, {
        portBindings: { '80/tcp': [{ HostIp: '', HostPort: '18080' }], '81/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        exposedPorts: { '80/tcp': {}, '81/udp': {} },
      });
      assert.deepEqual(await svc.validate(ctx, spec), []);
      assert.deepEqual(await svc.netnsFor(ctx, spec), { kind: 'new' });
      await svc.allocate(ctx, spec);
      const out = await svc.attach(ctx, spec, env.pid1);
      assert.equal(out.Networks['bridge']!.IPAddress, '172.17.0.2');
      assert.equal(out.Ports['81/udp']![0]!.HostPort, '32768');
      const addrs = (await inC(env.pid1, ['ip', '-j', 'addr', 'show', 'eth0'])).stdout;
      assert.match(addrs, /"local":"172\.17\.0\.2","prefixlen":16/);
      assert.match(addrs, /02:42:ac:11:00:02/);
      assert.match((await inC(env.pid1, ['ip', 'route'])).stdout, /default via 172\.17\.0\.1 dev eth0/);
      assert.match((await inC(env.pid1, ['ip', 'link', 'show', 'lo'])).stdout, /UP/);
      assert.deepEqual(await nft.elements(ctx, BERTH_TABLE, 'pub_any'), ['tcp . 18080 : 172.17.0.2 . 80']);
      assert.deepEqual(await nft.elements(ctx, BERTH_TABLE, 'pub_ip'), ['127.0.0.1 . udp . 32768 : 172.17.0.2 . 81']);

      const ping = await inC(env.pid1, [BUSYBOX!, 'ping', '-c', '1', '-W', '2', '172.17.0.1']);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
      assert.equal((await wget('http://172.17.0.2:80/index.html')).stdout, 'hello from c1\n');
      const local = await wget('http://127.0.0.1:18080/index.html');
      assert.equal(local.stdout, 'hello from c1\n', `published port via 127.0.0.1: ${local.stderr}`);
      const viaExt = await wget('http://198.51.100.1:18080/index.html');
      assert.equal(viaExt.stdout, 'hello from c1\n', `published port via the host address: ${viaExt.stderr}`);
      const outbound = await inC(env.pid1, wgetArgs('http://198.51.100.2:8000/cgi-bin/addr'));
      // busybox httpd listens on IPv6 and shows IPv4 clients as [::ffff:a.b.c.d]
      assert.match(outbound.stdout.trim(), /^(\[::ffff:)?198\.51\.100\.1\]?$/, `outbound traffic is masqueraded: ${outbound.stderr}`);
    });

    it('isolates a user-defined network from the default bridge', async () => {
      const { Id } = await svc.create(ctx, { Name: 'n1' });
      const br = `br-${Id.slice(0, 12)}`;
      const spec = sandboxSpec(C2, { networkMode: 'n1' });
      const out = await svc.attach(ctx, spec, env.pid2);
      assert.equal(out.Networks['n1']!.IPAddress, '172.18.0.2');
      assert.ok((await netnsInventory(ctx, env.h)).links.includes(br));
      const gw = await inC(env.pid2, [BUSYBOX!, 'ping', '-c', '1', '-W', '2', '172.18.0.1']);
      assert.equal(gw.code, 0, gw.stdout);
      const cross = await inC(env.pid2, wgetArgs('http://172.17.0.2:80/index.html'));
      assert.notEqual(cross.code, 0, 'traffic between two bridge networks must be dropped');
      // connect C2 to the default bridge as well: now it reaches C1
      containers.add({ id: C2, name: 'c2', pid: env.pid2, spec });
      await svc.connect(ctx, 'bridge', 'c2', {});
      assert.match((await inC(env.pid2, ['ip', '-br', 'addr'])).stdout, /eth1@\S+\s+UP\s+172\.17\.0\.3\/16/);
      const same = await inC(env.pid2, wgetArgs('http://172.17.0.2:80/index.html'));
      assert.equal(same.stdout, 'hello from c1\n');
      await svc.disconnect(ctx, 'bridge', 'c2', false);
      assert.doesNotMatch((await inC(env.pid2, ['ip', '-br', 'addr'])).stdout, /eth1@/);
    });

    it('survives a daemon restart: same ids, rules restored atomically, ports still published', async () => {
      const before = (await svc.list(ctx, new Map())).map((n) => n.Id);
      svc = await start();
      assert.deepEqual(
        (await svc.list(ctx, new Map())).map((n) => n.Id),
        before,
      );
      assert.ok(await svc.restore(ctx, sandboxSpec(C1), env.pid1));
      assert.deepEqual(await nft.elements(ctx, BERTH_TABLE, 'pub_any'), ['tcp . 18080 : 172.17.0.2 . 80']);
      assert.equal((await wget('http://127.0.0.1:18080/index.html')).stdout, 'hello from c1\n');
    });

    it('detach and network removal leave nothing behind', async () => {
      await svc.detach(ctx, C1);
      await svc.detach(ctx, C2);
      await svc.remove(ctx, 'n1');
      const inv = await netnsInventory(ctx, env.h);
      assert.deepEqual(inv.links, ['berth0', 'ext0', 'lo']);
      assert.deepEqual(await nft.elements(ctx, BERTH_TABLE, 'pub_any'), []);
      assert.deepEqual(await nft.elements(ctx, BERTH_TABLE, 'pub_ip'), []);
      assert.deepEqual(await nft.elements(ctx, BERTH_TABLE, 'bridges'), ['"berth0"']);
      assert.deepEqual((await inC(env.pid1, ['ip', '-br', 'link'])).stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['lo']);
      assert.notEqual((await wget('http://127.0.0.1:18080/index.html')).code, 0);
      const ipam = await DefaultIpam.open(join(env.state, 'ipam.json'));
      assert.deepEqual(ipam.leases('172.17.0.0/16'), []);
      assert.deepEqual(ipam.pools().map((p) => p.subnet), ['172.17.0.0/16']);
    });
  });

  after(async () => {
    // the sandbox namespace is deleted by the outer test; drop our table anyway to prove the rules are ours
    await run(ctx, 'nft', ['delete', 'table', 'inet', 'berth'], { allowFail: true });
  });
}
