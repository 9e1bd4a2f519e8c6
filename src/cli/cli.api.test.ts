/**
 * API-level tests: bin/berth runs as a child process against a fake Engine API server on a unix socket; the
 * tests check the request sequences docker's CLI makes (engine-api-wire-compat.md §2, §3.4, §5) and the output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FakeEngine as FakeEngineType } from '../client/testing/fake-engine.ts';
import { FakeEngine, frame, sendError, sendJson } from '../client/testing/fake-engine.ts';
import { berth } from './testing/run-cli.ts';
import { setup } from './testing/world.ts';

const ID = 'c0ffee'.padEnd(64, '1');

async function withEngine<T>(configure: (e: FakeEngineType) => void, fn: (e: FakeEngineType) => Promise<T>): Promise<T> {
  const e = await FakeEngine.start();
  try {
    configure(e);
    return await fn(e);
  } finally {
    await e.close();
  }
}

describe('berth run', () => {
  it('run --rm: create → attach (101) → wait?condition=removed → start; output and exit code from wait', async () => {
    await withEngine(setup, async (e) => {
      const r = await berth(['-H', e.host, 'run', '--rm', 'bb', 'echo', 'hi']);
      assert.deepEqual(e.calls(), [
        'POST /containers/create',
        `POST /containers/${ID}/attach?stderr=1&stdout=1&stream=1`,
        `POST /containers/${ID}/wait?condition=removed`,
        `POST /containers/${ID}/start`,
      ]);
      assert.equal(r.stdout, 'hello\n');
      assert.equal(r.stderr, 'WARNING: w1\noops\n');
      assert.equal(r.code, 3);
      const create = e.requests.find((x) => x.path === '/containers/create')!;
      assert.equal(create.version, '1.47');
      const body = JSON.parse(create.body.toString());
      assert.deepEqual(body.Cmd, ['echo', 'hi']);
      assert.equal(body.HostConfig.AutoRemove, true);
      assert.deepEqual(Object.keys(body.NetworkingConfig.EndpointsConfig), ['default']);
      const attach = e.requests.find((x) => x.path.endsWith('/attach'))!;
      assert.equal(attach.headers.upgrade, 'tcp');
    });
  });

  it('run -d: create → wait?condition=next-exit → start, prints the ID, exit 0', async () => {
    await withEngine(setup, async (e) => {
      const r = await berth(['-H', e.host, 'run', '-d', '--name', 't1', 'bb', 'sleep', '1000']);
      assert.deepEqual(e.calls(), ['POST /containers/create?name=t1', `POST /containers/${ID}/wait?condition=next-exit`, `POST /containers/${ID}/start`]);
      assert.equal(r.stdout, `${ID}\n`);
      assert.equal(r.code, 0);
    });
  });

  it('missing image: "Unable to find image", pull with fromImage/tag, create again', async () => {
    let creates = 0;
    await withEngine(
      (e) => {
        setup(e);
        e.on('POST', '/containers/create', ({ res }) => {
          creates++;
          if (creates === 1) sendError(res, 404, 'No such image: busybox:latest');
          else sendJson(res, 201, { Id: ID, Warnings: [] });
        });
      },
      async (e) => {
        const r = await berth(['-H', e.host, 'run', '-d', 'busybox']);
        assert.deepEqual(e.calls().slice(0, 3), [
          'POST /containers/create',
          'POST /images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest',
          'POST /containers/create',
        ]);
        assert.equal(e.requests.find((x) => x.path === '/images/create')!.headers['x-registry-auth'], 'e30=');
        assert.match(r.stderr, /^Unable to find image 'busybox:latest' locally\nlatest: Pulling from library\/bb\nb57aa649765e: Pulling fs layer\nb57aa649765e: Pull complete\n/);
        assert.equal(r.code, 0);
      },
    );
  });

  it('start errors map to 127 (not found), 126 (permission), 125 (other)', async () => {
    for (const [msg, code] of [
      ['failed to create task: exec: "nope": executable file not found in $PATH', 127],
      ['OCI runtime create failed: exec /x: permission denied', 126],
      ['something else', 125],
    ] as const) {
      await withEngine(
        (e) => {
          setup(e);
          e.on('POST', '/containers/:id/start', ({ res }) => sendError(res, 400, msg));
        },
        async (e) => {
          const r = await berth(['-H', e.host, 'run', 'bb', 'nope']);
          assert.equal(r.code, code);
          assert.ok(r.stderr.endsWith(`berth: Error response from daemon: ${msg}\n\nRun 'berth run --help' for more information\n`), r.stderr);
        },
      );
    }
  });

  it('flag errors exit 125 before any request', async () => {
    await withEngine(setup, async (e) => {
      const r = await berth(['-H', e.host, 'run', '--foo', 'x']);
      assert.equal(r.code, 125);
      assert.equal(r.stderr, "unknown flag: --foo\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n");
      assert.deepEqual(e.requests, []);
    });
  });

  it('the command after the image keeps its own flags', async () => {
    await withEngine(setup, async (e) => {
      await berth(['-H', e.host, 'create', 'bb', 'ls', '-la', '--name', 'x']);
      const body = JSON.parse(e.requests.find((x) => x.path === '/containers/create')!.body.toString());
      assert.deepEqual(body.Cmd, ['ls', '-la', '--name', 'x']);
    });
  });
});

describe('berth ps / logs / exec', () => {
  it('ps: GET /containers/json with docker query encoding; table output', async () => {
    await withEngine(setup, async (e) => {
      const r = await berth(['-H', e.host, 'ps', '-a', '-n', '2', '--filter', 'label=app=x', '-f', 'status=running']);
      assert.deepEqual(e.calls(), ['GET /containers/json?all=1&filters=%7B%22label%22%3A%7B%22app%3Dx%22%3Atrue%7D%2C%22status%22%3A%7B%22running%22%3Atrue%7D%7D&limit=2']);
      const [header, row] = r.stdout.split('\n');
      assert.match(header!, /^CONTAINER ID {3}IMAGE {7}COMMAND {8}CREATED +STATUS {7}PORTS {5}NAMES$/);
      assert.match(row!, /^c0ffee111111 {3}bb:latest {3}"sleep 1000" {3}\d+ \w+ ago +Up 2 hours {13}t1$/);
      assert.equal(header!.indexOf('STATUS'), row!.indexOf('Up 2 hours'));
    });
  });

  it('logs: inspect for Config.Tty, then logs by full ID, demultiplexed to stdout/stderr', async () => {
    await withEngine(setup, async (e) => {
      const r = await berth(['-H', e.host, 'logs', '--tail', '2', 't1']);
      assert.deepEqual(e.calls(), ['GET /containers/t1/json', `GET /containers/${ID}/logs?stderr=1&stdout=1&tail=2`]);
      assert.equal(r.stdout, 'out1\nout2\n');
      assert.equal(r.stderr, 'err1\n');
    });
  });

  it('exec: inspect → exec create → exec start (101) → exec inspect; exit code from ExitCode', async () => {
    await withEngine(setup, async (e) => {
      const r = await berth(['-H', e.host, 'exec', 't1', 'echo', 'hi']);
      const EXEC = 'e'.repeat(64);
      assert.deepEqual(e.calls(), ['GET /containers/t1/json', 'POST /containers/t1/exec', `POST /exec/${EXEC}/start`, `GET /exec/${EXEC}/json`]);
      const create = e.requests.find((x) => x.path === '/containers/t1/exec')!;
      assert.equal(
        create.body.toString(),
        '{"User":"","Privileged":false,"Tty":false,"AttachStdin":false,"AttachStderr":true,"AttachStdout":true,"Detach":false,"DetachKeys":"","Env":null,"WorkingDir":"","Cmd":["echo","hi"]}\n',
      );
      const start = e.requests.find((x) => x.path.endsWith('/start'))!;
      assert.equal(start.body.toString(), '{"Detach":false,"Tty":false}\n');
      assert.equal(r.stdout, 'hello\n');
      assert.equal(r.stderr, 'oops\n');
      assert.equal(r.code, 5);
    });
  });

  it('exec -i sends stdin and then half-closes', async () => {
    let received = '';
    await withEngine(
      (e) => {
        setup(e);
        e.onHijack('POST', '/exec/:id/start', ({ socket, upgrade }) => {
          upgrade();
          socket.on('data', (d: Buffer) => (received += d.toString()));
          socket.on('end', () => socket.end(frame(1, `got ${received.length} bytes\n`)));
        });
      },
      async (e) => {
        const r = await berth(['-H', e.host, 'exec', '-i', 't1', 'cat'], { input: 'some input\n' });
        assert.equal(received, 'some input\n');
        assert.equal(r.stdout, 'got 11 bytes\n');
      },
    );
  });
});

describe('errors and exit codes', () => {
  let e: FakeEngineType;
  before(async () => {
    e = await FakeEngine.start();
    setup(e);
  });
  after(async () => {
    await e.close();
  });

  it('daemon errors print "Error response from daemon" and exit 1', async () => {
    const r = await berth(['-H', e.host, 'stop', 'nosuch']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: No such container: nosuch\n');
  });
  it('argument count errors exit 1 with usage', async () => {
    const r = await berth(['-H', e.host, 'logs']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "berth: 'berth logs' requires 1 argument\n\nUsage:  berth logs [OPTIONS] CONTAINER\n\nRun 'berth logs --help' for more information\n");
  });
  it('unreachable daemon', async () => {
    const r = await berth(['-H', 'unix:///nonexistent/berth.sock', 'ps']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Cannot connect to the berth daemon at unix:///nonexistent/berth.sock. Is the berth daemon running?\n');
  });
  it('BERTH_HOST is used when -H is absent', async () => {
    const r = await berth(['ps', '-q'], { env: { BERTH_HOST: e.host } });
    assert.equal(r.stdout, 'c0ffee111111\n');
  });
  it('inspect -f over the raw JSON; unknown objects fall through the type chain', async () => {
    const ok = await berth(['-H', e.host, 'inspect', '-f', '{{.State.Status}} {{.Config.Image}}', 't1']);
    assert.equal(ok.stdout, 'running bb:latest\n');
    const before = e.requests.length;
    const miss = await berth(['-H', e.host, 'inspect', 'nosuch']);
    assert.equal(miss.code, 1);
    assert.equal(miss.stdout, '[]\n');
    assert.equal(miss.stderr, 'Error: No such object: nosuch\n');
    const tried = e.requests.slice(before).filter((x) => x.path !== '/_ping').map((x) => x.path);
    assert.deepEqual(tried, ['/containers/nosuch/json', '/images/nosuch/json', '/networks/nosuch', '/volumes/nosuch', '/info', '/plugins/nosuch/json']);
  });
});

describe('berth system dial-stdio (the remote end of ssh:// hosts)', () => {
  it('relays stdin to the daemon and the answer to stdout; stdin\'s end half-closes, the daemon\'s close ends it', async () => {
    await withEngine(setup, async (e) => {
      // a keep-alive request: only the half-close after stdin's end makes the server finish the connection
      const request = 'GET /v1.47/containers/json HTTP/1.1\r\nHost: docker.example.com\r\n\r\n';
      const t0 = Date.now();
      const r = await berth(['system', 'dial-stdio'], { env: { BERTH_HOST: e.host }, input: request, timeoutMs: 8000 });
      assert.equal(r.code, 0, r.stderr);
      // well before the server's 5 s keep-alive timeout, which would end the connection all the same
      assert.ok(Date.now() - t0 < 4000, `dial-stdio took ${Date.now() - t0} ms: the half-close did not reach the daemon`);
      assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(r.stdout, /"Names":\["\/t1"\]/);
      assert.equal(r.stderr, '');
    });
  });
  it('no daemon: docker\'s "failed to open the raw stream connection"', async () => {
    const r = await berth(['-H', 'unix:///nonexistent/berth.sock', 'system', 'dial-stdio'], { input: '' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'failed to open the raw stream connection: dial unix /nonexistent/berth.sock: connect: no such file or directory\n');
  });
  it('is hidden from the system help', async () => {
    const r = await berth(['system', '--help']);
    assert.doesNotMatch(r.stdout, /dial-stdio/);
  });
});
