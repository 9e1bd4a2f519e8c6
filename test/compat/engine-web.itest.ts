import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Sandbox } from '../support/sandbox.ts';
import { assertExit, eventually, useSandbox } from './helpers.ts';

/** A published port, a bind mount and streaming logs: the engine issue's web-app check. */
const sandbox = useSandbox({ label: 'web' });

/** busybox wget inside the sandbox's netns (its own -T option crashes busybox 1.35, so timeout(1) bounds it). */
function wget(sb: Sandbox, url: string) {
  return sb.exec(['timeout', '5', 'busybox', 'wget', '-q', '-O', '-', url]);
}

describe('web app with a published port', () => {
  test('run -d -p 8080:80 -v dir:/www bb httpd: page served on the host port, docker port shows the mapping', async () => {
    const sb = sandbox();
    const www = join(sb.dir, 'www');
    mkdirSync(www, { recursive: true });
    writeFileSync(join(www, 'index.html'), '<p>served by berth</p>\n');
    const id = await sb.dockerOk(['run', '-d', '--name', 'web', '-p', '8080:80', '-v', `${www}:/www`, 'bb', 'httpd', '-f', '-v', '-p', '80', '-h', '/www']);
    assert.match(id, /^[0-9a-f]{64}$/);

    let last = '';
    await eventually(
      async () => {
        const r = await wget(sb, 'http://127.0.0.1:8080/');
        last = `exit ${r.code}\n${r.stdout}${r.stderr}`;
        return r.code === 0 && r.stdout === '<p>served by berth</p>\n';
      },
      15_000,
      () => `wget http://127.0.0.1:8080/ inside the sandbox netns never returned the page; last try: ${last}\n${sb.daemonLogTail()}`,
    );

    const port = await sb.dockerOk(['port', 'web']);
    const lines = port.split('\n');
    assert.equal(lines[0], '80/tcp -> 0.0.0.0:8080', `docker port web printed:\n${port}`);
    assert.ok(lines.slice(1).every((l) => l === '80/tcp -> [::]:8080'), `unexpected extra lines:\n${port}`);
    assert.equal(await sb.dockerOk(['port', 'web', '80']), lines.join('\n').replaceAll('80/tcp -> ', ''));

    const ps = await sb.dockerOk(['ps', '--filter', 'name=web', '--format', '{{.Ports}}']);
    assert.match(ps, /^0\.0\.0\.0:8080->80\/tcp/);

    // the bind mount is live: a file written on the host is served
    writeFileSync(join(www, 'new.txt'), 'fresh\n');
    const fresh = await wget(sb, 'http://127.0.0.1:8080/new.txt');
    assert.equal(fresh.stdout, 'fresh\n', fresh.stderr);

    // the container reaches its own page through its IP as well
    const ip = await sb.dockerOk(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'web']);
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/, `container IP: ${ip}`);
    const direct = await wget(sb, `http://${ip}:80/`);
    assert.equal(direct.stdout, '<p>served by berth</p>\n', direct.stderr);

    // httpd -v logs each request on stderr: docker logs shows them
    const logs = await sb.docker(['logs', 'web']);
    assertExit(sb, logs, 0);
    assert.match(logs.stdout + logs.stderr, /GET|response:200|url:\//, sb.explain(logs, 'request log lines'));

    const stop = await sb.docker(['stop', '-t', '1', 'web']);
    assertExit(sb, stop, 0);
    const after = await wget(sb, 'http://127.0.0.1:8080/');
    assert.notEqual(after.code, 0, 'the port is closed once the container stops');
    await sb.dockerOk(['rm', 'web']);
  });
});

describe('logs', () => {
  test('logs -f follows new output and ends when the container exits', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'tick', 'bb', 'sh', '-c', 'i=0; while [ $i -lt 12 ]; do echo tick-$i; i=$((i+1)); sleep 0.25; done']);
    const follow = sb.dockerSpawn(['logs', '-f', 'tick'], { timeoutMs: 30_000 });
    await follow.waitForStdout('tick-0\n', 10_000);
    // these lines are written after logs -f started: following works
    await follow.waitForStdout('tick-11\n', 10_000);
    const end = await follow.done;
    assert.equal(end.code, 0, `logs -f should exit 0 when the container exits\n${end.stderr}`);
    const got = end.stdout.trim().split('\n');
    assert.deepEqual(got, Array.from({ length: 12 }, (_, i) => `tick-${i}`), 'every line once, in order');
    await sb.dockerOk(['rm', 'tick']);
  });

  test('logs --tail and --timestamps', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--name', 'tail1', 'bb', 'sh', '-c', 'for i in 1 2 3 4 5; do echo l$i; done']);
    assertExit(sb, r, 0);
    assert.equal(await sb.dockerOk(['logs', '--tail', '2', 'tail1']), 'l4\nl5');
    const ts = await sb.dockerOk(['logs', '-t', '--tail', '1', 'tail1']);
    assert.match(ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z l5$/);
    await sb.dockerOk(['rm', 'tail1']);
  });
});
