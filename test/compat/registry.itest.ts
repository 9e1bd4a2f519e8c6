import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { assertExit, assertStderr, useSandbox } from './helpers.ts';

/**
 * Pull and push through berthd with the stock docker CLI, against Debian's docker-registry running inside the
 * sandbox's network namespace (plain HTTP on 127.0.0.1, insecure by default as loopback is for dockerd).
 */
describe('registry: push and pull through berthd', () => {
  const sb = useSandbox({ label: 'registry' });
  const REG = '127.0.0.1:5000';

  before(async () => {
    const dir = sb().dir;
    writeFileSync(
      join(dir, 'registry.yml'),
      `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/registry\n  delete:\n    enabled: true\nhttp:\n  addr: ${REG}\n`,
    );
    // inside the sandbox: its netns, its pid namespace (killed with the sandbox)
    await sb().exec(['sh', '-c', `setsid -f /usr/bin/docker-registry serve ${dir}/registry.yml > ${dir}/registry.log 2>&1 < /dev/null`]);
    for (let i = 0; i < 50; i++) {
      const r = await sb().exec(['busybox', 'wget', '-q', '-O', '-', `http://${REG}/v2/`], { timeoutMs: 5000 });
      if (r.code === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail('docker-registry did not start');
  });

  test('push, remove, pull back by tag: same digest, runnable, and run pulls a missing image itself', async () => {
    await sb().dockerOk(['tag', 'bb', `${REG}/bb:v1`]);
    const push = await sb().dockerOk(['push', `${REG}/bb:v1`]);
    assert.match(push, /The push refers to repository \[127\.0\.0\.1:5000\/bb\]/);
    const digest = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push)?.[1];
    assert.ok(digest, push);
    // the registry serves that manifest
    const head = await sb().exec(['busybox', 'wget', '-q', '-S', '-O', '/dev/null', '--header', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `http://${REG}/v2/bb/manifests/v1`]);
    assert.match(head.stderr + head.stdout, new RegExp(`Docker-Content-Digest: ${digest}`, 'i'));

    await sb().dockerOk(['rmi', `${REG}/bb:v1`]);
    const pull = await sb().dockerOk(['pull', `${REG}/bb:v1`]);
    assert.match(pull, new RegExp(`Digest: ${digest}`));
    assert.match(pull, /Status: (Downloaded newer image|Image is up to date) for 127\.0\.0\.1:5000\/bb:v1/);
    const repoDigest = (await sb().dockerOk(['inspect', '-f', '{{index .RepoDigests 0}}', `${REG}/bb:v1`])).trim();
    assert.equal(repoDigest, `${REG}/bb@${digest}`);

    // remove every local copy, then let `docker run` pull it
    await sb().dockerOk(['rmi', '-f', `${REG}/bb:v1`]);
    const run = await sb().docker(['run', '--rm', `${REG}/bb:v1`, 'echo', 'pulled and ran']);
    assertExit(sb(), run, 0);
    assert.match(run.stdout, /pulled and ran/);
    assert.match(run.stderr, /Unable to find image '127\.0\.0\.1:5000\/bb:v1' locally/);
  });

  test('pull of an unknown tag and of an unreachable registry fail with clear messages', async () => {
    const nope = await sb().docker(['pull', `${REG}/nope:v1`]);
    assertExit(sb(), nope, 1);
    assertStderr(sb(), nope, /manifest unknown|not found/);
    const dead = await sb().docker(['pull', '127.0.0.1:5999/x']);
    assertExit(sb(), dead, 1);
    assertStderr(sb(), dead, /connection refused/);
  });
});
