import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHumanSize } from './options.ts';

describe('log options', () => {
  const sizes: [string, number][] = [
    ['10m', 10_000_000],
    ['10MB', 10_000_000],
    ['1.5k', 1500],
    ['100', 100],
    ['2 g', 2_000_000_000],
    ['3kb', 3000],
  ];
  for (const [s, n] of sizes) it(`parses ${s}`, () => assert.equal(parseHumanSize(s), n));

  it('refuses what go-units refuses, with its message', () => {
    for (const s of ['lots', '-1', '', '1.5.x']) assert.throws(() => parseHumanSize(s), { message: `invalid size: '${s}'` });
  });
});
