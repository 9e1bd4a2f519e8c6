import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EscapeError, EscapeMatcher, detachKeysToBytes } from './detach-keys.ts';

describe('detach keys', () => {
  it('parses docker key specs', () => {
    assert.deepEqual([...detachKeysToBytes('ctrl-p,ctrl-q')], [16, 17]);
    assert.deepEqual([...detachKeysToBytes('a,ctrl-@,ctrl-_,DEL')], [97, 0, 31, 127]);
    assert.throws(() => detachKeysToBytes('ctrl-1'), { message: "Unknown character: 'ctrl-1'" });
  });
  it('holds back a matched prefix and releases it when the sequence breaks', () => {
    const m = new EscapeMatcher(Buffer.from([16, 17]));
    assert.deepEqual([...m.feed(Buffer.from([16]))], []);
    assert.deepEqual([...m.feed(Buffer.from('x'))], [16, 120]);
    assert.deepEqual([...m.feed(Buffer.from('hello'))], [...Buffer.from('hello')]);
  });
  it('detects the full sequence typed key by key', () => {
    const m = new EscapeMatcher(Buffer.from([16, 17]));
    m.feed(Buffer.from([16]));
    assert.throws(() => m.feed(Buffer.from([17])), EscapeError);
  });
  it('finds the sequence inside a read; bytes before it are still forwarded', () => {
    const m = new EscapeMatcher(Buffer.from([16, 17]));
    const r = m.scan(Buffer.from([97, 98, 16, 17, 99]));
    assert.deepEqual([...r.out], [97, 98]);
    assert.equal(r.detached, true);
  });
  it('a partial match at the end of a read is held back until the next read decides', () => {
    const m = new EscapeMatcher(Buffer.from([16, 17]));
    assert.deepEqual([...m.scan(Buffer.from([97, 16])).out], [97]);
    assert.deepEqual([...m.scan(Buffer.from([98, 99])).out], [16, 98, 99]);
  });
});
