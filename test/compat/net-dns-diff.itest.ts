import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningCmd, startCmd } from '../support/running-cmd.ts';
import type { Sandbox } from '../support/sandbox.ts';
import { assertExit, assertStderr, assertStdout, useSandbox } from './helpers.ts';
import { ipOf } from './net-helpers.ts';
import { INTERNET_IP, Internet } from './net-internet.ts';

/**
 * Embedded DNS, IPv6, legacy links and internal networks as a user sees them, compared with dockerd (run with
 * BERTH_TEST_DAEMON=/usr/sbin/dockerd). The sandbox's resolv.conf names a fake upstream in the "internet" namespace
 * (198.51.100.1; a second one on 198.51.100.53 for --dns) that answers A/TXT/MX for *.example.test with its own
 * address, NXDOMAIN otherwise, over UDP and TCP, and logs every question it gets. Not repeated: what net-dns,
 * net-names, net-links, net-egress and net-run-diff check (names/aliases/short id, 2-way round robin, /etc files).
 *
 * Where dockerd 20.10 and moby v27.5.1 (API 1.47, what berth speaks) differ, the case asserts v27 for berthd and
 * 20.10 for dockerd, from v27's source: on an --internal network a container has no gateway (bridge Join skips
 * SetGateway: no default route, endpoint Gateway ""), and its embedded DNS does not forward, answering REFUSED
 * (moby#46609, #47538) where 20.10 lets the query time out.
 */
const DOCKERD = !!process.env.BERTH_TEST_DAEMON;
const UPSTREAM2 = '198.51.100.53';

/** The fake upstream (run with this node in the internet namespace): argv = the addresses to serve on. */
const UPSTREAM_JS = `
import dgram from 'node:dgram'; import net from 'node:net';
const qname = (b) => { const l = []; let o = 12; while (b[o]) { l.push(b.subarray(o + 1, o + 1 + b[o]).toString()); o += b[o] + 1; } return [l.join('.'), o + 1]; };
const label = (n) => Buffer.concat([...n.split('.').map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
function answer(q, self, proto) {
  const [name, end] = qname(q); const type = q.readUInt16BE(end); const ok = name.toLowerCase().endsWith('.example.test'); const rr = [];
  const rec = (t, data) => { const h = Buffer.alloc(10); h.writeUInt16BE(t, 0); h.writeUInt16BE(1, 2); h.writeUInt32BE(60, 4); h.writeUInt16BE(data.length, 8); rr.push(Buffer.concat([Buffer.from([0xc0, 12]), h, data])); };
  if (ok && type === 1) rec(1, Buffer.from(self.split('.').map(Number)));
  if (ok && type === 16) { const t = Buffer.from('txt from ' + self); rec(16, Buffer.concat([Buffer.from([t.length]), t])); }
  if (ok && type === 15) rec(15, Buffer.concat([Buffer.from([0, 10]), label('mail.' + name)]));
  const h = Buffer.alloc(12); q.copy(h, 0, 0, 2); h.writeUInt16BE(ok ? 0x8180 : 0x8183, 2); h.writeUInt16BE(1, 4); h.writeUInt16BE(rr.length, 6);
  console.error('query ' + self + ' ' + proto + ' ' + name + ' ' + type);
  return Buffer.concat([h, q.subarray(12, end + 4), ...rr]);
}
for (const ip of process.argv.slice(2)) {
  const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(answer(m, ip, 'udp'), r.port, r.address)); u.bind(53, ip);
  net.createServer((s) => { let b = Buffer.alloc(0); s.on('data', (d) => { b = Buffer.concat([b, d]);
    while (b.length >= 2 && b.length >= 2 + b.readUInt16BE(0)) { const a = answer(b.subarray(2, 2 + b.readUInt16BE(0)), ip, 'tcp'); b = b.subarray(2 + b.readUInt16BE(0)); const l = Buffer.alloc(2); l.writeUInt16BE(a.length); s.write(Buffer.concat([l, a])); } }); }).listen(53, ip);
}
console.error('ready');
`;

