import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CmdResult } from '../support/proc.ts';
import type { Sandbox } from '../support/sandbox.ts';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';
import { type HostState, hostState, ipOf } from './net-helpers.ts';

/**
 * Issue 3 acceptance: bad input gets dockerd's status and words, and a run or connect that fails leaves no link,
 * nft rule or set element, IP lease or held host port behind.
 */
const sandbox = useSandbox({ label: 'net-errors' });

function assertSameState(sb: Sandbox, before: HostState, after: HostState, what: string): void {
  assert.deepEqual(after.links, before.links, `${what}: links changed`);
  assert.equal(after.ruleset, before.ruleset, `${what}: the nft ruleset changed`);
  assert.deepEqual(after.leases, before.leases, `${what}: IP leases changed`);
  assert.equal(after.ports, before.ports, `${what}: held host ports changed\n${sb.daemonLogTail(20)}`);
}

function expectFail(sb: Sandbox, r: CmdResult, code: number, message: RegExp, what: string): void {
  assertExit(sb, r, code, what);
  assertStderr(sb, r, message, what);
}

describe('bad input', () => {
  test('network create/rm/connect and run: Docker messages and exit codes', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['network', 'create', '--subnet', '10.50.0.0/16', 'n1']);
    await sb.dockerOk(['run', '-d', '--name', 'e1', '--network', 'n1', 'bb', 'sleep', '300']);
    await sb.dockerOk(['run', '-d', '--name', 'e2', 'bb', 'sleep', '300']);
    const cases: [string[], number, RegExp][] = [
      [['network', 'create', '--subnet', '10.50.1.0/24', 'ov'], 1, /Error response from daemon: (invalid pool request: )?Pool overlaps with other one on this address space/],
      [['network', 'create', '--subnet', '10.51.0.0/24', '--gateway', '10.8.0.1', 'gw'], 1, /no matching subnet for gateway 10\.8\.0\.1/],
      [['network', 'create', '--subnet', '10.51.0.0/33', 'cidr'], 1, /invalid subnet 10\.51\.0\.0\/33: invalid CIDR block notation/],
      [['network', 'create', 'n1'], 1, /Error response from daemon: network with name n1 already exists/],
      [['network', 'create', '-d', 'host', 'host2'], 1, /only one instance of "host" network is allowed/],
      [['network', 'rm', 'n1'], 1, new RegExp(`Error response from daemon: error while removing network: network n1 (id ${id} )?has active endpoints`)],
      [['network', 'rm', 'bridge'], 1, /Error response from daemon: bridge is a pre-defined network and cannot be removed/],
      [['network', 'rm', 'host'], 1, /Error response from daemon: host is a pre-defined network and cannot be removed/],
      [['network', 'rm', 'none'], 1, /Error response from daemon: none is a pre-defined network and cannot be removed/],
      [['network', 'rm', 'nosuchnet'], 1, /network nosuchnet not found/],
      [['network', 'connect', 'nosuchnet', 'e1'], 1, /network nosuchnet not found/],
      [['network', 'connect', 'host', 'e1'], 1, /container cannot be disconnected from host network or connected to host network/],
      [['network', 'connect', 'n1', 'e1'], 1, /endpoint with name e1 already exists in network n1/],
      [['network', 'disconnect', 'n1', 'e2'], 1, /container [0-9a-f]{64} is not connected to (the )?network n1/],
      [['network', 'connect', '--ip', '10.60.0.5', 'n1', 'e2'], 1, /no configured subnet or ip-range contain the IP address 10\.60\.0\.5/],
      [['run', '--rm', '--ip', '172.17.0.50', 'bb', 'true'], 125, /user specified IP address is supported on user defined networks only/],
      // the CLI refuses this one itself; the daemon's own check is asked through the API below
      [['run', '--rm', '--network-alias', 'x', 'bb', 'true'], 125, /network-scoped aliases are only supported for user-defined networks/],
      [['run', '--rm', '--network', 'container:e1', '-p', '80:80', 'bb', 'true'], 125, /conflicting options: port publishing and the container type network mode/],
      [['run', '--rm', '--network', 'host', '--mac-address', '02:42:00:00:00:01', 'bb', 'true'], 125, /conflicting options: mac-address and the network mode/],
    ];
    for (const [argv, code, message] of cases) expectFail(sb, await sb.docker(argv), code, message, `docker ${argv.join(' ')}`);

    // what the CLI checks itself reaches the daemon through the API: dockerd's multi-line message, status 400
    const body = { Name: 'gw', IPAM: { Config: [{ Subnet: '10.52.0.0/24', Gateway: '10.8.0.1', IPRange: '10.53.0.0/25' }] } };
    const r = await sb.request('POST', '/v1.43/networks/create', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 400, r.body);
    assert.equal(
      (JSON.parse(r.body) as { message: string }).message,
      'invalid network config:\ninvalid ip-range 10.53.0.0/25: parent subnet 10.52.0.0/24 doesn\'t contain ip-range\ninvalid gateway 10.8.0.1: parent subnet 10.52.0.0/24 doesn\'t contain this address',
    );
    const alias = { Image: 'bb', Cmd: ['true'], HostConfig: { NetworkMode: 'bridge' }, NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: ['x'] } } } };
    const a = await sb.request('POST', '/v1.43/containers/create', { body: JSON.stringify(alias), headers: { 'Content-Type': 'application/json' } });
    assert.equal(a.status, 400, a.body);
    assert.equal((JSON.parse(a.body) as { message: string }).message, 'network-scoped alias is supported only for containers in user defined networks');
    const ls = await sb.dockerOk(['network', 'ls', '--format', '{{.Name}}']);
    assert.deepEqual(ls.split('\n').sort(), ['bridge', 'host', 'n1', 'none'], 'no failed create left a network');
    await sb.dockerOk(['rm', '-f', 'e1', 'e2']);
    await sb.dockerOk(['network', 'rm', 'n1']);
  });
});

