import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandConn } from './command-conn.ts';
import { Transport } from './http.ts';
import { readAll } from './streams.ts';

function collect(c: CommandConn): Promise<{ data: string; err?: Error }> {
  return new Promise((resolve) => {
    let data = '';
    c.on('data', (b: Buffer) => {
      data += b.toString();
    });
    c.once('end', () => resolve({ data }));
    c.once('error', (err) => resolve({ data, err }));
  });
}

describe('CommandConn (a connection over a child process)', () => {
  it('carries bytes both ways; end() half-closes the child\'s stdin and the read side still delivers', async () => {
    const c = new CommandConn('sh', ['-c', 'cat; echo after-eof']);
    const got = collect(c);
    c.write('hello ');
    c.write('world\n');
    c.end();
    const r = await got;
    assert.equal(r.err, undefined);
    assert.equal(r.data, 'hello world\nafter-eof\n');
  });

  it('a child that fails: docker\'s message with the exit status and the child\'s stderr', async () => {
    const c = new CommandConn('sh', ['-c', 'echo "ssh: connect to host h port 1: Connection refused" >&2; exit 255']);
    const r = await collect(c);
    assert.equal(
      r.err?.message,
      'command [sh -c echo "ssh: connect to host h port 1: Connection refused" >&2; exit 255] has exited with exit status 255, make sure the URL is valid, and berth or Docker 18.09 or later is installed on the remote host: stderr=ssh: connect to host h port 1: Connection refused\n',
    );
    assert.equal(r.err?.name, 'CommandConnError');
  });

  it('a program that does not exist', async () => {
    const c = new CommandConn('/nonexistent/ssh', []);
    const r = await collect(c);
    assert.match(r.err?.message ?? '', /^exec: "\/nonexistent\/ssh": executable file not found in \$PATH$/);
  });

  it('destroy() ends the child', async () => {
    const c = new CommandConn('sleep', ['30']);
    const pid = c.pid!;
    assert.ok(pid > 0);
    c.destroy();
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail('the child still runs after destroy()');
  });

  it('HTTP over it: a child that answers one request the way dial-stdio relays a daemon', async () => {
    // a fake "ssh" whose stdout is a canned HTTP response; the transport reads it like any connection
    const t = new Transport({ kind: 'ssh', ssh: { user: '', host: 'h', port: '', path: '' }, url: 'ssh://h' }, 'test');
    const conn = new CommandConn('sh', ['-c', 'head -c 10 >/dev/null; printf "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nApi-Version: 1.47\\r\\n\\r\\nok"; cat >/dev/null']);
    (t as unknown as { dial: () => Promise<CommandConn> }).dial = async () => conn;
    const res = await t.request({ method: 'GET', path: '/v1.47/x' });
    assert.equal(res.statusCode, 200);
    assert.equal((await readAll(res)).toString(), 'ok');
    t.close();
  });
});
