import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyncParser, parseSyncLine } from './sync.ts';

describe('conmon sync messages', () => {
  it('parses pid, error and exit messages', () => {
    assert.deepEqual(parseSyncLine('{"data": 27488}'), { data: 27488 });
    assert.deepEqual(parseSyncLine('{"data": -1, "message": "crun: x\\n"}'), { data: -1, message: 'crun: x\n' });
    assert.deepEqual(parseSyncLine('{"exit_code": 3}'), { data: 3 });
  });
  it('rejects garbage', () => {
    assert.throws(() => parseSyncLine('nope'), /malformed/);
    assert.throws(() => parseSyncLine('{"x":1}'), /malformed/);
  });
  it('splits a stream into messages across chunk boundaries', () => {
    const p = new SyncParser();
    assert.deepEqual(p.push('{"data": 1'), []);
    assert.deepEqual(p.push('2}\n{"data": 0}\n{"da'), [{ data: 12 }, { data: 0 }]);
    assert.equal(p.rest(), '{"da');
    assert.deepEqual(p.push(Buffer.from('ta": -2, "message": "m"}\n')), [{ data: -2, message: 'm' }]);
  });
});
