import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goalMet, goalText, median, perContainer, ratio, summarize } from './stats.ts';

describe('median', () => {
  const cases: [number[], number][] = [
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1, 1000], 10],
  ];
  for (const [xs, want] of cases) test(`${JSON.stringify(xs)} → ${want}`, () => assert.equal(median(xs), want));
  test('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    assert.deepEqual(xs, [3, 1, 2]);
  });
  test('refuses no samples', () => assert.throws(() => median([]), RangeError));
});

test('summarize', () => {
  assert.deepEqual(summarize([7, 1, 4, 9]), { n: 4, median: 5.5, min: 1, max: 9 });
});

describe('ratio and goal', () => {
  const third = { num: 1, den: 3 };
  const cases: [number | undefined, number | undefined, number | undefined, boolean | undefined][] = [
    [100, 300, 1 / 3, true],
    [101, 300, 101 / 300, false],
    [50, 300, 50 / 300, true],
    [undefined, 300, undefined, undefined],
    [100, undefined, undefined, undefined],
    [100, 0, undefined, undefined],
  ];
  for (const [b, d, r, met] of cases) {
    test(`${b}/${d}`, () => {
      assert.equal(ratio(b, d), r);
      assert.equal(goalMet(ratio(b, d), third), met);
    });
  }
  test('1× goal', () => {
    assert.equal(goalMet(ratio(20, 20), { num: 1, den: 1 }), true);
    assert.equal(goalMet(ratio(21, 20), { num: 1, den: 1 }), false);
  });
  test('goal text', () => {
    assert.equal(goalText({ num: 1, den: 3 }), '≤ 1/3');
    assert.equal(goalText({ num: 1, den: 2 }), '≤ 1/2');
    assert.equal(goalText({ num: 1, den: 1 }), '≤ 1×');
  });
});

test('perContainer', () => {
  assert.equal(perContainer(1000, 6000, 50), 100);
  assert.equal(perContainer(undefined, 6000, 50), undefined);
  assert.equal(perContainer(1000, 6000, 0), undefined);
});
