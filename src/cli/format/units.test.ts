import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesSize, fromHumanSize, goDurationString, goFormatG, humanDuration, humanSize, humanSizeWithPrecision, parseGoDuration, ramInBytes } from './units.ts';

describe('HumanDuration', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const table: [number, string][] = [
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * s, '1 second'],
    [2 * s, '2 seconds'],
    [59 * s, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [2 * m, '2 minutes'],
    [59 * m, '59 minutes'],
    [60 * m, 'About an hour'],
    [89 * m, 'About an hour'],
    [90 * m, '2 hours'],
    [47 * h, '47 hours'],
    [48 * h, '2 days'],
    [13 * d, '13 days'],
    [14 * d, '2 weeks'],
    [59 * d, '8 weeks'],
    [60 * d, '2 months'],
    [729 * d, '24 months'],
    [730 * d, '2 years'],
    [3 * 365 * d, '3 years'],
  ];
  for (const [ms, want] of table) it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('sizes (go-units)', () => {
  const table: [number, string, string, string][] = [
    // size, HumanSizeWithPrecision(3), HumanSize, BytesSize
    [0, '0B', '0B', '0B'],
    [999, '999B', '999B', '999B'],
    [1000, '1kB', '1kB', '1000B'],
    [1024, '1.02kB', '1.024kB', '1KiB'],
    [1982298, '1.98MB', '1.982MB', '1.89MiB'],
    [12345, '12.3kB', '12.35kB', '12.06KiB'],
    [123456789, '123MB', '123.5MB', '117.7MiB'],
    [999999, '1e+03kB', '1000kB', '976.6KiB'],
    [8589934592, '8.59GB', '8.59GB', '8GiB'],
    [1e18, '1EB', '1EB', '888.2PiB'],
  ];
  for (const [n, p3, human, bytes] of table) {
    it(String(n), () => {
      assert.equal(humanSizeWithPrecision(n, 3), p3);
      assert.equal(humanSize(n), human);
      assert.equal(bytesSize(n), bytes);
    });
  }
  it('%g formatting', () => {
    assert.equal(goFormatG(1.982298, 3), '1.98');
    assert.equal(goFormatG(4, 3), '4');
    assert.equal(goFormatG(100, 3), '100');
    assert.equal(goFormatG(0.00001234, 3), '1.23e-05');
  });
  it('RAMInBytes / FromHumanSize', () => {
    assert.equal(ramInBytes('512m'), 536870912);
    assert.equal(ramInBytes('1g'), 1073741824);
    assert.equal(ramInBytes('1.5GiB'), 1610612736);
    assert.equal(ramInBytes('64'), 64);
    assert.equal(ramInBytes('10 kb'), 10240);
    assert.equal(fromHumanSize('1.5GB'), 1500000000);
    assert.throws(() => ramInBytes('12q'), { message: "invalid suffix: 'q'" });
    assert.throws(() => ramInBytes('abc'), { message: "invalid size: 'abc'" });
    assert.throws(() => ramInBytes('1mbb'), { message: "invalid suffix: 'mbb'" });
  });
});

describe('Go durations', () => {
  it('parse', () => {
    assert.equal(parseGoDuration('30s'), 30e9);
    assert.equal(parseGoDuration('1h30m'), 5400e9);
    assert.equal(parseGoDuration('1.5s'), 1.5e9);
    assert.equal(parseGoDuration('500ms'), 500e6);
    assert.equal(parseGoDuration('-2m'), -120e9);
    assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
    assert.throws(() => parseGoDuration('1x'), { message: 'time: unknown unit "x" in duration "1x"' });
  });
  it('format', () => {
    assert.equal(goDurationString(0), '0s');
    assert.equal(goDurationString(30e9), '30s');
    assert.equal(goDurationString(5400e9), '1h30m0s');
    assert.equal(goDurationString(1.5e9), '1.5s');
    assert.equal(goDurationString(2e6), '2ms');
  });
});
