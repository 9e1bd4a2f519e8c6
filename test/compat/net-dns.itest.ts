import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { CmdResult } from '../support/proc.ts';
import type { Sandbox } from '../support/sandbox.ts';
import { assertExit, useSandbox } from './helpers.ts';
import { ipOf } from './net-helpers.ts';

/**
 * The embedded DNS (127.0.0.11) with and without the native helper: the same checks against a daemon that serves
 * the containers' UDP sockets on the native thread (repeated questions answered from its per-container cache) and
 * one started with BERTH_NATIVE=0 (all in JavaScript). Every lookup is repeated back to back, so that in native mode
 * the second and later answers come from the cache, and every change of the records is checked right after the old
 * answer was asked (and cached) several times.
 */
const DOCKERD = !!process.env.BERTH_TEST_DAEMON;
const NOT_LOADED = 'native network helper not loaded';

const MODES = [
  { key: 'native', title: 'native helper (default)', env: {} as Record<string, string>, native: true },
  { key: 'js', title: 'fallback (BERTH_NATIVE=0)', env: { BERTH_NATIVE: '0' }, native: false },
];

interface Lookup {
  code: number;
  /** The addresses of the answer in answer order (not the server's own "Address: 127.0.0.11:53"). */
  addrs: string[];
  text: string;
}

/** `n` busybox nslookups of `name` (type a or aaaa) from `from`, back to back in one exec. */
async function lookups(sb: Sandbox, from: string, name: string, n: number, type: 'a' | 'aaaa' = 'a'): Promise<{ r: CmdResult; all: Lookup[] }> {
  const script = `i=0; while [ $i -lt ${n} ]; do nslookup -type=${type} "$1"; echo "=== rc=$?"; i=$((i+1)); done`;
  const r = await sb.docker(['exec', from, 'sh', '-c', script, 'sh', name]);
  assertExit(sb, r, 0, `${from}: ${n}× nslookup -type=${type} ${name}`);
  const parts = r.stdout.split(/^=== rc=(\d+)\n/m);
  const all: Lookup[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const text = parts[i]!;
    const answer = text.split('Non-authoritative answer:').slice(1).join('');
    all.push({ code: Number(parts[i + 1]), addrs: [...answer.matchAll(/^Address:\s*(\S+)$/gm)].map((m) => m[1]!), text });
  }
  assert.equal(all.length, n, sb.explain(r, `expected ${n} nslookup outputs`));
  return { r, all };
}

/** Each of `n` lookups of `name` from `from` answers exactly `ip`. */
async function expectResolves(sb: Sandbox, from: string, name: string, ip: string, n = 5): Promise<void> {
  const { r, all } = await lookups(sb, from, name, n);
  all.forEach((l, i) => {
    assert.ok(l.code === 0 && l.addrs.length === 1 && l.addrs[0] === ip, sb.explain(r, `${from}: lookup ${i + 1}/${n} of ${name} should answer ${ip}, got [${l.addrs}] (rc ${l.code})`));
  });
}

/**
 * Each of `n` lookups of `name` from `from` fails without any address: berthd answers SERVFAIL at once (the sandbox
 * has no resolver to forward to); dockerd sends no answer when forwarding fails, so busybox times out (2 × 2.5 s).
 */
async function expectUnknown(sb: Sandbox, from: string, name: string, n = 3, why = '', type: 'a' | 'aaaa' = 'a'): Promise<void> {
  // against dockerd once: each of its failures costs 5 s and it has no cache of ours to check
  const count = DOCKERD ? 1 : n;
  const { r, all } = await lookups(sb, from, name, count, type);
  all.forEach((l, i) => {
    const failed = l.text.includes(`** server can't find ${name}: `) || (DOCKERD && l.text.includes('no servers could be reached'));
    const ok = l.code !== 0 && l.addrs.length === 0 && failed;
    assert.ok(ok, sb.explain(r, `${from}: ${type} lookup ${i + 1}/${count} of ${name} must not resolve${why ? ` (${why})` : ''}, got [${l.addrs}] (rc ${l.code})`));
  });
}