interface Lookup {
  code: number;
  /** Addresses (or PTR/TXT/MX values) of the answer, in answer order. */
  values: string[];
  text: string;
}

/** `nslookup [-type=t] name` in `from` (no -type for '': an address is looked up as PTR), bounded by timeout(1). */
async function nslookup(sb: Sandbox, from: string, name: string, type = 'a'): Promise<Lookup> {
  const r = await sb.docker(['exec', from, 'timeout', '12', 'nslookup', ...(type ? [`-type=${type}`] : []), name]);
  const answer = r.stdout.split('Non-authoritative answer:').slice(1).join('');
  const values = [...answer.matchAll(/^(?:Address:\s*(\S+)|\S+\s+(?:name|text|mail exchanger) = (.+))$/gm)].map((m) => m[1] ?? m[2]!);
  return { code: r.code, values, text: r.stdout + r.stderr };
}

async function expectAnswer(sb: Sandbox, from: string, name: string, want: string[], type = 'a'): Promise<void> {
  const l = await nslookup(sb, from, name, type);
  assert.ok(l.code === 0 && JSON.stringify(l.values) === JSON.stringify(want), `${from}: nslookup -type=${type} ${name}: want [${want}], got [${l.values}] (rc ${l.code})\n${l.text}`);
}

async function expectNxdomain(sb: Sandbox, from: string, name: string, type = 'a'): Promise<void> {
  const l = await nslookup(sb, from, name, type);
  assert.ok(l.code !== 0 && l.text.includes(`** server can't find ${name}: NXDOMAIN`), `${from}: ${name} should be NXDOMAIN, got rc ${l.code}\n${l.text}`);
}

/** Octal printf escapes of a DNS question (id 0x1234, RD) with its TCP length prefix. */
function tcpQuestion(name: string): string {
  const labels = name.split('.').flatMap((p) => [p.length, ...Buffer.from(p)]);
  const msg = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1];
  return [0, msg.length, ...msg].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

/** Sends one A question for `name` over TCP to 127.0.0.11 with busybox nc; returns the rcode and the A records. */
async function tcpLookup(sb: Sandbox, from: string, name: string): Promise<{ rcode: number; addrs: string[]; raw: string }> {
  const r = await sb.docker(['exec', from, 'sh', '-c', `printf '${tcpQuestion(name)}' | nc -w 3 127.0.0.11 53 | od -An -v -tx1`]);
  const b = Buffer.from(r.stdout.replace(/\s+/g, ''), 'hex');
  if (b.length < 14) return { rcode: -1, addrs: [], raw: r.stdout + r.stderr };
  const skipName = (o: number): number => {
    while (b[o]! !== 0) {
      if ((b[o]! & 0xc0) === 0xc0) return o + 2;
      o += b[o]! + 1;
    }
    return o + 1;
  };
  let o = skipName(14) + 4;
  const addrs: string[] = [];
  for (let i = 0; i < b.readUInt16BE(8); i++) {
    o = skipName(o);
    const [type, len] = [b.readUInt16BE(o), b.readUInt16BE(o + 8)];
    if (type === 1) addrs.push([...b.subarray(o + 10, o + 14)].join('.'));
    o += 10 + len;
  }
  return { rcode: b[5]! & 0x0f, addrs, raw: r.stdout };
}

