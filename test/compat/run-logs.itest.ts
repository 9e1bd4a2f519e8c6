import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Sandbox } from '../support/sandbox.ts';
import { assertExit, assertStderr, eventually, useSandbox } from './helpers.ts';

/**
 * The logging drivers through the stock docker CLI: json-file rotation (max-size, max-file, compress) that never
 * loses a line — bursts far faster than the rotation, `docker logs` and `logs -f` across the rotated files, a
 * daemon killed and restarted under a writing container — the local and none drivers, the daemon's defaults, and
 * dockerd's refusals word for word. Run against dockerd with BERTH_TEST_DAEMON=/usr/sbin/dockerd: dockerd
 * 20.10 gives the same refusals, and fails two of the rotation tests itself (its `logs -f` repeats lines after a
 * rotation; lines written while it is killed are lost beyond its FIFO's buffer), and the local driver's file
 * layout is berth's.
 */
const sandbox = useSandbox({ label: 'logs', daemonArgs: ['--live-restore'] });

const logDir = (sb: Sandbox, id: string) => join(sb.dataRoot, 'containers', id);

/**
 * The json-file log files of a container, each file once (berth's current file also has a numbered name): the
 * current one (`<id>-json.log`) and the rotated ones, plain or gzipped.
 */
function logFiles(sb: Sandbox, id: string): { current: string | undefined; rotated: string[] } {
  const dir = logDir(sb, id);
  const names = readdirSync(dir).filter((n) => /^[0-9a-f]{64}-json\.log(\.\d+(\.gz)?)?$/.test(n));
  const ino = (n: string) => statSync(join(dir, n)).ino;
  const current = names.find((n) => n === `${id}-json.log`);
  const seen = new Set(current ? [ino(current)] : []);
  const rotated = names.filter((n) => n !== current && !seen.has(ino(n)) && seen.add(ino(n)));
  return { current, rotated };
}

/** Asserts `docker logs` output is exactly the numbers from..to, one a line. */
function assertNumbered(out: string, from: number, to: number, what: string): void {
  const got = out.split('\n');
  const want = Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
  if (got.length !== want.length || got.some((l, i) => l !== want[i])) {
    const bad = got.findIndex((l, i) => l !== want[i]);
    assert.fail(`${what}: expected ${from}..${to} (${want.length} lines), got ${got.length} lines; first difference at line ${bad}: ${JSON.stringify(got.slice(Math.max(0, bad - 2), bad + 3))}`);
  }
}

