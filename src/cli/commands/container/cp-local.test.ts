import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { splitCpArg } from './cp.ts';
import { copyInfoDestinationPath, copyInfoSourcePath, getRebaseName, nameRebaser, prepareArchiveCopy, rebaseArchive, splitPathDirEntry, tarResource, untarLocal } from './cp-local.ts';

describe('splitCpArg', () => {
  const cases: [string, [string, string]][] = [
    ['c1:/etc', ['c1', '/etc']],
    ['/abs:x', ['', '/abs:x']],
    ['./file:name', ['', './file:name']],
    ['file', ['', 'file']],
    ['c1:', ['c1', '']],
  ];
  for (const [arg, want] of cases) it(arg, () => assert.deepEqual(splitCpArg(arg), want));
});

describe('go-archive copy rules', () => {
  it('SplitPathDirEntry', () => {
    assert.deepEqual(splitPathDirEntry('/a/b/'), ['/a', 'b']);
    assert.deepEqual(splitPathDirEntry('/a/b/.'), ['/a/b', '.']);
    assert.deepEqual(splitPathDirEntry('/a'), ['/', 'a']);
  });
  it('GetRebaseName', () => {
    assert.deepEqual(getRebaseName('/x/link', '/target/file'), ['/target/file', 'link']);
    assert.deepEqual(getRebaseName('/x/link/', '/target/dir'), ['/target/dir/', 'link']);
    assert.deepEqual(getRebaseName('/x/file', '/y/file'), ['/y/file', '']);
  });
  const f = (path: string, exists: boolean, isDir: boolean, rebaseName = '') => ({ path, exists, isDir, rebaseName });
  const cases: [string, ReturnType<typeof f>, ReturnType<typeof f>, { dstDir: string; rebase?: [string, string] } | string][] = [
    ['into an existing dir', f('/s/d', true, true), f('/t', true, true), { dstDir: '/t' }],
    ['a dir over an existing file', f('/s/d', true, true), f('/t/f', true, false), 'cannot copy directory'],
    ['a file over an existing file', f('/s/a', true, false), f('/t/b', true, false), { dstDir: '/t', rebase: ['a', 'b'] }],
    ['a dir to a new name', f('/s/d', true, true), f('/t/new', false, false), { dstDir: '/t', rebase: ['d', 'new'] }],
    ['a file to a missing dir', f('/s/a', true, false), f('/t/new/', false, false), 'no such directory'],
    ['a file to a new name, rebased source', f('/s/target', true, false, 'link'), f('/t/n', false, false), { dstDir: '/t', rebase: ['link', 'n'] }],
  ];
  for (const [name, src, dst, want] of cases) {
    it(`PrepareArchiveCopy: ${name}`, () => {
      if (typeof want === 'string') assert.throws(() => prepareArchiveCopy(src, dst), new RegExp(want));
      else assert.deepEqual(prepareArchiveCopy(src, dst), want);
    });
  }
  it('name rebaser', () => {
    const r = nameRebaser('d', 'new');
    assert.equal(r('d/'), 'new/');
    assert.equal(r('d/x'), 'new/x');
    assert.equal(r('dx/y'), 'dx/y');
    assert.equal(nameRebaser('', 'p')('/a'), 'p/a');
  });
});

describe('local tar round trip', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-cp-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a tree through tarResource, rebaseArchive and untarLocal', async () => {
    const src = join(root, 'src', 'd');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a'), 'A');
    writeFileSync(join(src, 'sub', 'b'), 'B');
    linkSync(join(src, 'a'), join(src, 'hard'));
    symlinkSync('a', join(src, 'soft'));
    const info = await copyInfoSourcePath(src, false);
    assert.deepEqual(info, { path: src, exists: true, isDir: true, rebaseName: '' });
    const out = join(root, 'out');
    mkdirSync(out);
    const dst = await copyInfoDestinationPath(join(out, 'copy'));
    assert.deepEqual(dst, { path: join(out, 'copy'), exists: false, isDir: false, rebaseName: '' });
    const { dstDir, rebase } = prepareArchiveCopy(info, dst);
    await untarLocal(rebaseArchive(tarResource(info), rebase![0], rebase![1]), dstDir);
    assert.equal(readFileSync(join(out, 'copy', 'sub', 'b'), 'utf8'), 'B');
    assert.equal(readlinkSync(join(out, 'copy', 'soft')), 'a');
    assert.equal(statSync(join(out, 'copy', 'hard')).ino, statSync(join(out, 'copy', 'a')).ino);
    // again into the existing directory: a file may not replace the directory "copy/sub"
    writeFileSync(join(root, 'sub'), 'file');
    const fileInfo = await copyInfoSourcePath(join(root, 'sub'), false);
    await assert.rejects(untarLocal(tarResource(fileInfo), join(out, 'copy')), /cannot overwrite directory "sub" with non-directory/);
  });
});
