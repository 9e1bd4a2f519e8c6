import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useSandbox } from './helpers.ts';

/** Interactive use through a pseudo-terminal: run -it, exec -it, attach and its detach keys. */
const sandbox = useSandbox({ label: 'tty' });

describe('interactive', () => {
  test('docker run -it bb sh: a shell on a tty, exit code passed through', async () => {
    const sb = sandbox();
    const s = sb.dockerPty(['run', '-it', '--rm', '--name', 'it1', 'bb', 'sh']);
    try {
      await s.expect(/# $/m, 15_000);
      s.send('tty; echo "sum=$((40+2))"\r');
      await s.expect(/\/dev\/pts\/\d+/);
      await s.expect('sum=42');
      s.send('stty size\r');
      await s.expect('40 120');
      s.send('exit 3\r');
      const r = await s.wait();
      assert.equal(r.code, 3, `exit code of docker run -it\n${r.text}`);
    } finally {
      s.kill();
    }
    assert.equal(await sb.dockerOk(['ps', '-aq', '--filter', 'name=it1']), '', '--rm removed it');
  });

  test('docker exec -it: a second shell in a running container', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'ex1', 'bb', 'sleep', '1000']);
    const s = sb.dockerPty(['exec', '-it', 'ex1', 'sh']);
    try {
      await s.expect(/# $/m, 15_000);
      s.send('echo "in $(hostname)"; ps | grep -c "sleep 1000"\r');
      await s.expect(/in [0-9a-f]{12}/);
      s.send('exit 5\r');
      const r = await s.wait();
      assert.equal(r.code, 5, `exit code of docker exec -it\n${r.text}`);
    } finally {
      s.kill();
    }
    const plain = await sb.docker(['exec', 'ex1', 'sh', '-c', 'echo plain; exit 7']);
    assert.equal(plain.code, 7, sb.explain(plain));
    assert.equal(plain.stdout, 'plain\n');
    await sb.dockerOk(['rm', '-f', 'ex1']);
  });

  test('attach, then ctrl-p ctrl-q detaches and leaves the container running', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-dit', '--name', 'att1', 'bb', 'sh']);
    const s = sb.dockerPty(['attach', 'att1']);
    try {
      s.send('\r');
      await s.expect(/# $/m, 15_000);
      s.send('echo attached-$((6*7))\r');
      await s.expect('attached-42');
      s.send('\x10\x11');
      const r = await s.wait();
      // the CLI ends with "read escape sequence" and exit code 1, as it does against dockerd
      assert.match(r.text, /read escape sequence/, r.text);
      assert.equal(r.code, 1, `docker attach after ctrl-p ctrl-q\n${r.text}`);
    } finally {
      s.kill();
    }
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Running}}', 'att1']), 'true', 'still running after detach');

    // attach again: the same shell, with its history of output still there
    const again = sb.dockerPty(['attach', 'att1']);
    try {
      again.send('echo second-$((1+1))\r');
      await again.expect('second-2');
      again.send('exit 0\r');
      const r = await again.wait();
      assert.equal(r.code, 0, r.text);
    } finally {
      again.kill();
    }
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'att1']), 'exited 0');
    await sb.dockerOk(['rm', 'att1']);
  });

  test('run -d then attach without a tty streams output until the container exits', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '-d', '--name', 'att2', 'bb', 'sh', '-c', 'sleep 1; echo late-line; exit 4']);
    const r = await sb.docker(['attach', 'att2'], { timeoutMs: 20_000 });
    assert.equal(r.code, 4, sb.explain(r));
    assert.equal(r.stdout, 'late-line\n');
    await sb.dockerOk(['rm', 'att2']);
  });
});
