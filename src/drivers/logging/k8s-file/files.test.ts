import assert from 'node:assert/strict';
import { link, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { FakeConmonLog } from './fake-conmon.ts';
import { compressLog, openLog } from './open-log.ts';
import { compressRotated, logFiles, prepareLog, removeLog, syncLinks, unstage } from './files.ts';
import { fullFile } from './rotate-now.ts';
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
    assert.deepEqual([files.at(-1)?.path, files.at(-1)?.current], [`${log.path}.5`, true], 'the current file, by its own name');
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
    assert.deepEqual(files.map((f) => [f.path, f.current]), [[`${log.path}.2`, true]]);
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
    assert.deepEqual((await logFiles(log.path)).map((f) => [f.path, f.size]), [[`${log.path}.1`, 0]]);
    await log.write('stdout', 'small');
    await prepareLog(log.path, 1000, 3);
    assert.equal((await logFiles(log.path)).length, 1, 'room left: conmon appends');
    await log.write('stdout', 'x'.repeat(1000));
    await prepareLog(log.path, 1000, 3);
    const files = await logFiles(log.path);
    assert.deepEqual(files.map((f) => f.path), [`${log.path}.1`, `${log.path}.2`]);
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

  it('numbers an unnumbered current file below the staged one (a reopen raced the staging)', async () => {
    const log = new FakeConmonLog(`${dir}/h.log`);
    await prepareLog(log.path, 1000, 10); // h.log = h.log.1, h.log.tmp = h.log.2
    const ready = () => fullFile(log.path, 1) !== 'notReady';
    assert.equal(fullFile(log.path, 1), undefined, 'empty: not full');
    await log.write('stdout', 'first');
    assert.ok(ready());
    // conmon reopens while nothing is staged, and the tracker's staging lands right after it
    await rm(`${log.path}.tmp`);
    await rm(`${log.path}.2`);
    await log.rotate();
    await log.write('stdout', 'x');
    assert.equal(ready(), false, 'the new current file has no number yet');
    await writeFile(`${log.path}.2`, '');
    await link(`${log.path}.2`, `${log.path}.tmp`);
    await log.write('stdout', 'second');
    await syncLinks(log.path, 10);
    assert.ok(ready());
    await log.rotate();
    await log.write('stdout', 'third');
    await syncLinks(log.path, 10);
    const files = await logFiles(log.path);
    assert.deepEqual(files.map((f) => f.seq), [1, 2, 3]);
    const read: string[] = [];
    for await (const e of readLog(log.path, {})) read.push(e.data.toString().trim());
    assert.deepEqual(read, ['first', 'x', 'second', 'third']);
  });

  it('a reader opens the .gz of a rotated file compressed after it was listed', async () => {
    const log = new FakeConmonLog(`${dir}/k.log`);
    await log.write('stdout', 'zipped');
    await writeFile(`${log.path}.1`, await readFile(log.path));
    await compressLog(`${log.path}.1`);
    const fh = await openLog(`${log.path}.1`);
    assert.ok(fh, 'found through its .gz');
    const buf = Buffer.alloc(100);
    const { bytesRead } = await fh.read(buf, 0, 100, 0);
    assert.match(buf.subarray(0, bytesRead).toString(), / F zipped\n$/);
    assert.equal(await openLog(`${log.path}.7`), undefined);
  });

  it('max-file cutting a line in two: readers drop the end whose beginning was deleted', async () => {
    const log = new FakeConmonLog(`${dir}/m.log`);
    const read = async (opts = {}) => {
      const out: string[] = [];
      for await (const e of readLog(log.path, opts)) out.push(`${e.stream}:${e.data.toString()}`);
      return out;
    };
    await prepareLog(log.path, 1000, 2);
    await log.write('stdout', 'a1');
    await log.write('stdout', 'hel', true);
    await log.write('stderr', 'half', true);
    await log.rotate();
    await syncLinks(log.path, 2);
    await log.write('stdout', 'lo');
    await log.write('stderr', 'err', true);
    await log.write('stderr', 'or');
    await log.write('stderr', 'e1');
    await log.write('stdout', 'b1');
    await log.rotate();
    await log.write('stdout', 'c1');
    assert.deepEqual(await read(), ['stdout:a1\n', 'stdout:hello\n', 'stderr:halferror\n', 'stderr:e1\n', 'stdout:b1\n', 'stdout:c1\n']);
    await syncLinks(log.path, 2);
    assert.match(await readFile(`${log.path}.cut`, 'utf8'), /^2 (stdout stderr|stderr stdout)\n$/);
    assert.deepEqual(await read(), ['stderr:e1\n', 'stdout:b1\n', 'stdout:c1\n'], 'no "lo", no "error"');
    assert.deepEqual(await read({ tail: 2 }), ['stdout:b1\n', 'stdout:c1\n'], 'a tail that starts later is not cut');
    // the next prune: the file that goes ended with whole lines, so nothing is cut
    await log.rotate();
    await log.write('stdout', 'd1');
    await syncLinks(log.path, 2);
    assert.deepEqual(await read(), ['stdout:c1\n', 'stdout:d1\n']);
    assert.deepEqual((await readdir(dir)).filter((n) => n === 'm.log.cut'), []);
    await removeLog(log.path);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('m.log')), []);
  });
});
