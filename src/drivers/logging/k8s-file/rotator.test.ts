import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { FakeConmonLog } from './fake-conmon.ts';
import { logFiles, prepareLog } from './files.ts';
import { readLog } from './reader.ts';
import { BACKSTOP_MIN, LogRotator, conmonLogSizeMax } from './rotator.ts';

async function lines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readLog(path, {})) out.push(e.data.toString().trimEnd());
  return out;
}

/** conmon's ctl: reopens the fake log, and refuses once the container exited (conmon is gone). */
function ctl(log: FakeConmonLog) {
  let gone = false;
  return {
    reopen: async () => {
      if (gone) throw new Error('ENXIO');
      await log.reopen();
    },
    exit: async () => {
      gone = true;
      await log.idle();
    },
  };
}

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe('daemon-driven log rotation', () => {
  let dir = '';
  let n = 0;
  const fresh = async (maxSize: number, maxFile: number, compress = false) => {
    const d = `${dir}/${++n}`;
    await mkdir(d);
    const log = new FakeConmonLog(`${d}/ctr.log`);
    await prepareLog(log.path, maxSize, maxFile, compress);
    return log;
  };
  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-logrot-`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('conmon\'s own limit is a backstop far above max-size', () => {
    assert.equal(conmonLogSizeMax(0), 0);
    assert.equal(conmonLogSizeMax(10_000), BACKSTOP_MIN);
    assert.equal(conmonLogSizeMax(1e9), 4e9);
  });

  it('a burst far faster than the rotator loses nothing: every line, in order, across many files', async () => {
    const log = await fresh(400, 1000);
    const c = ctl(log);
    const rot = new LogRotator(log.path, { maxSize: 400, maxFile: 1000 }, c.reopen);
    // as fast as one writer goes: the rotator's events and reopens come in between, at their own pace
    for (let i = 1; i <= 3000; i++) await log.write('stdout', `line ${i}`);
    await c.exit();
    await rot.close({ stopped: true });
    assert.deepEqual(await lines(log.path), numbered(1, 3000));
    const files = await logFiles(log.path);
    assert.ok(files.length > 3, `rotated: ${files.length} files`);
    assert.equal(log.reopens, files.length - 1, 'one reopen per rotated file');
    for (const f of files.slice(0, -1)) assert.ok(f.size >= 400, `${f.path} rotated only once full (${f.size} bytes)`);
    assert.ok(!(await readdir(`${dir}/${n}`)).includes('ctr.log.tmp'), 'stopped: nothing staged any more');
  });

  it('with a small max-file the kept lines are a contiguous suffix ending at the last line', async () => {
    const log = await fresh(400, 3);
    const c = ctl(log);
    const rot = new LogRotator(log.path, { maxSize: 400, maxFile: 3 }, c.reopen);
    for (let i = 1; i <= 2000; i++) await log.write('stdout', `line ${i}`);
    await c.exit();
    await rot.close({ stopped: true });
    const got = await lines(log.path);
    assert.ok(got.length > 0 && got.length < 2000, `${got.length} lines kept`);
    const first = Number(got[0]!.split(' ')[1]);
    assert.deepEqual(got, numbered(first, 2000));
    assert.ok((await logFiles(log.path)).length <= 3);
  });

  it('compress: rotated files are gzipped and read back in order', async () => {
    const log = await fresh(400, 1000, true);
    const c = ctl(log);
    const rot = new LogRotator(log.path, { maxSize: 400, maxFile: 1000, compress: true }, c.reopen);
    for (let i = 1; i <= 500; i++) await log.write('stdout', `line ${i}`);
    await c.exit();
    await rot.close({ stopped: true });
    const files = await logFiles(log.path);
    assert.ok(files.slice(0, -1).every((f) => f.compressed), 'every rotated file is compressed');
    assert.ok(files.length > 2);
    assert.deepEqual(await lines(log.path), numbered(1, 500));
  });

  it('asks again when conmon was not listening, and keeps the staged file on a daemon shutdown', async () => {
    const log = await fresh(200, 100);
    let refused = 2;
    const rot = new LogRotator(log.path, { maxSize: 200, maxFile: 100 }, async () => {
      if (refused-- > 0) throw new Error('ENXIO');
      await log.reopen();
    });
    for (let i = 1; i <= 60; i++) {
      await log.write('stdout', `line ${i}`);
      await rot.settled();
    }
    await log.idle();
    await rot.close();
    assert.ok(log.reopens >= 2, `rotated after the refusals: ${log.reopens}`);
    assert.deepEqual(await lines(log.path), numbered(1, 60));
    assert.ok((await readdir(`${dir}/${n}`)).includes('ctr.log.tmp'), 'conmon still runs: the next file stays staged');
  });

  it('a backstop rotation by conmon itself in the middle keeps its file too', async () => {
    const log = await fresh(300, 100);
    const c = ctl(log);
    const rot = new LogRotator(log.path, { maxSize: 300, maxFile: 100 }, c.reopen);
    for (let i = 1; i <= 400; i++) {
      await log.write('stdout', `line ${i}`);
      // conmon past its own --log-size-max: a reopen nobody asked for
      if (i % 97 === 0) await log.reopen();
    }
    await c.exit();
    await rot.close({ stopped: true });
    assert.deepEqual(await lines(log.path), numbered(1, 400));
  });
});
