import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { FakeConmonLog } from './fake-conmon.ts';
import { compressRotated, logFiles, prepareLog, removeLog, syncLinks, unstage } from './files.ts';
import { readLog } from './reader.ts';

describe('log files and rotation links', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-logfiles-`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps max-file inodes while conmon rotates', async () => {
    const log = new FakeConmonLog(`${dir}/a.log`);
    const contents: string[] = [];
    for (let i = 0; i < 5; i++) {
      if (i > 0) await log.rotate();
      await log.write('stdout', `file ${i}`);
      await syncLinks(log.path, 3);
      contents.push(`file ${i}`);
    }
    const files = await logFiles(log.path);
    assert.equal(files.length, 3);
    assert.equal(files.at(-1)?.path, log.path);
    const texts = await Promise.all(files.map((f) => readFile(f.path, 'utf8')));
    assert.deepEqual(texts.map((t) => t.split(' F ')[1]?.trim()), ['file 2', 'file 3', 'file 4']);
    // a.log is a second name of a.log.5; a.log.tmp of the empty a.log.6 that conmon's next rotation will use
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('a.log')).sort(), ['a.log', 'a.log.3', 'a.log.4', 'a.log.5', 'a.log.6', 'a.log.tmp']);
    assert.equal((await readFile(`${dir}/a.log.6`, 'utf8')), '');
    await unstage(log.path);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('a.log')).sort(), ['a.log', 'a.log.3', 'a.log.4', 'a.log.5']);
  });

  it('is idempotent and keeps a single file with max-file 1', async () => {
    const log = new FakeConmonLog(`${dir}/b.log`);
    await log.write('stdout', 'one');
    await syncLinks(log.path, 1);
    await syncLinks(log.path, 1);
    await log.rotate();
    await log.write('stdout', 'two');
    await syncLinks(log.path, 1);
    const files = await logFiles(log.path);
    assert.deepEqual(files.map((f) => f.path), [log.path]);
    assert.match(await readFile(log.path, 'utf8'), / F two\n$/);
  });

  it('lists nothing for a missing log, and removes everything', async () => {
    assert.deepEqual(await logFiles(`${dir}/none.log`), []);
    const log = new FakeConmonLog(`${dir}/c.log`);
    await log.write('stdout', 'x');
    await syncLinks(log.path, 3);
    await log.rotate();
    await syncLinks(log.path, 3);
    await writeFile(`${dir}/c.log.tmp`, '');
    await removeLog(log.path);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('c.log')), []);
  });

  it('prepare creates a numbered file, appends to one with room, starts a new one when full', async () => {
    const log = new FakeConmonLog(`${dir}/d.log`);
    await prepareLog(log.path, 1000, 3);
    assert.deepEqual((await logFiles(log.path)).map((f) => [f.path, f.size]), [[log.path, 0]]);
    await log.write('stdout', 'small');
    await prepareLog(log.path, 1000, 3);
    assert.equal((await logFiles(log.path)).length, 1, 'room left: conmon appends');
    await log.write('stdout', 'x'.repeat(1000));
    await prepareLog(log.path, 1000, 3);
    const files = await logFiles(log.path);
    assert.deepEqual(files.map((f) => f.path), [`${log.path}.1`, log.path]);
    assert.equal(files[1]?.size, 0);
    assert.match(await readFile(`${log.path}.1`, 'utf8'), /F small\n.* F x{1000}\n$/s);
  });

  it('compress: rotated files become <log>.<seq>.gz, readers read them in order, max-file still counts', async () => {
    const log = new FakeConmonLog(`${dir}/g.log`);
    await prepareLog(log.path, 1000, 3, true);
    for (let i = 0; i < 4; i++) {
      if (i > 0) await log.rotate();
      await log.write('stdout', `line ${i}`);
      await syncLinks(log.path, 3);
      await compressRotated(log.path);
    }
    const names = (await readdir(dir)).filter((n) => n.startsWith('g.log')).sort();
    assert.deepEqual(names, ['g.log', 'g.log.2.gz', 'g.log.3.gz', 'g.log.4', 'g.log.5', 'g.log.tmp']);
    const files = await logFiles(log.path);
    assert.deepEqual(files.map((f) => [f.seq, !!f.compressed]), [[2, true], [3, true], [4, false]]);
    const read: string[] = [];
    for await (const e of readLog(log.path, {})) read.push(e.data.toString().trim());
    assert.deepEqual(read, ['line 1', 'line 2', 'line 3']);
    const tail: string[] = [];
    for await (const e of readLog(log.path, { tail: 2 })) tail.push(e.data.toString().trim());
    assert.deepEqual(tail, ['line 2', 'line 3'], '--tail reaches into a compressed file');
    await removeLog(log.path);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('g.log')), []);
  });

  it('survives conmon rotating twice before the tracker runs (the second file gets numbered later)', async () => {
    const log = new FakeConmonLog(`${dir}/e.log`);
    await prepareLog(log.path, 1000, 5);
    await log.write('stdout', 'first');
    await log.rotate(); // uses the staged file
    await log.write('stdout', 'second');
    await log.rotate(); // nothing staged: conmon creates its own file
    await log.write('stdout', 'third');
    await syncLinks(log.path, 5);
    const texts = await Promise.all((await logFiles(log.path)).map((f) => readFile(f.path, 'utf8')));
    assert.deepEqual(texts.map((t) => t.split(' F ')[1]?.trim()), ['first', 'second', 'third']);
  });
});
