import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimestamp } from './timestamp.ts';

describe('--since/--until timestamps (GetTimestamp)', () => {
  const now = Date.UTC(2026, 10, 23, 12, 0, 0);
  it('durations are relative to now, whole seconds', () => {
    assert.equal(parseTimestamp('5s', now), String(now / 1000 - 5));
    assert.equal(parseTimestamp('1h30m', now), String(now / 1000 - 5400));
  });
  it('RFC 3339 with zone', () => {
    assert.equal(parseTimestamp('2013-01-02T13:23:37Z', now), '1357133017.000000000');
    assert.equal(parseTimestamp('2013-01-02T13:23:37.5+01:00', now), '1357129417.500000000');
  });
  it('unix timestamps pass through', () => {
    assert.equal(parseTimestamp('1700000000', now), '1700000000');
    assert.equal(parseTimestamp('1700000000.123', now), '1700000000.123');
  });
  it('garbage is an error', () => {
    assert.throws(() => parseTimestamp('yesterday', now), { message: 'failed to parse value as time or duration: "yesterday"' });
  });
});
