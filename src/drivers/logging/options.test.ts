import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHumanSize, parseLogOpts } from './options.ts';

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

  const cases: { opts: Record<string, string>; want: { maxSize: number; maxFile: number } }[] = [
    { opts: {}, want: { maxSize: 10_000_000, maxFile: 3 } },
    { opts: { 'max-size': '1m' }, want: { maxSize: 1_000_000, maxFile: 3 } },
    { opts: { 'max-size': '-1' }, want: { maxSize: 0, maxFile: 3 } },
    { opts: { 'max-file': '5', 'max-size': '2k' }, want: { maxSize: 2000, maxFile: 5 } },
  ];
  for (const c of cases) it(`configures ${JSON.stringify(c.opts)}`, () => assert.deepEqual(parseLogOpts(c.opts), c.want));

  const bad: { opts: Record<string, string>; msg: string }[] = [
    { opts: { 'max-size': 'lots' }, msg: "invalid size: 'lots'" },
    { opts: { 'max-size': '0' }, msg: 'max-size must be a positive number' },
    { opts: { 'max-file': '0' }, msg: 'max-file cannot be less than 1' },
    { opts: { 'max-file': 'x' }, msg: 'strconv.Atoi: parsing "x": invalid syntax' },
    { opts: { bogus: '1' }, msg: "unknown log opt 'bogus' for json-file log driver" },
  ];
  for (const c of bad) it(`rejects ${JSON.stringify(c.opts)}`, () => assert.throws(() => parseLogOpts(c.opts), { message: c.msg }));
});
