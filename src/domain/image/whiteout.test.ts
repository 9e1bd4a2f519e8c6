import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainIds, sha256 } from './config.ts';
import { classifyTarPath, cleanTarPath, opaqueMarkerFor, whiteoutFor } from './whiteout.ts';

describe('cleanTarPath', () => {
  const cases: [string, string][] = [
    ['./', ''],
    ['.', ''],
    ['/', ''],
    ['./bin/busybox', 'bin/busybox'],
    ['/etc//passwd', 'etc/passwd'],
    ['usr/lib/', 'usr/lib'],
    ['a/./b', 'a/b'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(cleanTarPath(input), want));
  it('refuses ..', () => {
    assert.throws(() => cleanTarPath('../etc/passwd'), /escapes/);
    assert.throws(() => cleanTarPath('a/../../b'), /escapes/);
  });
});

describe('classifyTarPath', () => {
  const cases: [string, unknown][] = [
    ['etc/passwd', { kind: 'entry', path: 'etc/passwd' }],
    ['etc/.wh.passwd', { kind: 'whiteout', path: 'etc/.wh.passwd', target: 'etc/passwd' }],
    ['.wh.tmp', { kind: 'whiteout', path: '.wh.tmp', target: 'tmp' }],
    ['var/.wh..wh..opq', { kind: 'opaque', path: 'var/.wh..wh..opq', dir: 'var' }],
    ['.wh..wh..opq', { kind: 'opaque', path: '.wh..wh..opq', dir: '' }],
    ['x/.wh..wh.plnk', { kind: 'meta', path: 'x/.wh..wh.plnk' }],
    ['x/.whatever', { kind: 'entry', path: 'x/.whatever' }],
  ];
  for (const [input, want] of cases) it(input, () => assert.deepEqual(classifyTarPath(input), want));
});

describe('whiteout names', () => {
  it('round-trips with classifyTarPath', () => {
    for (const p of ['a', 'a/b', 'a/b/.c']) {
      const c = classifyTarPath(whiteoutFor(p));
      assert.equal(c.kind, 'whiteout');
      assert.equal(c.kind === 'whiteout' && c.target, p);
    }
    assert.equal(opaqueMarkerFor('a/b'), 'a/b/.wh..wh..opq');
    assert.equal(opaqueMarkerFor(''), '.wh..wh..opq');
  });
});

describe('chainIds', () => {
  it('follows the OCI definition', () => {
    const a = sha256('a');
    const b = sha256('b');
    const c = sha256('c');
    const ids = chainIds([a, b, c]);
    assert.equal(ids[0], a);
    assert.equal(ids[1], sha256(`${a} ${b}`));
    assert.equal(ids[2], sha256(`${ids[1]} ${c}`));
    assert.deepEqual(chainIds([]), []);
  });
});
