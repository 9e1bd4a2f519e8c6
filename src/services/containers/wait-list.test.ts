import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaitList } from './wait-list.ts';

describe('WaitList', () => {
  it('takes the entries a predicate accepts and keeps the others, per id', () => {
    const w = new WaitList<string>();
    w.add('a', 'next-exit');
    w.add('a', 'removed');
    w.add('b', 'not-running');
    assert.deepEqual(w.take('a', (x) => x !== 'removed'), ['next-exit']);
    assert.equal(w.count('a'), 1);
    assert.deepEqual(w.take('a'), ['removed']);
    assert.equal(w.count('a'), 0);
    assert.deepEqual(w.take('a'), []);
    assert.deepEqual(w.take('b'), ['not-running']);
  });

  it('drops an entry whose signal aborts, and only that one', () => {
    const w = new WaitList<number>();
    const ac = new AbortController();
    let aborted = 0;
    w.add('c', 1, ac.signal, () => aborted++);
    w.add('c', 2);
    ac.abort();
    assert.equal(aborted, 1);
    assert.deepEqual(w.take('c'), [2]);
  });
});