describe('embedded DNS, links and internal networks', () => {
  const sandbox = useSandbox({ label: 'net-dns-diff' });
  let internet: Internet | undefined;
  let upstream: RunningCmd | undefined;
  /** The questions the upstreams got since the last call ("<server> <udp|tcp> <name> <type>"). */
  let seen = 0;
  const questions = (): string[] => {
    const all = [...(upstream?.stderr() ?? '').matchAll(/^query (.+)$/gm)].map((m) => m[1]!);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };

  before(async () => {
    const sb = sandbox();
    internet = await Internet.create(sb);
    const add = await internet.exec(['ip', 'addr', 'add', `${UPSTREAM2}/24`, 'dev', 'eth0']);
    assertExit(sb, add, 0, 'second upstream address');
    writeFileSync(join(sb.dir, 'upstream.mjs'), UPSTREAM_JS);
    upstream = startCmd(['ip', 'netns', 'exec', internet.netns, process.execPath, join(sb.dir, 'upstream.mjs'), INTERNET_IP, UPSTREAM2], { timeoutMs: 900_000 });
    writeFileSync(join(sb.dir, 'host-resolv.conf'), `nameserver ${INTERNET_IP}\n`);
    const m = await sb.exec(['mount', '--bind', join(sb.dir, 'host-resolv.conf'), '/etc/resolv.conf']);
    assertExit(sb, m, 0, 'bind the sandbox resolv.conf');
    const deadline = Date.now() + 10_000;
    while (!upstream.stderr().includes('ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(upstream.stderr(), /ready/, `the fake upstream did not start:\n${upstream.stderr()}`);
    await sb.dockerOk(['network', 'create', '--subnet', '10.91.0.0/24', 'dnet']);
    await sb.dockerOk(['network', 'create', '--subnet', '10.92.0.0/24', 'onet']);
    for (const c of ['c1', 'c2', 'c3']) await sb.dockerOk(['run', '-d', '--name', c, '--network', 'dnet', '--network-alias', 'svc', 'bb', 'sleep', '900']);
    await sb.dockerOk(['run', '-d', '--name', 'cli', '--network', 'dnet', 'bb', 'sleep', '900']);
    await sb.dockerOk(['run', '-d', '--name', 'far', '--network', 'onet', 'bb', 'sleep', '900']);
  });
  after(async () => {
    upstream?.kill();
    await upstream?.done;
    await internet?.close();
  });

  test('PTR of a container address is <name>.<network>; <name>.<network> resolves; other networks are forwarded', async () => {
    const sb = sandbox();
    const c1 = await ipOf(sb, 'c1', 'dnet');
    const cli = await ipOf(sb, 'cli', 'dnet');
    const ptr = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
    await expectAnswer(sb, 'cli', c1, ['c1.dnet'], '');
    await expectAnswer(sb, 'cli', ptr(cli), ['cli.dnet'], 'ptr');
    await expectAnswer(sb, 'cli', 'c1.dnet', [c1]);
    questions();
    // names and addresses on a network cli is not on: not answered from the records, asked upstream
    await expectNxdomain(sb, 'cli', 'far');
    await expectNxdomain(sb, 'cli', 'far.onet');
    await expectNxdomain(sb, 'cli', 'c1.onet');
    await expectNxdomain(sb, 'cli', ptr(await ipOf(sb, 'far', 'onet')), 'ptr');
    const asked = questions().filter((q) => q.endsWith(' 1') || q.endsWith(' 12'));
    assert.deepEqual(asked.sort(), [`${INTERNET_IP} udp ${ptr(await ipOf(sb, 'far', 'onet'))} 12`, ...['c1.onet', 'far', 'far.onet'].map((n) => `${INTERNET_IP} udp ${n} 1`)].sort());
  });

  test('forwarding: A, TXT, MX, NXDOMAIN from the host resolver; --dns replaces it; a stopped container is asked upstream', async () => {
    const sb = sandbox();
    questions();
    await expectAnswer(sb, 'cli', 'www.example.test', [INTERNET_IP]);
    await expectAnswer(sb, 'cli', 't.example.test', [`"txt from ${INTERNET_IP}"`], 'txt');
    await expectAnswer(sb, 'cli', 'm.example.test', ['10 mail.m.example.test'], 'mx');
    await expectNxdomain(sb, 'cli', 'nosuch.invalid');
    assert.ok(questions().some((q) => q === `${INTERNET_IP} udp t.example.test 16`), 'TXT was forwarded');
    await sb.dockerOk(['run', '-d', '--name', 'dnsc', '--network', 'dnet', '--dns', UPSTREAM2, 'bb', 'sleep', '900']);
    await expectAnswer(sb, 'dnsc', 'www.example.test', [UPSTREAM2]);
    await expectAnswer(sb, 'dnsc', 'c1', [await ipOf(sb, 'c1', 'dnet')]);
    assertStdout(sb, await sb.docker(['exec', 'dnsc', 'grep', 'nameserver', '/etc/resolv.conf']), 'nameserver 127.0.0.11');
    await sb.dockerOk(['run', '-d', '--name', 'gone', '--network', 'dnet', 'bb', 'sleep', '900']);
    await sb.dockerOk(['stop', '-t', '0', 'gone']);
    questions();
    await expectNxdomain(sb, 'cli', 'gone');
    assert.ok(questions().includes(`${INTERNET_IP} udp gone 1`), 'the name of a stopped container is not known: asked upstream');
    await sb.dockerOk(['rm', '-f', 'dnsc', 'gone']);
  });

  test('an alias shared by three containers: all three in every answer, the order varies; a stopped one drops out', async () => {
    const sb = sandbox();
    const ips = await Promise.all(['c1', 'c2', 'c3'].map((c) => ipOf(sb, c, 'dnet')));
    const firsts = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const l = await nslookup(sb, 'cli', 'svc');
      assert.deepEqual([...l.values].sort(), [...ips].sort(), l.text);
      firsts.add(l.values[0]!);
    }
    assert.ok(firsts.size >= 2, `the first address never changed in 10 answers: ${[...firsts]}`);
    await sb.dockerOk(['stop', '-t', '0', 'c3']);
    const l = await nslookup(sb, 'cli', 'svc');
    assert.deepEqual([...l.values].sort(), ips.slice(0, 2).sort(), l.text);
    await sb.dockerOk(['start', 'c3']);
  });

  test('DNS over TCP: a container name and a forwarded name are answered', async () => {
    const sb = sandbox();
    const own = await tcpLookup(sb, 'cli', 'c1');
    assert.deepEqual([own.rcode, own.addrs], [0, [await ipOf(sb, 'c1', 'dnet')]], `c1 over TCP:\n${own.raw}`);
    const fwd = await tcpLookup(sb, 'cli', 'tcp.example.test');
    assert.deepEqual([fwd.rcode, fwd.addrs], [0, [INTERNET_IP]], `tcp.example.test over TCP (forwarded):\n${fwd.raw}\n${sb.daemonLogTail(20)}`);
  });

  test('--link on the default bridge: env, /etc/hosts, HostConfig.Links; a stopped target refuses run and exec', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'lsrv', '-e', 'FOO=bar', '--expose', '80', '--expose', '53/udp', 'bb', 'sleep', '900']);
    await sb.dockerOk(['run', '-d', '--name', 'lcli', '--link', 'lsrv:alias', '--link', 'lsrv', 'bb', 'sleep', '900']);
    const ip = await ipOf(sb, 'lsrv', 'bridge');
    const id = (await sb.dockerOk(['inspect', '-f', '{{.Id}}', 'lsrv'])).slice(0, 12);
    const env = (await sb.dockerOk(['exec', 'lcli', 'env'])).split('\n').filter((l) => /^(ALIAS|LSRV)_/.test(l)).sort();
    const vars = (p: string, name: string) => [
      `${p}_ENV_FOO=bar`, `${p}_NAME=/lcli/${name}`, `${p}_PORT=udp://${ip}:53`,
      `${p}_PORT_53_UDP=udp://${ip}:53`, `${p}_PORT_53_UDP_ADDR=${ip}`, `${p}_PORT_53_UDP_PORT=53`, `${p}_PORT_53_UDP_PROTO=udp`,
      `${p}_PORT_80_TCP=tcp://${ip}:80`, `${p}_PORT_80_TCP_ADDR=${ip}`, `${p}_PORT_80_TCP_PORT=80`, `${p}_PORT_80_TCP_PROTO=tcp`,
    ];
    assert.deepEqual(env, [...vars('ALIAS', 'alias'), ...vars('LSRV', 'lsrv')]);
    const hosts = (await sb.dockerOk(['exec', 'lcli', 'cat', '/etc/hosts'])).split('\n').filter((l) => l.startsWith(`${ip}\t`));
    assert.deepEqual(hosts, [`${ip}\talias ${id} lsrv`, `${ip}\tlsrv ${id}`]);
    // moby (20.10 and v27 daemon/inspect.go) lists the link graph: "<child name>:<parent name>/<alias>"
    const links = JSON.parse(await sb.dockerOk(['inspect', '-f', '{{json .HostConfig.Links}}', 'lcli'])) as string[];
    assert.deepEqual(links.sort(), ['/lsrv:/lcli/alias', '/lsrv:/lcli/lsrv']);

    await sb.dockerOk(['create', '--name', 'lstop', 'bb', 'true']);
    const run = await sb.docker(['run', '--rm', '--name', 'lnew', '--link', 'lstop:x', 'bb', 'true']);
    assertExit(sb, run, 125, 'a link to a created, never started container');
    assertStderr(sb, run, 'Error response from daemon: Cannot link to a non running container: /lstop AS /lnew/x');
    // exec computes the link env again (v27 daemon/exec.go calls setupLinkedContainers), so it fails the same way
    await sb.dockerOk(['stop', '-t', '0', 'lsrv']);
    const exec = await sb.docker(['exec', 'lcli', 'true']);
    assertExit(sb, exec, 1, 'exec while the linked container is stopped');
    assertStderr(sb, exec, /Error response from daemon: Cannot link to a non running container: \/lsrv AS \/lcli\/(alias|lsrv)/);
    await sb.dockerOk(['start', 'lsrv']);
    await sb.dockerOk(['exec', 'lcli', 'true']);
    await sb.docker(['rm', '-f', 'lcli', 'lsrv', 'lstop', 'lnew']);
  });

  test('--link on a user-defined network: a name for the linking container only, not env, hosts or HostConfig.Links', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'u1', '--network', 'dnet', '-e', 'FOO=bar', '--expose', '80', 'bb', 'sleep', '900']);
    await sb.dockerOk(['run', '-d', '--name', 'u2', '--network', 'dnet', '--link', 'u1:uone', 'bb', 'sleep', '900']);
    const u1 = await ipOf(sb, 'u1', 'dnet');
    await expectAnswer(sb, 'u2', 'uone', [u1]);
    await expectAnswer(sb, 'u2', 'uone.dnet', [u1]);
    await expectNxdomain(sb, 'cli', 'uone');
    assertStdout(sb, await sb.docker(['exec', 'u2', 'sh', '-c', 'env | grep -c UONE; grep -c uone /etc/hosts']), '0\n0');
    // registerLinks skips user-defined networks (20.10 and v27): no link graph, and no check that the target exists
    const f = '{{json .HostConfig.Links}} {{json (index .NetworkSettings.Networks "dnet").Links}}';
    assertStdout(sb, await sb.docker(['inspect', '-f', f, 'u2']), 'null ["u1:uone"]');
    await sb.dockerOk(['run', '-d', '--name', 'u3', '--network', 'dnet', '--link', 'nosuch:x', 'bb', 'sleep', '900']);
    await sb.dockerOk(['rm', '-f', 'u1', 'u2', 'u3']);
  });

  test('--internal: Internal true, no published port, and (v27) no gateway nor default route', async () => {
    const sb = sandbox();
    await sb.dockerOk(['network', 'create', '--internal', '--subnet', '10.94.0.0/24', 'inet']);
    assertStdout(sb, await sb.docker(['network', 'inspect', '-f', '{{.Internal}} {{json .IPAM.Config}}', 'inet']), 'true [{"Subnet":"10.94.0.0/24"}]');
    await sb.dockerOk(['run', '-d', '--name', 'i1', '--network', 'inet', '-p', '8080:80', 'bb', 'sleep', '900']);
    assertStdout(sb, await sb.docker(['port', 'i1']), '');
    const f = '{{json .NetworkSettings.Ports}} {{json .HostConfig.PortBindings}}';
    assertStdout(sb, await sb.docker(['inspect', '-f', f, 'i1']), '{} {"80/tcp":[{"HostIp":"","HostPort":"8080"}]}');
    assertStdout(sb, await sb.docker(['ps', '--filter', 'name=^i1$', '--format', '{{.Names}}|{{.Ports}}']), 'i1|');
    const gw = await sb.dockerOk(['inspect', '-f', '{{(index .NetworkSettings.Networks "inet").Gateway}}', 'i1']);
    const routes = await sb.dockerOk(['exec', 'i1', 'ip', 'route']);
    if (DOCKERD) {
      assert.equal(gw, '10.94.0.1', 'dockerd 20.10 gives internal endpoints a gateway');
      assert.match(routes, /^default via 10\.94\.0\.1 dev eth0/m);
    } else {
      assert.equal(gw, '', 'v27: bridge Join does not SetGateway on an internal network');
      assert.doesNotMatch(routes, /^default/m, 'v27: no default route on an internal network');
    }
    assert.match(routes, /^10\.94\.0\.0\/24 dev eth0 /m);
    await sb.dockerOk(['rm', '-f', 'i1']);
  });

  test('--internal: DNS is not forwarded (v27 REFUSED, 20.10 a timeout); with a normal network too it is', async () => {
    const sb = sandbox();
    await sb.docker(['network', 'create', '--internal', '--subnet', '10.94.0.0/24', 'inet']); // made by the case above, if it ran
    await sb.dockerOk(['run', '-d', '--name', 'in1', '--network', 'inet', 'bb', 'sleep', '900']);
    await sb.dockerOk(['run', '-d', '--name', 'in2', '--network', 'inet', 'bb', 'sleep', '900']);
    await expectAnswer(sb, 'in1', 'in2', [await ipOf(sb, 'in2', 'inet')]);
    questions();
    const l = await nslookup(sb, 'in1', 'www.example.test');
    assert.ok(l.code !== 0 && l.values.length === 0, `an internal-only container must not resolve external names:\n${l.text}`);
    if (DOCKERD) assert.match(l.text, /no servers could be reached/);
    else assert.match(l.text, /\*\* server can't find www\.example\.test: REFUSED/, 'v27 answers REFUSED without forwarding');
    assert.deepEqual(questions(), [], 'the upstream must not be asked');
    // on an internal and a normal network: forwarded through the normal one
    await sb.dockerOk(['network', 'connect', 'dnet', 'in2']);
    await expectAnswer(sb, 'in2', 'www.example.test', [INTERNET_IP]);
    await expectAnswer(sb, 'in2', 'in1', [await ipOf(sb, 'in1', 'inet')]);
    await sb.dockerOk(['rm', '-f', 'in1', 'in2']);
  });

  test('IPv6 network: endpoint fields, /etc/hosts, AAAA and PTR answers, ping6 by name; none on an IPv4-only eth0', async () => {
    const sb = sandbox();
    await sb.dockerOk(['network', 'create', '--ipv6', '--subnet', 'fd00:91::/64', '--subnet', '10.93.0.0/24', 'v6net']);
    await sb.dockerOk(['run', '-d', '--name', 'a6', '--network', 'v6net', '--ip6', 'fd00:91::a', 'bb', 'sleep', '900']);
    await sb.dockerOk(['run', '-d', '--name', 'b6', '--network', 'v6net', '--ip6', 'fd00:91::b', 'bb', 'sleep', '900']);
    const f = '{{with index .NetworkSettings.Networks "v6net"}}{{.GlobalIPv6Address}} {{.GlobalIPv6PrefixLen}} {{.IPv6Gateway}}{{end}}';
    assertStdout(sb, await sb.docker(['inspect', '-f', f, 'b6']), 'fd00:91::b 64 fd00:91::1');
    // the deprecated top-level fields describe the default bridge only
    assertStdout(sb, await sb.docker(['inspect', '-f', '{{.NetworkSettings.GlobalIPv6Address}}|{{.NetworkSettings.IPv6Gateway}}', 'b6']), '|');
    const id = (await sb.dockerOk(['inspect', '-f', '{{.Id}}', 'a6'])).slice(0, 12);
    const own = (await sb.dockerOk(['exec', 'a6', 'cat', '/etc/hosts'])).split('\n').slice(-2);
    assert.deepEqual(own, [`${await ipOf(sb, 'a6', 'v6net')}\t${id}`, `fd00:91::a\t${id}`]);
    await expectAnswer(sb, 'a6', 'b6', ['fd00:91::b'], 'aaaa');
    await expectAnswer(sb, 'a6', 'fd00:91::b', ['b6.v6net'], '');
    assertExit(sb, await sb.docker(['exec', 'a6', 'ping6', '-c', '1', '-W', '2', 'b6']), 0, 'ping6 b6');
    assertStdout(sb, await sb.docker(['exec', 'a6', 'ip', '-6', 'route']), /^default via fd00:91::1 dev eth0/m);
    // v27 osl/interface_linux.go: IPv6 is disabled on an interface of an IPv4-only network (no link-local
    // address, no multicast groups); dockerd 20.10 disabled it in the whole container
    const v4 = 'cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6; ip -6 -o addr show dev eth0 | wc -l';
    assertStdout(sb, await sb.docker(['run', '--rm', '--network', 'dnet', 'bb', 'sh', '-c', v4]), '1\n0');
    await sb.dockerOk(['rm', '-f', 'a6', 'b6']);
  });
});

