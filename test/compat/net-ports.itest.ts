import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertExit, assertStderr, eventually, useSandbox } from './helpers.ts';
import { PAGE, pingFrom, waitForPage, wgetFrom, wgetOnHost } from './net-helpers.ts';
import { HOST_IP, Internet } from './net-internet.ts';

/**
 * Issue 3 acceptance: published ports, reached from the sandbox host (its address and loopback), from outside
 * (the "internet" namespace), from a container (hairpin, also to its own port); `-P`; `docker port`; and everything
 * (mappings, DNS) still there after `kill -9` of the daemon and a new start. --live-restore, so dockerd keeps its
 * containers running across the restart too.
 */
const sandbox = useSandbox({ label: 'net-ports', daemonArgs: ['--live-restore'] });
let internet: Internet | undefined;
/** IPv6 addresses of the internet and of the host on their veth (documentation prefix). */
const INET6 = '2001:db8:100::1';
const HOST6 = '2001:db8:100::2';

function net(): Internet {
  if (!internet) throw new Error('internet namespace not created (see the before hook)');
  return internet;
}

/** busybox wget from the internet namespace. */
function wgetFromInternet(url: string, secs = 3) {
  return net().exec(['timeout', String(secs), 'busybox', 'wget', '-q', '-O', '-', url]);
}