for (const m of MODES) {
  describe(`embedded DNS, ${DOCKERD && m.native ? process.env.BERTH_TEST_DAEMON : m.title}`, { skip: DOCKERD && !m.native ? 'BERTH_NATIVE=0 is a berthd mode' : false }, () => {
    const sandbox = useSandbox({ label: `net-dns-${m.key}`, env: m.env });

    before(async () => {
      const sb = sandbox();
      await sb.dockerOk(['network', 'create', '--subnet', '10.77.0.0/24', 'dnsnet']);
      await sb.dockerOk(['run', '-d', '--name', 'cli', '--network', 'dnsnet', 'bb', 'sleep', '600']);
    });

    test('names, aliases, short id, hostname, upper case: the right address, every time', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 'web', '--hostname', 'webhost', '--network', 'dnsnet', '--network-alias', 'www', 'bb', 'sleep', '600']);
      await sb.dockerOk(['run', '-d', '--name', 'late', 'bb', 'sleep', '600']);
      await sb.dockerOk(['network', 'connect', '--alias', 'lateal', 'dnsnet', 'late']);
      const web = await ipOf(sb, 'web', 'dnsnet');
      const late = await ipOf(sb, 'late', 'dnsnet');
      assert.notEqual(web, late);
      const shortId = (await sb.dockerOk(['inspect', '-f', '{{.Id}}', 'web'])).slice(0, 12);
      for (const [name, ip] of [
        ['web', web],
        ['www', web],
        ['WEB', web],
        ['Www', web],
        [shortId, web],
        ['webhost', web],
        ['late', late],
        ['lateal', late],
        ['LATEAL', late],
      ] as const) {
        await expectResolves(sb, 'cli', name, ip);
      }
      // and the other way round, from a container connected after it started
      await expectResolves(sb, 'late', 'web', web);
      await sb.dockerOk(['rm', '-f', 'web', 'late']);
    });

    test('round robin over a shared --network-alias: both addresses come first, also in the repeated answers', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 'rr1', '--network', 'dnsnet', '--network-alias', 'svc', 'bb', 'sleep', '600']);
      await sb.dockerOk(['run', '-d', '--name', 'rr2', '--network', 'dnsnet', '--network-alias', 'svc', 'bb', 'sleep', '600']);
      const ips = [await ipOf(sb, 'rr1', 'dnsnet'), await ipOf(sb, 'rr2', 'dnsnet')].sort();
      const { r, all } = await lookups(sb, 'cli', 'svc', 12);
      for (const l of all) assert.deepEqual([...l.addrs].sort(), ips, sb.explain(r, 'every answer holds both addresses'));
      // not counting the first answer (the resolver's; the later ones are the cache's in native mode). dockerd
      // shuffles: both orders in 11 answers but for a chance of 1 in 1024
      const firsts = new Set(all.slice(1).map((l) => l.addrs[0]));
      assert.deepEqual([...firsts].sort(), ips, sb.explain(r, 'in answers 2-12 each address comes first at least once'));
      await sb.dockerOk(['rm', '-f', 'rr1', 'rr2']);
    });

    test('stop, then start: the new truth right after the change', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 't1', '--network', 'dnsnet', 'bb', 'sleep', '600']);
      await expectResolves(sb, 'cli', 't1', await ipOf(sb, 't1', 'dnsnet'), 4);
      await sb.dockerOk(['stop', '-t', '0', 't1']);
      await expectUnknown(sb, 'cli', 't1', 3, 'stopped');
      await sb.dockerOk(['start', 't1']);
      await expectResolves(sb, 'cli', 't1', await ipOf(sb, 't1', 'dnsnet'), 4);
      await sb.dockerOk(['rm', '-f', 't1']);
    });

    test('rename: the new name resolves, the old one does not', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 'rn', '--network', 'dnsnet', 'bb', 'sleep', '600']);
      const ip = await ipOf(sb, 'rn', 'dnsnet');
      await expectResolves(sb, 'cli', 'rn', ip, 4);
      await sb.dockerOk(['rename', 'rn', 'rnnew']);
      await expectResolves(sb, 'cli', 'rnnew', ip, 3);
      await expectUnknown(sb, 'cli', 'rn', 3, 'renamed to rnnew');
      await sb.dockerOk(['rm', '-f', 'rnnew']);
    });

    test('network disconnect, then connect --alias x2 at another address', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 'nd', 'bb', 'sleep', '600']);
      await sb.dockerOk(['network', 'connect', 'dnsnet', 'nd']);
      const old = await ipOf(sb, 'nd', 'dnsnet');
      await expectResolves(sb, 'cli', 'nd', old, 4);
      await sb.dockerOk(['network', 'disconnect', 'dnsnet', 'nd']);
      await expectUnknown(sb, 'cli', 'nd', 3, 'disconnected');
      // the old address goes to another container, which has the alias x2 already: the reconnected one gets a new
      // address, and the answer for x2 (asked and cached before) gains it
      await sb.dockerOk(['run', '-d', '--name', 'ndfill', '--network', 'dnsnet', '--network-alias', 'x2', '--ip', old, 'bb', 'sleep', '600']);
      await expectResolves(sb, 'cli', 'x2', old, 4);
      await sb.dockerOk(['network', 'connect', '--alias', 'x2', 'dnsnet', 'nd']);
      const now = await ipOf(sb, 'nd', 'dnsnet');
      assert.notEqual(now, old);
      const { r, all } = await lookups(sb, 'cli', 'x2', 3);
      for (const l of all) assert.deepEqual([...l.addrs].sort(), [now, old].sort(), sb.explain(r, `x2 is ${old} (ndfill) and now ${now} (nd)`));
      await expectResolves(sb, 'cli', 'nd', now, 3);
      await expectResolves(sb, 'cli', 'ndfill', old, 3);
      await sb.dockerOk(['rm', '-f', 'nd', 'ndfill']);
    });

    test('the network a container was started on: disconnect, connect --alias x3 again', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 'nd0', '--network', 'dnsnet', 'bb', 'sleep', '600']);
      await expectResolves(sb, 'cli', 'nd0', await ipOf(sb, 'nd0', 'dnsnet'), 4);
      await sb.dockerOk(['network', 'disconnect', 'dnsnet', 'nd0']);
      await expectUnknown(sb, 'cli', 'nd0', 3, 'disconnected');
      // as dockerd: a restart does not join the NetworkMode network again (only loopback is left)
      await sb.dockerOk(['restart', '-t', '0', 'nd0']);
      const nets = await sb.dockerOk(['inspect', '-f', '{{json .NetworkSettings.Networks}} {{.HostConfig.NetworkMode}}', 'nd0']);
      assert.equal(nets.trim(), '{} dnsnet', 'no network after the restart; NetworkMode unchanged');
      const links = await sb.dockerOk(['exec', 'nd0', 'ip', '-o', 'link']);
      assert.doesNotMatch(links, /\beth0\b/, `no interface but loopback:\n${links}`);
      await expectUnknown(sb, 'cli', 'nd0', 2, 'disconnected and restarted');
      await sb.dockerOk(['network', 'connect', '--alias', 'x3', 'dnsnet', 'nd0']);
      await expectResolves(sb, 'cli', 'x3', await ipOf(sb, 'nd0', 'dnsnet'), 3);
      // connected again: the next restart keeps it
      await sb.dockerOk(['restart', '-t', '0', 'nd0']);
      await expectResolves(sb, 'cli', 'nd0', await ipOf(sb, 'nd0', 'dnsnet'), 2);
      await sb.dockerOk(['rm', '-f', 'nd0']);
    });

    test('rm -f and a new container of the same name at another address', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 're', '--network', 'dnsnet', '--ip', '10.77.0.50', 'bb', 'sleep', '600']);
      await expectResolves(sb, 'cli', 're', '10.77.0.50', 4);
      await sb.dockerOk(['rm', '-f', 're']);
      await expectUnknown(sb, 'cli', 're', 2, 'removed');
      await sb.dockerOk(['run', '-d', '--name', 're', '--network', 'dnsnet', '--ip', '10.77.0.51', 'bb', 'sleep', '600']);
      await expectResolves(sb, 'cli', 're', '10.77.0.51', 3);
      await sb.dockerOk(['rm', '-f', 're']);
    });

    test('AAAA of an IPv4-only container: no data (the name exists), every time', async () => {
      const sb = sandbox();
      await sb.dockerOk(['run', '-d', '--name', 'v4', '--network', 'dnsnet', 'bb', 'sleep', '600']);
      const { r, all } = await lookups(sb, 'cli', 'v4', 3, 'aaaa');
      all.forEach((l, i) => {
        // busybox: NOERROR without records prints the answer header and nothing under it; NXDOMAIN/SERVFAIL print "** server can't find"
        const ok = l.code === 0 && l.addrs.length === 0 && l.text.includes('Non-authoritative answer:') && !l.text.includes("can't find");
        assert.ok(ok, sb.explain(r, `AAAA lookup ${i + 1}/3 of v4 should be no-data, got [${l.addrs}] (rc ${l.code})`));
      });
      // the A record is still there after the AAAA no-data was cached; a name that does not exist is no no-data
      await expectResolves(sb, 'cli', 'v4', await ipOf(sb, 'v4', 'dnsnet'), 3);
      await expectUnknown(sb, 'cli', 'v4x', 1, 'no such name', 'aaaa');
      await sb.dockerOk(['rm', '-f', 'v4']);
    });

    test('names on another network do not resolve, also after they were looked up there', async () => {
      const sb = sandbox();
      await sb.dockerOk(['network', 'create', '--subnet', '10.78.0.0/24', 'othernet']);
      await sb.dockerOk(['run', '-d', '--name', 'far', '--network', 'othernet', 'bb', 'sleep', '600']);
      await sb.dockerOk(['run', '-d', '--name', 'farcli', '--network', 'othernet', 'bb', 'sleep', '600']);
      await sb.dockerOk(['run', '-d', '--name', 'near', '--network', 'dnsnet', 'bb', 'sleep', '600']);
      await expectResolves(sb, 'farcli', 'far', await ipOf(sb, 'far', 'othernet'), 4);
      await expectResolves(sb, 'cli', 'near', await ipOf(sb, 'near', 'dnsnet'), 4);
      for (const name of ['far', 'far.othernet', 'farcli']) await expectUnknown(sb, 'cli', name, 3, 'on othernet only');
      for (const name of ['near', 'cli']) await expectUnknown(sb, 'farcli', name, 3, 'on dnsnet only');
      await sb.dockerOk(['rm', '-f', 'far', 'farcli', 'near']);
      await sb.dockerOk(['network', 'rm', 'othernet']);
    });

    test(`the daemon log ${m.native ? 'does not say' : 'says'} "${NOT_LOADED}"`, { skip: DOCKERD ? 'a berthd log line' : false }, () => {
      const sb = sandbox();
      const text = sb.daemonLogText();
      assert.ok(text.length > 0, 'the daemon log is empty');
      if (m.native) assert.ok(!text.includes(NOT_LOADED), `the native helper should be loaded:\n${sb.daemonLogTail(80)}`);
      else assert.match(text, /native network helper not loaded.*turned off \(BERTH_NATIVE=0\)/, sb.daemonLogTail(80));
    });
  });
}
