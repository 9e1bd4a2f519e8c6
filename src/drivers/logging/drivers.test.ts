import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logSetup, mergeLogSettings, probeLogHost } from './drivers.ts';

const noHost = { syslog: false, journald: false };

describe('logging drivers', () => {
  const ok: [string, Record<string, string>, { maxSize: number; maxFile: number; compress: boolean } | undefined][] = [
    ['json-file', {}, { maxSize: 10_000_000, maxFile: 3, compress: false }],
    ['json-file', { 'max-size': '1k', 'max-file': '4', compress: 'true' }, { maxSize: 1000, maxFile: 4, compress: true }],
    ['json-file', { labels: 'a,b', env: 'X', 'env-regex': '^X', tag: '{{.Name}}', mode: 'non-blocking', 'max-buffer-size': '4m' }, { maxSize: 10_000_000, maxFile: 3, compress: false }],
    ['local', {}, { maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true }],
    ['local', { 'max-size': '1k', compress: 'false', 'max-file': '0' }, { maxSize: 1000, maxFile: 1, compress: false }],
    ['local', { tag: 'x', labels: 'l' }, { maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true }],
    ['none', { anything: 'goes' }, undefined],
  ];
  for (const [driver, opts, want] of ok) {
    it(`${driver} ${JSON.stringify(opts)}`, () => {
      const s = logSetup({ Type: driver, Config: opts }, noHost);
      assert.equal(s.driver, driver);
      assert.deepEqual(s.files, want);
    });
  }

  const bad: [string, Record<string, string>, string, LogHostish?][] = [
    ['gelf', {}, "logger: no log driver named 'gelf' is registered"],
    ['json-file', { bogus: '1' }, "unknown log opt 'bogus' for json-file log driver"],
    ['local', { bogus: '1' }, "unknown log opt 'bogus' for log driver local"],
    ['json-file', { compress: 'true', 'max-file': '1' }, 'compress cannot be true when max-file is less than 2 or max-size is not set'],
    ['json-file', { compress: 'maybe' }, 'strconv.ParseBool: parsing "maybe": invalid syntax'],
    ['local', { 'max-file': '1' }, 'compression cannot be enabled when max file count is 1'],
    ['local', { 'max-size': 'big' }, "invalid value for max-size: big: invalid size: 'big'"],
    ['json-file', { mode: 'fast' }, 'logger: logging mode not supported: fast'],
    ['json-file', { 'max-buffer-size': '1m' }, "logger: max-buffer-size option is only supported with 'mode=non-blocking'"],
    ['syslog', {}, 'Unix syslog delivery error: this host has no syslog service'],
    ['syslog', { 'syslog-bogus': 'x' }, "unknown log opt 'syslog-bogus' for syslog log driver"],
    ['journald', {}, 'failed to initialize logging driver: journald is not enabled on this host'],
    ['journald', {}, 'logging driver "journald" is not supported by berth', { syslog: true, journald: true }],
    ['syslog', {}, 'logging driver "syslog" is not supported by berth', { syslog: true, journald: true }],
  ];
  for (const [driver, opts, msg, host] of bad) {
    it(`refuses ${driver} ${JSON.stringify(opts)}${host ? ' (host has the service)' : ''}`, () => {
      assert.throws(() => logSetup({ Type: driver, Config: opts }, host ?? noHost), (err: Error) => err.message.includes(msg));
    });
  }

  it('merges the daemon defaults only for the daemon driver', () => {
    const daemon = { driver: 'local', opts: { 'max-size': '5m' } };
    assert.deepEqual(mergeLogSettings({ Type: '', Config: {} }, daemon), { Type: 'local', Config: { 'max-size': '5m' } });
    assert.deepEqual(mergeLogSettings({ Type: 'local', Config: { 'max-size': '1m' } }, daemon), { Type: 'local', Config: { 'max-size': '1m' } });
    assert.deepEqual(mergeLogSettings({ Type: 'json-file', Config: {} }, daemon), { Type: 'json-file', Config: {} });
    assert.deepEqual(mergeLogSettings({ Type: '', Config: {} }, { driver: '', opts: {} }), { Type: 'json-file', Config: {} });
  });

  it('probes the host services', () => {
    assert.deepEqual(probeLogHost((p) => p === '/dev/log'), { syslog: true, journald: false });
    assert.deepEqual(probeLogHost((p) => p === '/run/systemd/journal/socket'), { syslog: false, journald: true });
  });
});

type LogHostish = { syslog: boolean; journald: boolean };
