import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertExit, eventually, useSandbox } from './helpers.ts';
import { ipOf, pingFrom, wgetFrom } from './net-helpers.ts';
import { HOST_IP, INTERNET_IP, Internet } from './net-internet.ts';

/**
 * Issue 3 acceptance: traffic to the outside. An "internet" namespace hangs off the sandbox on a veth
 * (198.51.100.1, the sandbox host is 198.51.100.2 and routes to it by default): containers reach it through NAT
 * and it sees the host's address; an `--internal` network has no way out but works inside.
 */
const sandbox = useSandbox({ label: 'net-egress' });
let internet: Internet | undefined;
const PAGE = 'the internet\n';

function net(): Internet {
  if (!internet) throw new Error('internet namespace not created (see the before hook)');
  return internet;
}

/** The peers busybox httpd logged (`198.51.100.2:40312: response:200`, or `[::ffff:…]:…` on a v6 socket). */
function peers(log: string): string[] {
  return [...log.matchAll(/^\[?(?:::ffff:)?([0-9.]+)\]?:\d+: response:200/gm)].map((m) => m[1]!);
}

describe('egress', () => {
  // inside the describe: the file's own before hook (the sandbox) has run by then
  before(async () => {
    internet = await Internet.create(sandbox());
  });
  after(async () => {
    await internet?.close();
  });

  test('NAT: the internet sees the sandbox host address as the source, from a user-defined and from the default bridge', async () => {
    const sb = sandbox();
    const srv = net().httpd(8000, PAGE);
    // the server is up once the host itself can fetch from it
    let last = '';
    await eventually(
      async () => {
        const r = await sb.exec(['timeout', '2', 'busybox', 'wget', '-q', '-O', '-', `http://${INTERNET_IP}:8000/`]);
        last = r.stderr;
        return r.stdout === PAGE;
      },
      10_000,
      () => `httpd in the internet namespace never answered the host: ${last}\n${srv.stderr()}`,
    );
    await sb.dockerOk(['network', 'create', 'outnet']);
    await sb.dockerOk(['run', '-d', '--name', 'out1', '--network', 'outnet', 'bb', 'sleep', '300']);
    await sb.dockerOk(['run', '-d', '--name', 'out2', 'bb', 'sleep', '300']);
    for (const [c, network] of [
      ['out1', 'outnet'],
      ['out2', 'bridge'],
    ] as const) {
      const before = peers(srv.stderr()).length;
      const r = await wgetFrom(sb, c, `http://${INTERNET_IP}:8000/`);
      assertExit(sb, r, 0, `${c} (${network}) → the internet`);
      assert.equal(r.stdout, PAGE);
      const own = await ipOf(sb, c, network);
      let seen: string[] = [];
      await eventually(
        async () => {
          seen = peers(srv.stderr()).slice(before);
          return seen.length > 0;
        },
        3000,
        () => `the internet's httpd logged no request from ${c}:\n${srv.stderr()}`,
      );
      assert.deepEqual(seen, [HOST_IP], `${c} (own address ${own}) must appear as the host ${HOST_IP}:\n${srv.stderr()}`);
    }
    const ping = await pingFrom(sb, 'out1', INTERNET_IP);
    assertExit(sb, ping, 0, 'ping to the internet through NAT');

    // enable_ip_masquerade=false: routed, not NATed; the internet (given a route back) sees the container itself
    await sb.dockerOk(['network', 'create', '--subnet', '10.77.0.0/24', '-o', 'com.docker.network.bridge.enable_ip_masquerade=false', 'nomasq']);
    await sb.dockerOk(['run', '-d', '--name', 'out3', '--network', 'nomasq', 'bb', 'sleep', '300']);
    const add = await net().exec(['ip', 'route', 'add', '10.77.0.0/24', 'via', HOST_IP]);
    assertExit(sb, add, 0, 'route back to nomasq in the internet namespace');
    const before = peers(srv.stderr()).length;
    const r = await wgetFrom(sb, 'out3', `http://${INTERNET_IP}:8000/`);
    assertExit(sb, r, 0, 'out3 (nomasq) → the internet');
    const own = await ipOf(sb, 'out3', 'nomasq');
    await eventually(
      async () => peers(srv.stderr()).length > before,
      3000,
      () => `no request from out3 logged:\n${srv.stderr()}`,
    );
    assert.deepEqual(peers(srv.stderr()).slice(before), [own], `without masquerade the source is out3's own ${own}:\n${srv.stderr()}`);
    await sb.dockerOk(['rm', '-f', 'out1', 'out2', 'out3']);
    await sb.dockerOk(['network', 'rm', 'outnet', 'nomasq']);
  });

  test('--internal: traffic inside the network works, the internet is unreachable', async () => {
    const sb = sandbox();
    net().httpd(8001, PAGE);
    await sb.dockerOk(['network', 'create', '--internal', 'intnet']);
    assert.equal(await sb.dockerOk(['network', 'inspect', '-f', '{{.Internal}}', 'intnet']), 'true');
    await sb.dockerOk(['run', '-d', '--name', 'in1', '--network', 'intnet', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
    await sb.dockerOk(['run', '-d', '--name', 'in2', '--network', 'intnet', 'bb', 'sleep', '300']);

    const inside = await wgetFrom(sb, 'in2', 'http://in1/');
    assertExit(sb, inside, 0, 'in2 → in1 by name on the internal network');
    assert.equal(inside.stdout, '<h1>hello from berth</h1>\n');
    const ping = await pingFrom(sb, 'in2', 'in1');
    assertExit(sb, ping, 0, 'in2 pings in1');

    // the host itself reaches the internet, so what blocks the container is the network being internal
    const host = await sb.exec(['timeout', '2', 'busybox', 'wget', '-q', '-O', '-', `http://${INTERNET_IP}:8001/`]);
    assert.equal(host.stdout, PAGE, `the host reaches the internet: ${host.stderr}`);
    const out = await wgetFrom(sb, 'in2', `http://${INTERNET_IP}:8001/`, 2);
    assert.notEqual(out.code, 0, sb.explain(out, 'an internal network must not reach the internet'));
    assert.notEqual(out.stdout, PAGE);
    const outPing = await pingFrom(sb, 'in2', INTERNET_IP);
    assert.notEqual(outPing.code, 0, sb.explain(outPing, 'no ping to the internet from an internal network'));

    // and the internet cannot reach into it either (the host routes the bridge subnet, but nothing forwards)
    const in1 = await ipOf(sb, 'in1', 'intnet');
    const add = await net().exec(['ip', 'route', 'add', in1, 'via', HOST_IP]);
    assertExit(sb, add, 0, 'route to in1 in the internet namespace');
    const inward = await net().exec(['timeout', '2', 'busybox', 'wget', '-q', '-O', '-', `http://${in1}/`]);
    assert.notEqual(inward.code, 0, `the internet must not reach a container on an internal network:\n${inward.stdout}${inward.stderr}`);
    await sb.dockerOk(['rm', '-f', 'in1', 'in2']);
    await sb.dockerOk(['network', 'rm', 'intnet']);
  });
});