/** A ruleset as sorted lines, without counters. */
function ruleLines(ruleset: string): string[] {
  return ruleset
    .split('\n')
    .map((l) => l.replace(/\bcounter packets \d+ bytes \d+/, '').replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .sort();
}

const waitPage = (url: string): Promise<void> => waitForPage(sandbox(), url);

describe('published ports', () => {
  before(async () => {
    internet = await Internet.create(sandbox());
  });
  after(async () => {
    await internet?.close();
  });

  test('-p 8080:80 on a user-defined bridge: from the host address, loopback, the internet, another container, and hairpin', async () => {
    const sb = sandbox();
    await sb.dockerOk(['network', 'create', 'pubnet']);
    await sb.dockerOk(['run', '-d', '--name', 'web', '--network', 'pubnet', '--network-alias', 'www', '-p', '8080:80', '-p', '127.0.0.1:8082:80', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
    await sb.dockerOk(['run', '-d', '--name', 'client', '--network', 'pubnet', 'bb', 'sleep', '300']);
    await sb.dockerOk(['run', '-d', '--name', 'stranger', 'bb', 'sleep', '300']);
    await waitPage(`http://127.0.0.1:8080/`);

    for (const url of [`http://127.0.0.1:8080/`, `http://${HOST_IP}:8080/`, `http://127.0.0.1:8082/`]) {
      const r = await wgetOnHost(sb, url);
      assertExit(sb, r, 0, `host → ${url}`);
      assert.equal(r.stdout, PAGE);
    }
    const outside = await wgetFromInternet(`http://${HOST_IP}:8080/`);
    assert.equal(outside.stdout, PAGE, `the internet → ${HOST_IP}:8080: ${outside.stderr}`);
    // bound to 127.0.0.1 only: not from outside
    const loOnly = await wgetFromInternet(`http://${HOST_IP}:8082/`, 2);
    assert.notEqual(loOnly.stdout, PAGE, '127.0.0.1:8082:80 must not be reachable from outside');

    // from containers through the host's address: the same network, another network, and web itself (hairpin)
    for (const c of ['client', 'stranger', 'web']) {
      const r = await wgetFrom(sb, c, `http://${HOST_IP}:8080/`);
      assertExit(sb, r, 0, `${c} → ${HOST_IP}:8080`);
      assert.equal(r.stdout, PAGE);
    }
    // and through the bridge gateway's address of its own network
    const gw = await sb.dockerOk(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}', 'pubnet']);
    const viaGw = await wgetFrom(sb, 'client', `http://${gw}:8080/`);
    assertExit(sb, viaGw, 0, `client → gateway ${gw}:8080`);

    // docker port and ps: a binding without an address is published on 0.0.0.0 and on :: (dockerd 20.10+), the
    // explicit 127.0.0.1 one on IPv4 only
    const all = (await sb.dockerOk(['port', 'web'])).split('\n').sort();
    assert.deepEqual(all, ['80/tcp -> 0.0.0.0:8080', '80/tcp -> 127.0.0.1:8082', '80/tcp -> [::]:8080']);
    const one = (await sb.dockerOk(['port', 'web', '80/tcp'])).split('\n').sort();
    assert.deepEqual(one, ['0.0.0.0:8080', '127.0.0.1:8082', '[::]:8080']);
    const ps = await sb.dockerOk(['ps', '--filter', 'name=^web$', '--format', '{{.Ports}}']);
    assert.equal(ps, '0.0.0.0:8080->80/tcp, 127.0.0.1:8082->80/tcp, [::]:8080->80/tcp');
    const ports = JSON.parse(await sb.dockerOk(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'web'])) as Record<string, { HostIp: string; HostPort: string }[]>;
    assert.deepEqual(
      ports['80/tcp']!.map((b) => `${b.HostIp} ${b.HostPort}`).sort(),
      ['0.0.0.0 8080', '127.0.0.1 8082', ':: 8080'],
    );
    const asked = JSON.parse(await sb.dockerOk(['inspect', '-f', '{{json .HostConfig.PortBindings}}', 'web'])) as Record<string, { HostIp: string }[]>;
    assert.deepEqual(asked['80/tcp']!.map((b) => b.HostIp).sort(), ['', '127.0.0.1'], 'HostConfig keeps what was asked');
    // [::]:8080 answers on the host's IPv6 loopback (web has no IPv6 address: the userland proxy relays to IPv4)
    const v6lo = await wgetOnHost(sb, 'http://[::1]:8080/');
    assertExit(sb, v6lo, 0, 'host → [::1]:8080');
    assert.equal(v6lo.stdout, PAGE);
    const noV6 = await wgetOnHost(sb, 'http://[::1]:8082/', 1);
    assert.notEqual(noV6.code, 0, '127.0.0.1:8082:80 is not published on IPv6');
    for (const [arg, shown] of [
      ['81', /81(\/tcp)?/],
      ['80/udp', /80\/udp/],
    ] as const) {
      const r = await sb.docker(['port', 'web', arg]);
      assertExit(sb, r, 1, `docker port web ${arg}`);
      assertStderr(sb, r, new RegExp(`Error: No public port '${shown.source}' published for web`));
    }
    const none = await sb.docker(['port', 'client', '80']);
    assertExit(sb, none, 1, 'docker port on a container without ports');
    assertStderr(sb, none, /No public port '80(\/tcp)?' published for client/);

    // the same host port again: Docker's error, and the first mapping keeps working
    const dup = await sb.docker(['run', '-d', '--name', 'dup', '-p', '8080:80', 'bb', 'sleep', '300']);
    assertExit(sb, dup, 125, 'a second -p 8080');
    assertStderr(sb, dup, /Bind for 0\.0\.0\.0:8080 failed: port is already allocated/);
    await sb.dockerOk(['rm', '-f', 'dup']);
    const still = await wgetOnHost(sb, 'http://127.0.0.1:8080/');
    assert.equal(still.stdout, PAGE, 'the first mapping survives the failed one');
  });

  test('-P with EXPOSE / --expose: host ports from the ephemeral range, distinct, and they work', async () => {
    const sb = sandbox();
    const range = await sb.exec(['cat', '/proc/sys/net/ipv4/ip_local_port_range']);
    const [lo, hi] = range.stdout.trim().split(/\s+/).map(Number) as [number, number];
    assert.ok(lo > 1024 && hi > lo, `ip_local_port_range: ${range.stdout}`);
    await sb.dockerOk(['run', '-d', '--name', 'pa', '-P', '--expose', '80', '--expose', '90/udp', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
    await sb.dockerOk(['run', '-d', '--name', 'pb', '-P', '--expose', '80', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
    const ports = new Map<string, number>();
    const ports6 = new Map<string, number>();
    for (const c of ['pa', 'pb']) {
      for (const line of (await sb.dockerOk(['port', c])).split('\n')) {
        const m = /^(\d+\/\w+) -> (0\.0\.0\.0|\[::\]):(\d+)$/.exec(line);
        assert.ok(m, `docker port ${c}: unexpected line ${JSON.stringify(line)}`);
        const port = Number(m[3]);
        assert.ok(port >= lo && port <= hi, `${c} ${m[1]} got host port ${port}, outside the ephemeral range ${lo}-${hi}`);
        if (m[2] === '0.0.0.0') ports.set(`${c} ${m[1]}`, port);
        else ports6.set(`${c} ${m[1]}`, port);
      }
    }
    assert.deepEqual([...ports.keys()].sort(), ['pa 80/tcp', 'pa 90/udp', 'pb 80/tcp']);
    // each port on 0.0.0.0 and on ::, with the same number (as dockerd)
    assert.deepEqual([...ports6.entries()].sort(), [...ports.entries()].sort());
    assert.notEqual(ports.get('pa 80/tcp'), ports.get('pb 80/tcp'), 'two containers never share a random port');
    for (const c of ['pa', 'pb']) {
      const url = `http://127.0.0.1:${ports.get(`${c} 80/tcp`)}/`;
      await waitPage(url);
      const r = await wgetFromInternet(`http://${HOST_IP}:${ports.get(`${c} 80/tcp`)}/`);
      assert.equal(r.stdout, PAGE, `${c} through its random port from outside: ${r.stderr}`);
    }
    await sb.dockerOk(['rm', '-f', 'pa', 'pb']);
  });

  test('IPv6: a dual-stack container is reached through kernel DNAT at the host\'s IPv6 address (source kept), [::1] through the proxy, hairpin', async () => {
    const sb = sandbox();
    // the internet and the host get IPv6 addresses on their veth (TEST-NET IPv6: 2001:db8::/32)
    for (const [where, argv] of [
      ['internet', ['ip', 'addr', 'add', `${INET6}/64`, 'dev', 'eth0', 'nodad']],
      ['host', ['ip', 'addr', 'add', `${HOST6}/64`, 'dev', 'inet0', 'nodad']],
    ] as const) {
      const r = where === 'internet' ? await net().exec([...argv]) : await sb.exec([...argv]);
      assertExit(sb, r, 0, `${where}: ${argv.join(' ')}`);
    }
    await sb.dockerOk(['network', 'create', '--ipv6', '--subnet', 'fd00:77::/64', 'v6pub']);
    await sb.dockerOk(['run', '-d', '--name', 'web6', '--network', 'v6pub', '-p', '8095:80', 'bb', 'httpd', '-f', '-v', '-p', '80', '-h', '/www']);
    await sb.dockerOk(['run', '-d', '--name', 'peer6', '--network', 'v6pub', 'bb', 'sleep', '300']);
    const ip6 = await sb.dockerOk(['inspect', '-f', '{{(index .NetworkSettings.Networks "v6pub").GlobalIPv6Address}}', 'web6']);
    assert.match(ip6, /^fd00:77::/);
    assert.deepEqual((await sb.dockerOk(['port', 'web6'])).split('\n').sort(), ['80/tcp -> 0.0.0.0:8095', '80/tcp -> [::]:8095']);
    await waitPage('http://127.0.0.1:8095/');
    // berth DNATs IPv6 in the kernel: the map holds the container's IPv6 address (dockerd 20.10 without
    // ip6tables relays IPv6 through docker-proxy: only reachability is checked against it)
    const berth = !process.env.BERTH_TEST_DAEMON;
    if (berth) {
      const map = await sb.exec(['nft', 'list', 'map', 'inet', 'berth', 'pub6_any']);
      assert.match(map.stdout, new RegExp(`tcp \\. 8095 : ${ip6.replaceAll('.', '\\.')} \\. 80`), map.stdout);
    }
    // from the internet: the container sees the internet's own address (DNAT, no proxy in between)
    const outside = await net().exec(['timeout', '3', 'busybox', 'wget', '-q', '-O', '-', `http://[${HOST6}]:8095/`]);
    assert.equal(outside.stdout, PAGE, `the internet → [${HOST6}]:8095: ${outside.stderr}`);
    if (berth) {
      await eventually(
      async () => (await sb.docker(['logs', 'web6'])).stderr.includes(`[${INET6}]:`),
      5000,
        async () => `web6 never logged a request from ${INET6}:\n${(await sb.docker(['logs', 'web6'])).stderr}`,
      );
    }
    // from the host: its IPv6 address (DNAT in output) and ::1 (userland proxy, to the container's IPv6 address)
    for (const url of [`http://[${HOST6}]:8095/`, 'http://[::1]:8095/']) {
      const r = await wgetOnHost(sb, url);
      assertExit(sb, r, 0, `host → ${url}`);
      assert.equal(r.stdout, PAGE);
    }
    // from containers: another one on the network, and web6 itself (hairpin over IPv6)
    for (const c of ['peer6', 'web6']) {
      const r = await wgetFrom(sb, c, `http://[${HOST6}]:8095/`);
      assertExit(sb, r, 0, `${c} → [${HOST6}]:8095`);
      assert.equal(r.stdout, PAGE);
    }
    await sb.dockerOk(['rm', '-f', 'web6', 'peer6']);
    await sb.dockerOk(['network', 'rm', 'v6pub']);
    // its rules and bridge go right after the answer (berth removes them in the background: ADR 0003 §2)
    await eventually(
      async () => !(await sb.exec(['nft', 'list', 'ruleset'])).stdout.includes('fd00:77::/64'),
      5000,
      () => 'the rules of the removed network v6pub are still there',
    );
    if (berth) {
      const after = await sb.exec(['nft', 'list', 'map', 'inet', 'berth', 'pub6_any']);
      assert.doesNotMatch(after.stdout, /8095/, 'the IPv6 mapping goes with the container');
    }
    const gone = await wgetOnHost(sb, 'http://[::1]:8095/', 1);
    assert.notEqual(gone.code, 0, 'the proxy goes with the container');
  });

  // last in the file: it kills the daemon
  test('mappings and DNS survive kill -9 of the daemon and a new start', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'rs', '--network', 'pubnet', '-p', '8090:80', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
    await waitPage('http://127.0.0.1:8090/');
    const portsBefore = await sb.dockerOk(['port', 'rs']);
    const rulesBefore = await sb.exec(['nft', 'list', 'ruleset']);

    const exit = await sb.kill9();
    assert.ok(exit.signal === 'SIGKILL' || exit.code === 137, `daemon exit: ${JSON.stringify(exit)}`);
    // while the daemon is down, the kernel keeps forwarding
    const down = await wgetOnHost(sb, `http://${HOST_IP}:8090/`);
    assert.equal(down.stdout, PAGE, `published port while the daemon is down: ${down.stderr}`);
    await sb.start();

    assert.equal(await sb.dockerOk(['port', 'rs']), portsBefore);
    // the same rules, none lost, none doubled (order and counters aside: dockerd rebuilds its chains on start)
    const rulesAfter = await sb.exec(['nft', 'list', 'ruleset']);
    assert.deepEqual(ruleLines(rulesAfter.stdout), ruleLines(rulesBefore.stdout), 'the ruleset after the restart');
    // [::1] through the userland proxy: its listeners come back with the daemon
    for (const url of ['http://127.0.0.1:8090/', `http://${HOST_IP}:8090/`, 'http://127.0.0.1:8080/', 'http://[::1]:8090/']) {
      await waitPage(url);
    }
    const outside = await wgetFromInternet(`http://${HOST_IP}:8080/`);
    assert.equal(outside.stdout, PAGE, 'the internet still reaches web after the restart');
    const hairpin = await wgetFrom(sb, 'web', `http://${HOST_IP}:8080/`);
    assert.equal(hairpin.stdout, PAGE, sb.explain(hairpin, 'hairpin after the restart'));

    // DNS: the embedded server answers again, for containers from before the restart and for new ones
    for (const [from, to] of [
      ['client', 'web'],
      ['client', 'www'],
      ['web', 'rs'],
    ]) {
      const r = await wgetFrom(sb, from!, `http://${to}/`);
      assertExit(sb, r, 0, `${from} → http://${to}/ after the restart`);
    }
    await sb.dockerOk(['run', '-d', '--name', 'late', '--network', 'pubnet', 'bb', 'sleep', '300']);
    const p = await pingFrom(sb, 'late', 'client');
    assertExit(sb, p, 0, 'a container started after the restart resolves one from before');
    const back = await pingFrom(sb, 'client', 'late');
    assertExit(sb, back, 0, 'and is resolved by it');
    // the restored mappings are held: reusing the port is refused
    const dup = await sb.docker(['run', '-d', '--name', 'dup2', '-p', '8090:80', 'bb', 'true']);
    assertStderr(sb, dup, /port is already allocated/);
    await sb.dockerOk(['rm', '-f', 'dup2', 'rs', 'late', 'web', 'client', 'stranger']);
    await sb.dockerOk(['network', 'rm', 'pubnet']);
    const port = await wgetOnHost(sb, 'http://127.0.0.1:8080/', 1);
    assert.notEqual(port.code, 0, 'the port is gone once the container is');
  });
});