describe('daemon --ipv6 --fixed-cidr-v6: the default bridge', () => {
  const sandbox = useSandbox({ label: 'net-dns-diff-v6', daemonArgs: ['--ipv6', '--fixed-cidr-v6', 'fd00:17::/64'] });

  test('addresses derived from the MAC (a /80 or shorter prefix), top-level fields, /etc/hosts, the gateway answers', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'd1', 'bb', 'sleep', '900']);
    const f = '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}} {{.NetworkSettings.GlobalIPv6Address}} {{.NetworkSettings.GlobalIPv6PrefixLen}} {{.NetworkSettings.IPv6Gateway}}';
    const [ip4, mac, ip6, len, gw] = (await sb.dockerOk(['inspect', '-f', f, 'd1'])).split(' ') as [string, string, string, string, string];
    // v27 daemon_unix.go (deferIPv6Alloc) and 20.10: fd00:17:: + the MAC 02:42:ac:11:00:02 → fd00:17::242:ac11:2
    const m = mac.split(':').map((x) => Number.parseInt(x, 16));
    const fromMac = `fd00:17::${[(m[0]! << 8) | m[1]!, (m[2]! << 8) | m[3]!, (m[4]! << 8) | m[5]!].map((n) => n.toString(16)).join(':')}`;
    assert.deepEqual([ip6, len, gw], [fromMac, '64', 'fd00:17::1'], `IPv4 ${ip4}, MAC ${mac}`);
    const id = (await sb.dockerOk(['inspect', '-f', '{{.Id}}', 'd1'])).slice(0, 12);
    assert.deepEqual((await sb.dockerOk(['exec', 'd1', 'cat', '/etc/hosts'])).split('\n').slice(-2), [`${ip4}\t${id}`, `${fromMac}\t${id}`]);
    assertExit(sb, await sb.docker(['exec', 'd1', 'ping6', '-c', '1', '-W', '2', 'fd00:17::1']), 0, 'ping6 the bridge');
    await sb.dockerOk(['rm', '-f', 'd1']);
  });
});
