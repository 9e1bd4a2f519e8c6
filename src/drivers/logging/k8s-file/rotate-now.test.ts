import assert from 'node:assert/strict';
import { link, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { fullFile, stageNow } from './rotate-now.ts';

describe('rotation hot path', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(`${tmpdir()}/berth-rotnow-`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stages <log>.tmp as a new numbered file, skipping numbers in use, once', async () => {
    const log = `${dir}/a.log`;
    await writeFile(`${log}.3`, 'data');
    await link(`${log}.3`, log);
    await writeFile(`${log}.4`, 'someone else');
    assert.equal(stageNow(log, 3), 5);
    const [tmp, five] = await Promise.all([stat(`${log}.tmp`), stat(`${log}.5`)]);
    assert.equal(tmp.ino, five.ino);
    assert.equal(tmp.size, 0);
    assert.equal(stageNow(log, 6), undefined, 'staged already');
    assert.deepEqual((await readdir(dir)).sort(), ['a.log', 'a.log.3', 'a.log.4', 'a.log.5', 'a.log.tmp']);
  });

  it('a full file is ready only with its number and a numbered staged file', async () => {
    const log = `${dir}/b.log`;
    assert.equal(fullFile(log, 10), undefined, 'no file');
    await writeFile(log, 'x'.repeat(20));
    assert.equal(fullFile(log, 100), undefined, 'not full');
    assert.equal(fullFile(log, 10), 'notReady', 'no number, nothing staged');
    await link(log, `${log}.1`);
    assert.equal(fullFile(log, 10), 'notReady', 'nothing staged');
    await writeFile(`${log}.tmp`, '');
    assert.equal(fullFile(log, 10), 'notReady', 'the staged file has no number (conmon\'s own)');
    await rm(`${log}.tmp`);
    assert.equal(stageNow(log, 2), 2);
    assert.deepEqual(fullFile(log, 10), { ino: (await stat(log)).ino });
  });
});