describe('failure leaves nothing behind', () => {
  test('failed run and connect: links, ruleset, leases and ports as before; the pool still has every address', async () => {
    const sb = sandbox();
    // 10.99.0.0/29: .1 is the gateway, .2–.6 are the five addresses containers can get
    const tinyId = await sb.dockerOk(['network', 'create', '--subnet', '10.99.0.0/29', 'tiny']);
    await sb.dockerOk(['network', 'create', '--subnet', '10.98.0.0/24', 'roomy']);
    await sb.dockerOk(['run', '-d', '--name', 'anchor', '--network', 'tiny', '-p', '7000:80', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
    await sb.dockerOk(['run', '-d', '--name', 'outsider', 'bb', 'sleep', '300']);
    const anchorIp = await ipOf(sb, 'anchor', 'tiny');
    const before = await hostState(sb);
    assert.ok(before.links.length >= 4, `links: ${before.links.join(', ')}`);
    assert.match(before.ruleset, /\b7000\b/, 'the ruleset holds the published port (the comparison sees rules)');
    if (before.leases.length > 0) assert.ok(before.leases.some((l) => l.includes(` ${anchorIp} `)), `leases: ${before.leases.join(', ')}`);

    const failures: [string[], number, RegExp][] = [
      // the port is taken: after the endpoint and its address were made
      [['run', '-d', '--name', 'f1', '--network', 'tiny', '-p', '7000:80', 'bb', 'sleep', '300'], 125, /port is already allocated/],
      // the first port is free, the second is not: the first must be given back
      [['run', '-d', '--name', 'f2', '--network', 'tiny', '-p', '7002:80', '-p', '7000:81', 'bb', 'sleep', '300'], 125, /port is already allocated/],
      // the network is wired, then the process cannot start
      [['run', '-d', '--name', 'f3', '--network', 'tiny', '-p', '7003:80', 'bb', 'nosuchcmd'], 127, /nosuchcmd/],
      // f4 runs on roomy (and is removed before the comparison); connecting it to tiny fails on the taken address
      [['run', '-d', '--name', 'f4', '--network', 'roomy', '--ip', '10.98.0.50', 'bb', 'sleep', '300'], 0, /^/],
      [['network', 'connect', '--ip', anchorIp, 'tiny', 'f4'], 1, /Address already in use/],
      [['run', '-d', '--name', 'f5', '--network', 'tiny', '--ip', anchorIp, 'bb', 'sleep', '300'], 125, /Address already in use/],
      [['network', 'connect', '--ip', '10.97.0.9', 'tiny', 'outsider'], 1, /no configured subnet or ip-range contain the IP address 10\.97\.0\.9/],
    ];
    for (const [argv, code, message] of failures) {
      const r = await sb.docker(argv);
      expectFail(sb, r, code, message, `docker ${argv.join(' ')}`);
    }
    await sb.dockerOk(['rm', '-f', 'f4']);
    const after = await hostState(sb);
    assertSameState(sb, before, after, 'after the failed runs and connects');
    // the containers of failed runs exist (as with dockerd) but hold nothing
    const states = await sb.dockerOk(['ps', '-a', '--filter', 'name=^f', '--format', '{{.Names}} {{.State}}']);
    for (const line of states.split('\n')) assert.match(line, /^f\d (created|exited)$/, states);
    const members = await sb.dockerOk(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{end}}', 'tiny']);
    assert.equal(members.trim(), 'anchor', 'only anchor is on tiny');

    // every address is still there: four more containers fit, the fifth does not
    for (const n of ['t1', 't2', 't3', 't4']) await sb.dockerOk(['run', '-d', '--name', n, '--network', 'tiny', 'bb', 'sleep', '300']);
    const ips = await Promise.all(['anchor', 't1', 't2', 't3', 't4'].map((n) => ipOf(sb, n, 'tiny')));
    assert.deepEqual([...ips].sort(), ['10.99.0.2', '10.99.0.3', '10.99.0.4', '10.99.0.5', '10.99.0.6']);
    const full = await sb.docker(['run', '-d', '--name', 't5', '--network', 'tiny', 'bb', 'sleep', '300']);
    expectFail(sb, full, 125, new RegExp(`no available IPv4 addresses on this network's address pools: tiny \\(${tinyId}\\)`), 'a sixth container on a /29');
    // a connect that fails for want of addresses changes nothing either
    const full2 = await hostState(sb);
    const conn = await sb.docker(['network', 'connect', 'tiny', 'outsider']);
    expectFail(sb, conn, 1, /no available IPv4 addresses on this network's address pools: tiny/, 'connect to a full network');
    assertSameState(sb, full2, await hostState(sb), 'after a connect to a full network');
    // the ports the failed runs asked for are free
    await sb.dockerOk(['rm', '-f', 't4']);
    await sb.dockerOk(['run', '-d', '--name', 't6', '--network', 'tiny', '-p', '7002:80', '-p', '7003:81', 'bb', 'sleep', '300']);

    const all = (await sb.dockerOk(['ps', '-aq'])).split('\n').filter(Boolean);
    await sb.dockerOk(['rm', '-f', ...all]);
    await sb.dockerOk(['network', 'rm', 'tiny', 'roomy']);
  });
});
