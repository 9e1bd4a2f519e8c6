import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sandbox } from '../support/sandbox.ts';
import { assertExit, useSandbox } from './helpers.ts';
import { ipOf, wgetFrom } from './net-helpers.ts';

/**
 * Legacy links when inter-container communication is off (daemon `icc: false`): dockerd opens exactly the linked
 * container's exposed ports to the linking one (and the answers from them), nothing else, and only on the default
 * bridge (on a user-defined network a link is a DNS alias, no firewall exception). berth removes the exception as
 * soon as either container stops (dockerd 20.10 keeps it until the linking container leaves).
 */
const sandbox = useSandbox({ label: 'net-links', daemonConfig: { icc: false } });
const PAGE = '<h1>hello from berth</h1>\n';
const berth = !process.env.BERTH_TEST_DAEMON;

/** berth's link exceptions (elements of its bridge table's `links` set); [] for another daemon. */
async function linkRules(sb: Sandbox): Promise<string[]> {
  if (!berth) return [];
  const r = await sb.exec(['nft', 'list', 'set', 'bridge', 'berth', 'links']);
  assertExit(sb, r, 0, 'nft list set bridge berth links');
  const m = /elements = \{([^}]*)\}/.exec(r.stdout);
  return m ? m[1]!.split(',').map((e) => e.replace(/\s+/g, ' ').trim()).filter(Boolean).sort() : [];
}

async function reaches(sb: Sandbox, from: string, url: string): Promise<boolean> {
  const r = await wgetFrom(sb, from, url, 2);
  if (r.code === 0) assert.equal(r.stdout, PAGE, sb.explain(r, `${from} → ${url}`));
  return r.code === 0;
}

describe('--link with icc=false', () => {
  test('the linked pair talks on the exposed port only; an unlinked container cannot; the exception follows both containers', async () => {
    const sb = sandbox();
    // srv serves on 80 (exposed) and 81 (not exposed)
    await sb.dockerOk(['run', '-d', '--name', 'srv', '--expose', '80', 'bb', 'sh', '-c', 'httpd -p 80 -h /www; exec httpd -f -p 81 -h /www']);
    await sb.dockerOk(['run', '-d', '--name', 'cli', '--link', 'srv:db', 'bb', 'sleep', '300']);
    await sb.dockerOk(['run', '-d', '--name', 'other', 'bb', 'sleep', '300']);
    const srvIp = await ipOf(sb, 'srv', 'bridge');
    const cliIp = await ipOf(sb, 'cli', 'bridge');

    assert.ok(await reaches(sb, 'cli', 'http://db/'), 'cli reaches its link on the exposed port (by the link alias)');
    assert.ok(await reaches(sb, 'cli', `http://${srvIp}/`), 'and by address');
    assert.ok(!(await reaches(sb, 'cli', `http://${srvIp}:81/`)), 'cli must not reach a port srv does not expose');
    assert.ok(!(await reaches(sb, 'other', `http://${srvIp}/`)), 'an unlinked container must not reach srv');
    const ping = await sb.docker(['exec', 'cli', 'ping', '-c', '1', '-W', '1', srvIp]);
    assert.notEqual(ping.code, 0, sb.explain(ping, 'only the exposed TCP/UDP ports are open, not ICMP'));
    assert.deepEqual(await linkRules(sb), berth ? [`${cliIp} . ${srvIp} . tcp . 80`] : []);

    // the linking container stops: the exception goes; it starts again: it is back
    await sb.dockerOk(['stop', '-t', '0', 'cli']);
    assert.deepEqual(await linkRules(sb), []);
    await sb.dockerOk(['start', 'cli']);
    const cliIp2 = await ipOf(sb, 'cli', 'bridge');
    assert.ok(await reaches(sb, 'cli', `http://${srvIp}/`), 'after cli restarted');
    assert.deepEqual(await linkRules(sb), berth ? [`${cliIp2} . ${srvIp} . tcp . 80`] : []);

    // the linked container stops: the exception goes (berth); it starts again, maybe on another address: back
    await sb.dockerOk(['stop', '-t', '0', 'srv']);
    if (berth) assert.deepEqual(await linkRules(sb), []);
    await sb.dockerOk(['start', 'srv']);
    const srvIp2 = await ipOf(sb, 'srv', 'bridge');
    assert.ok(await reaches(sb, 'cli', `http://${srvIp2}/`), 'after srv restarted');
    assert.ok(!(await reaches(sb, 'cli', `http://${srvIp2}:81/`)), 'still not the port srv does not expose');
    assert.ok(!(await reaches(sb, 'other', `http://${srvIp2}/`)), 'still not from the unlinked container');
    assert.deepEqual(await linkRules(sb), berth ? [`${cliIp2} . ${srvIp2} . tcp . 80`] : []);

    await sb.dockerOk(['rm', '-f', 'cli', 'srv', 'other']);
    assert.deepEqual(await linkRules(sb), [], 'nothing left once both are gone');
  });

  test('on a user-defined network with enable_icc=false a link is only a name: no exception (as dockerd)', async () => {
    const sb = sandbox();
    await sb.dockerOk(['network', 'create', '-o', 'com.docker.network.bridge.enable_icc=false', 'noicc']);
    await sb.dockerOk(['run', '-d', '--name', 'usrv', '--network', 'noicc', '--expose', '80', 'bb', 'httpd', '-f', '-p', '80', '-h', '/www']);
    await sb.dockerOk(['run', '-d', '--name', 'ucli', '--network', 'noicc', '--link', 'usrv:udb', 'bb', 'sleep', '300']);
    const ns = await sb.docker(['exec', 'ucli', 'nslookup', 'udb']);
    assertExit(sb, ns, 0, 'the link alias resolves on the user-defined network');
    assert.ok(!(await reaches(sb, 'ucli', 'http://udb/')), 'icc=false still blocks the linked pair');
    assert.deepEqual(await linkRules(sb), []);
    await sb.dockerOk(['rm', '-f', 'ucli', 'usrv']);
    await sb.dockerOk(['network', 'rm', 'noicc']);
  });

  test("a linked container that restarts on a new address: the linking container's /etc/hosts follows (as dockerd)", async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'child', 'bb', 'sleep', '300']);
    await sb.dockerOk(['run', '-d', '--name', 'parent', '--link', 'child:kid', 'bb', 'sleep', '300']);
    const hostsLine = async () => (await sb.dockerOk(['exec', 'parent', 'cat', '/etc/hosts'])).split('\n').find((l) => /\bkid\b/.test(l)) ?? '';
    const before = await ipOf(sb, 'child', 'bridge');
    assert.match(await hostsLine(), new RegExp(`^${before.replaceAll('.', '\\.')}\\s+kid\\b`));
    // addresses are handed out one after the other (as dockerd's IPAM): with another container started meanwhile,
    // the child comes back on a new one
    await sb.dockerOk(['stop', '-t', '0', 'child']);
    await sb.dockerOk(['run', '-d', '--name', 'filler', 'bb', 'sleep', '300']);
    await sb.dockerOk(['start', 'child']);
    const after = await ipOf(sb, 'child', 'bridge');
    assert.notEqual(after, before);
    assert.match(await hostsLine(), new RegExp(`^${after.replaceAll('.', '\\.')}\\s+kid\\b`), 'the parent sees the new address');
    await sb.dockerOk(['rm', '-f', 'parent', 'child', 'filler']);
  });
});
