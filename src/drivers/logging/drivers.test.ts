import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logSetup, mergeLogSettings, probeLogHost } from './drivers.ts';

const noHost = { syslog: false, journald: false };

describe('logging drivers', () => {
  const ok: [string, Record<string, string>, { maxSize: number; maxFile: number; compress: boolean } | undefined][] = [
    ['json-file', {}, { maxSize: 10_000_000, maxFile: 3, compress: false }],
    ['json-file', { 'max-size': '1k', 'max-file': '4', compress: 'true' }, { maxSize: 1000, maxFile: 4, compress: true }],
    ['json-file', { 'max-size': '-1' }, { maxSize: 0, maxFile: 3, compress: false }],
    ['json-file', { 'max-file': '+2', compress: 'false' }, { maxSize: 10_000_000, maxFile: 2, compress: false }],
    ['k8s-file', { 'max-size': '2k' }, { maxSize: 2000, maxFile: 3, compress: false }],
    ['json-file', { labels: 'a,b', env: 'X', 'env-regex': '^X', tag: '{{.Name}}', mode: 'non-blocking', 'max-buffer-size': '4m' }, { maxSize: 10_000_000, maxFile: 3, compress: false }],
    ['local', {}, { maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true }],
    ['local', { 'max-size': '1k', compress: 'false', 'max-file': '0' }, { maxSize: 1000, maxFile: 1, compress: false }],
    ['local', { compress: 'false', 'max-file': '1' }, { maxSize: 20 * 1024 * 1024, maxFile: 1, compress: false }],
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

  // the texts dockerd 20.10 answers (checked against it: test/compat/run-logs.itest.ts); `failed to initialize
  // logging driver: ` is what dockerd's start adds to its driver's New() errors
  const init = 'failed to initialize logging driver: ';
  const bad: [string, Record<string, string>, string, LogHostish?][] = [
    ['gelf', {}, "logger: no log driver named 'gelf' is registered"],
    ['gelf', { mode: 'bad' }, 'logger: logging mode not supported: bad'],
    ['json-file', { bogus: '1' }, "unknown log opt 'bogus' for json-file log driver"],
    ['local', { bogus: '1' }, "unknown log opt 'bogus' for log driver local"],
    ['json-file', { compress: 'true' }, `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
    ['json-file', { compress: 'true', 'max-size': '1k' }, `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
    ['json-file', { compress: 'true', 'max-file': '3' }, `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
    ['json-file', { compress: 'true', 'max-file': '3', 'max-size': '-1' }, `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
    ['json-file', { compress: 'true', 'max-file': '1', 'max-size': '1k' }, `${init}compress cannot be true when max-file is less than 2 or max-size is not set`],
    ['json-file', { compress: 'maybe' }, `${init}strconv.ParseBool: parsing "maybe": invalid syntax`],
    ['json-file', { 'max-size': '0' }, `${init}max-size must be a positive number`],
    ['json-file', { 'max-size': 'abc' }, `${init}invalid size: 'abc'`],
    ['json-file', { 'max-file': 'x' }, `${init}strconv.Atoi: parsing "x": invalid syntax`],
    ['json-file', { 'max-file': ' 2' }, `${init}strconv.Atoi: parsing " 2": invalid syntax`],
    ['json-file', { 'max-file': '0' }, `${init}max-file cannot be less than 1`],
    ['local', { 'max-file': '1' }, `${init}compression cannot be enabled when max file count is 1`],
    ['local', { 'max-file': '0' }, `${init}compression cannot be enabled when max file count is 1`],
    ['local', { 'max-file': '-1' }, `${init}max file count cannot be less than 0`],
    ['local', { 'max-file': 'x' }, `${init}invalid value for max-file: x: strconv.Atoi: parsing "x": invalid syntax`],
    ['local', { 'max-size': 'big' }, `${init}invalid value for max-size: big: invalid size: 'big'`],
    ['local', { 'max-size': '-1' }, `${init}invalid value for max-size: -1: invalid size: '-1'`],
    ['local', { compress: 'x' }, `${init}error reading compress log option: strconv.ParseBool: parsing "x": invalid syntax`],
    ['json-file', { mode: 'fast' }, 'logger: logging mode not supported: fast'],
    ['json-file', { 'max-buffer-size': '1m' }, "logger: max-buffer-size option is only supported with 'mode=non-blocking'"],
    ['json-file', { mode: 'non-blocking', 'max-buffer-size': 'zz' }, "error parsing option max-buffer-size: invalid size: 'zz'"],
    ['syslog', {}, 'Unix syslog delivery error: this host has no syslog service'],
    ['syslog', { 'syslog-bogus': 'x' }, "unknown log opt 'syslog-bogus' for syslog log driver"],
    ['journald', {}, 'failed to initialize logging driver: journald is not enabled on this host'],
    ['journald', {}, 'logging driver "journald" is not supported by berth', { syslog: true, journald: true }],
    ['syslog', {}, 'logging driver "syslog" is not supported by berth', { syslog: true, journald: true }],
  ];
  for (const [driver, opts, msg, host] of bad) {
    it(`refuses ${driver} ${JSON.stringify(opts)}${host ? ' (host has the service)' : ''}`, () => {
      assert.throws(() => logSetup({ Type: driver, Config: opts }, host ?? noHost), (err: Error) => {
        assert.equal(err.name, driver === 'syslog' || driver === 'journald' ? err.name : 'InvalidArgumentError');
        if (msg.startsWith(init) || msg.startsWith('logger:') || msg.startsWith('unknown') || msg.startsWith('error')) assert.equal(err.message, msg);
        else assert.ok(err.message.includes(msg), err.message);
        return true;
      });
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
