import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { FakeConmonLog } from './fake-conmon.ts';
import { type LogFile, logFiles } from './files.ts';
import { findTailStart, linesBackward } from './tail.ts';

describe('tail', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-tail-`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads lines backwards across chunk boundaries and skips an unterminated end', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'y'.repeat(i % 97)}`);
    await writeFile(`${dir}/b`, `${lines.join('\n')}\nunterminated`);
    const fh = await open(`${dir}/b`, 'r');
    const got: string[] = [];
    for await (const { line } of linesBackward(fh, (await fh.stat()).size)) got.push(line.toString());
    await fh.close();
    assert.deepEqual(got, [...lines].reverse());
  });

  it('handles a line longer than a chunk', async () => {
    const long = 'z'.repeat(200_000);
    await writeFile(`${dir}/c`, `a\n${long}\nb\n`);
    const fh = await open(`${dir}/c`, 'r');
    const got: { line: string; end: number }[] = [];
    for await (const l of linesBackward(fh, (await fh.stat()).size)) {
      got.push({ line: l.line.toString() === long ? '<long>' : l.line.toString(), end: l.end });
    }
    await fh.close();
    assert.deepEqual(got, [
      { line: 'b', end: 200_005 },
      { line: '<long>', end: 200_003 },
      { line: 'a', end: 2 },
    ]);
  });

  it('counts entries (P… F) back from the end, across files', async () => {
    const log = new FakeConmonLog(`${dir}/t.log`);
    await writeFile(`${log.path}.1`, '');
    const old = new FakeConmonLog(`${log.path}.1`);
    await old.write('stdout', 'e1');
    await old.write('stdout', 'e2a', true);
    await old.write('stdout', 'e2b');
    await log.write('stdout', 'e3');
    await log.write('stderr', 'e4');
    await log.write('stdout', 'e5-unfinished', true);
    const files: LogFile[] = await logFiles(log.path);
    assert.equal(files.length, 2);
    const cases: [number, { file: number; offset: number }][] = [
      [0, { file: 2, offset: 0 }],
      [1, { file: 1, offset: files[1]!.size - FakeConmonLog.line(0n, 'stdout', 'e5-unfinished', true).length }],
      [3, { file: 1, offset: 0 }],
      [4, { file: 0, offset: FakeConmonLog.line(0n, 'stdout', 'e1').length }],
      [5, { file: 0, offset: 0 }],
      [99, { file: 0, offset: 0 }],
    ];
    for (const [n, want] of cases) assert.deepEqual(await findTailStart(files, n), want, `tail ${n}`);
  });

  it('counts a line split over two files (a reopen between its pieces) once', async () => {
    const log = new FakeConmonLog(`${dir}/s.log`);
    await writeFile(`${log.path}.1`, '');
    const old = new FakeConmonLog(`${log.path}.1`);
    await old.write('stdout', 'a');
    await old.write('stdout', 'b-begin', true);
    await log.write('stdout', 'b-end');
    await log.write('stdout', 'c');
    const files: LogFile[] = await logFiles(log.path);
    const aLen = FakeConmonLog.line(0n, 'stdout', 'a').length;
    assert.deepEqual(await findTailStart(files, 1), { file: 1, offset: FakeConmonLog.line(0n, 'stdout', 'b-end').length });
    assert.deepEqual(await findTailStart(files, 2), { file: 0, offset: aLen }, 'b begins in the older file');
    assert.deepEqual(await findTailStart(files, 3), { file: 0, offset: 0 });
  });
});