describe('rotation never loses a line', () => {
  test('20000 lines as fast as the container can: every one in order, docker logs and logs -f', async () => {
    const sb = sandbox();
    // the follower starts before the first line; the pause at the end keeps conmon reading while it rotates
    const id = await sb.dockerOk(['run', '-d', '--name', 'burst', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=1000', 'bb', 'sh', '-c', 'sleep 1; seq 1 20000; sleep 1']);
    const follow = sb.dockerSpawn(['logs', '-f', 'burst'], { timeoutMs: 60_000 });
    assert.equal(await sb.dockerOk(['wait', 'burst']), '0');
    const followed = await follow.done;
    assertExit(sb, followed, 0, 'logs -f');
    assertNumbered(followed.stdout.trimEnd(), 1, 20000, 'docker logs -f across the rotations');
    assertNumbered(await sb.dockerOk(['logs', 'burst']), 1, 20000, 'docker logs');
    assertNumbered(await sb.dockerOk(['logs', '--tail', '3', 'burst']), 19998, 20000, 'docker logs --tail 3');
    const { rotated } = logFiles(sb, id);
    assert.ok(rotated.length >= 1, `rotated: ${rotated.join(' ')}`);
    for (const f of rotated) assert.ok(statSync(join(logDir(sb, id), f)).size >= 10_000, `${f} was rotated only once full`);
    await sb.dockerOk(['rm', 'burst']);
  });

  test('a small max-file keeps a contiguous run of lines that ends at the last one', async () => {
    const sb = sandbox();
    // ~4 MB: more than three files can hold, however far past max-size a burst takes them
    const id = await sb.dockerOk(['run', '-d', '--name', 'burst3', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', 'bb', 'sh', '-c', 'seq 1 100000; sleep 1']);
    assert.equal(await sb.dockerOk(['wait', 'burst3']), '0');
    const got = await sb.dockerOk(['logs', 'burst3']);
    const first = Number(got.split('\n')[0]);
    assert.ok(first > 1, `older lines were dropped (first kept: ${first})`);
    assertNumbered(got, first, 100000, 'the kept lines');
    const { current, rotated } = logFiles(sb, id);
    assert.ok(current && rotated.length >= 1 && rotated.length <= 2, `max-file 3: ${current} ${rotated.join(' ')}`);
    await sb.dockerOk(['rm', 'burst3']);
  });

  test('compress=true: the rotated files are gzipped, and docker logs reads through them', async () => {
    const sb = sandbox();
    const id = await sb.dockerOk(['run', '-d', '--name', 'burstgz', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=1000', '--log-opt', 'compress=true', 'bb', 'sh', '-c', 'seq 1 5000; sleep 1; seq 5001 5100']);
    assert.equal(await sb.dockerOk(['wait', 'burstgz']), '0');
    assertNumbered(await sb.dockerOk(['logs', 'burstgz']), 1, 5100, 'docker logs');
    assert.ok(logFiles(sb, id).rotated.length >= 1, `rotated: ${logFiles(sb, id).rotated.join(' ')}`);
    // the last rotation may still be on its way to gzip when the container ends (dockerd compresses behind too)
    await eventually(async () => logFiles(sb, id).rotated.every((n) => n.endsWith('.gz')), 10_000, () => `every rotated file gzipped: ${logFiles(sb, id).rotated.join(' ')}`);
    for (const gz of logFiles(sb, id).rotated) {
      // berth's records (conmon's k8s-file) or dockerd's (JSON), gzipped
      assert.match(gunzipSync(readFileSync(join(logDir(sb, id), gz))).toString(), / F \d+\n|"log":"\d+\\n"/, `${gz}: gzipped log records`);
    }
    assertNumbered(await sb.dockerOk(['logs', '--tail', '5100', 'burstgz']), 1, 5100, 'docker logs --tail reaching into the gzipped files');
    await sb.dockerOk(['rm', 'burstgz']);
  });

  test('a daemon killed and restarted under a writing container: rotation goes on, no line lost', async () => {
    const sb = sandbox();
    const script = 'i=1; while [ $i -le 6000 ]; do echo $i; i=$((i+1)); [ $((i % 200)) = 0 ] && usleep 50000; done; exit 0';
    await sb.dockerOk(['run', '-d', '--name', 'logrestart', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=10000', 'bb', 'sh', '-c', script]);
    await new Promise((r) => setTimeout(r, 300));
    await sb.kill9();
    await new Promise((r) => setTimeout(r, 700)); // it writes on while no daemon watches
    await sb.start();
    assert.equal(await sb.dockerOk(['wait', 'logrestart']), '0');
    assertNumbered(await sb.dockerOk(['logs', 'logrestart']), 1, 6000, 'docker logs across the daemon restart');
    await sb.dockerOk(['rm', 'logrestart']);
  });
});

describe('logging drivers', () => {
  // paced, so that every file ends near max-size (a burst can pass it by what the container writes before the
  // daemon's rotation comes; see the bursts below)
  const lines = (n: number) => `i=0; while [ $i -lt ${n} ]; do echo "line $i padding padding padding"; i=$((i+1)); usleep 5000; done`;

  test('none: no log kept, docker logs says the driver cannot be read', async () => {
    const sb = sandbox();
    const r = await sb.docker(['run', '--name', 'log-none', '--log-driver', 'none', 'bb', 'echo', 'hi']);
    assertExit(sb, r, 0);
    assert.equal(r.stdout, 'hi\n', 'attached output still arrives');
    const logs = await sb.docker(['logs', 'log-none']);
    assertExit(sb, logs, 1);
    assertStderr(sb, logs, 'Error response from daemon: configured logging driver does not support reading');
    const id = await sb.dockerOk(['inspect', '-f', '{{.Id}}', 'log-none']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'log-none']), '{"Type":"none","Config":{}}');
    assert.ok(!readdirSync(logDir(sb, id)).some((n) => n.includes('-json.log')), 'no log file');
    await sb.dockerOk(['rm', 'log-none']);
  });

  test('local: dockerd\'s defaults, rotation with compressed files, logs read across them', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '--name', 'log-local0', '--log-driver', 'local', 'bb', 'true']);
    const cfg = JSON.parse(await sb.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'log-local0']));
    assert.deepEqual(cfg, { Type: 'local', Config: {} });
    await sb.dockerOk(['run', '--name', 'log-local', '--log-driver', 'local', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=3', 'bb', 'sh', '-c', lines(200)]);
    const id = await sb.dockerOk(['inspect', '-f', '{{.Id}}', 'log-local']);
    const files = readdirSync(logDir(sb, id)).filter((n) => n.includes('-json.log'));
    const gz = files.filter((n) => n.endsWith('.gz'));
    assert.equal(gz.length, 2, `two compressed rotations: ${files.join(' ')}`);
    const all = (await sb.dockerOk(['logs', 'log-local'])).split('\n');
    assert.ok(all.length > 15 && all.length < 60, `three files of about 1k: ${all.length} lines`);
    assert.equal(all.at(-1), 'line 199 padding padding padding');
    const first = Number(all[0]!.split(' ')[1]);
    assert.deepEqual(all, Array.from({ length: 200 - first }, (_, i) => `line ${first + i} padding padding padding`), 'in order, none lost between the files');
    assert.equal(await sb.dockerOk(['logs', '--tail', '2', 'log-local']), 'line 198 padding padding padding\nline 199 padding padding padding');
    await sb.dockerOk(['rm', 'log-local', 'log-local0']);
  });

  test('json-file: compress=true gzips rotations; labels, env and tag accepted', async () => {
    const sb = sandbox();
    await sb.dockerOk(['run', '--name', 'log-gz', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=3', '--log-opt', 'compress=true', 'bb', 'sh', '-c', lines(150)]);
    const id = await sb.dockerOk(['inspect', '-f', '{{.Id}}', 'log-gz']);
    assert.ok(readdirSync(logDir(sb, id)).some((n) => n.endsWith('.gz')), 'a compressed rotation');
    const all = (await sb.dockerOk(['logs', 'log-gz'])).split('\n');
    assert.equal(all.at(-1), 'line 149 padding padding padding');
    assert.ok(all.length > 15, `read through the .gz files: ${all.length}`);
    const r = await sb.docker(['run', '--rm', '--log-opt', 'labels=a', '--log-opt', 'env=B', '--log-opt', 'tag={{.Name}}', '--log-opt', 'mode=non-blocking', 'bb', 'echo', 'ok']);
    assertExit(sb, r, 0);
    await sb.dockerOk(['rm', 'log-gz']);
  });

  test('the daemon\'s --log-driver and --log-opt apply to containers that name no driver', async () => {
    await using sb = await Sandbox.create({ label: 'opslog', daemonArgs: ['--log-driver', 'local', '--log-opt', 'max-size=2m'] });
    await sb.importBusybox('bb');
    await sb.dockerOk(['run', '--name', 'dl1', 'bb', 'echo', 'hello']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'dl1']), '{"Type":"local","Config":{"max-size":"2m"}}');
    assert.equal(await sb.dockerOk(['logs', 'dl1']), 'hello');
    await sb.dockerOk(['run', '--name', 'dl2', '--log-driver', 'json-file', 'bb', 'true']);
    assert.equal(await sb.dockerOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'dl2']), '{"Type":"json-file","Config":{}}', 'the daemon\'s options belong to its driver');
    assert.match(await sb.dockerOk(['info', '-f', '{{.LoggingDriver}}']), /^local$/);
  });

  test('refused with dockerd\'s words (exit 125, 400 on the API), nothing left behind', async () => {
    const sb = sandbox();
    const init = 'failed to initialize logging driver: ';
    const cases: [string[], string][] = [
      [['--log-driver', 'gelf'], "logger: no log driver named 'gelf' is registered"],
      [['--log-driver', 'local', '--log-opt', 'foo=bar'], "unknown log opt 'foo' for log driver local"],
      [['--log-opt', 'foo=bar'], "unknown log opt 'foo' for json-file log driver"],
      [['--log-opt', 'mode=bad'], 'logger: logging mode not supported: bad'],
      [['--log-opt', 'max-buffer-size=1m'], "logger: max-buffer-size option is only supported with 'mode=non-blocking'"],
      [['--log-opt', 'mode=non-blocking', '--log-opt', 'max-buffer-size=zz'], "error parsing option max-buffer-size: invalid size: 'zz'"],
      [['--log-opt', 'compress=true'], `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
      [['--log-opt', 'compress=true', '--log-opt', 'max-size=1k'], `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
      [['--log-opt', 'compress=true', '--log-opt', 'max-file=3'], `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
      [['--log-opt', 'compress=maybe', '--log-opt', 'max-file=3', '--log-opt', 'max-size=1k'], `${init}strconv.ParseBool: parsing "maybe": invalid syntax`],
      [['--log-opt', 'max-size=0'], `${init}max-size must be a positive number`],
      [['--log-opt', 'max-size=abc'], `${init}invalid size: 'abc'`],
      [['--log-opt', 'max-file=x'], `${init}strconv.Atoi: parsing "x": invalid syntax`],
      [['--log-opt', 'max-file=0'], `${init}max-file cannot be less than 1`],
      [['--log-driver', 'local', '--log-opt', 'max-file=1'], `${init}compression cannot be enabled when max file count is 1`],
      [['--log-driver', 'local', '--log-opt', 'max-file=0'], `${init}compression cannot be enabled when max file count is 1`],
      [['--log-driver', 'local', '--log-opt', 'max-file=-1'], `${init}max file count cannot be less than 0`],
      [['--log-driver', 'local', '--log-opt', 'max-file=x'], `${init}invalid value for max-file: x: strconv.Atoi: parsing "x": invalid syntax`],
      [['--log-driver', 'local', '--log-opt', 'max-size=x'], `${init}invalid value for max-size: x: invalid size: 'x'`],
      [['--log-driver', 'local', '--log-opt', 'compress=x'], `${init}error reading compress log option: strconv.ParseBool: parsing "x": invalid syntax`],
    ];
    if (!process.env.BERTH_TEST_DAEMON) {
      // berth's messages where dockerd has a driver berth does not (dockerd: "gelf-address is a required parameter")
      cases.push(
        [['--log-driver', 'syslog'], `${init}Unix syslog delivery error: this host has no syslog service (no /dev/log); use --log-opt syslog-address=… or another logging driver`],
        [['--log-driver', 'journald'], `${init}journald is not enabled on this host`],
      );
    }
    for (const [args, msg] of cases) {
      const r = await sb.docker(['run', '--rm', ...args, 'bb', 'true']);
      assertExit(sb, r, 125, args.join(' '));
      // gelf is registered in dockerd, with its own complaint
      if (process.env.BERTH_TEST_DAEMON && args[1] === 'gelf') continue;
      assertStderr(sb, r, `docker: Error response from daemon: ${msg}\n`, args.join(' '));
    }
    // `compress` with rotation and dockerd's explicit max-size and max-file ≥ 2 is fine; local without compression
    // may keep one file
    assertExit(sb, await sb.docker(['run', '--rm', '--log-opt', 'compress=true', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=2', 'bb', 'true']), 0);
    assertExit(sb, await sb.docker(['run', '--rm', '--log-driver', 'local', '--log-opt', 'compress=false', '--log-opt', 'max-file=1', 'bb', 'true']), 0);
    // on the API: berth refuses the create (400) where dockerd creates and then fails the start (500) with the same
    // text; either way no container runs, and berth leaves none behind
    const body = JSON.stringify({ Image: 'bb', Cmd: ['true'], HostConfig: { LogConfig: { Type: 'json-file', Config: { compress: 'true' } } } });
    const created = await sb.request('POST', '/containers/create?name=log-api', { body });
    const message = `${init}compress cannot be true when max-file is less than 2 or max-size is not set`;
    if (process.env.BERTH_TEST_DAEMON) {
      assert.equal(created.status, 201, created.body);
      const started = await sb.request('POST', '/containers/log-api/start');
      assert.deepEqual([started.status, JSON.parse(started.body).message], [500, message]);
      await sb.dockerOk(['rm', 'log-api']);
    } else {
      assert.deepEqual([created.status, JSON.parse(created.body).message], [400, message]);
    }
    assert.equal(await sb.dockerOk(['ps', '-aq', '--filter', 'name=log-api']), '', 'nothing left behind');
  });
});
