import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type HealthState, applyProbeResult, goDuration, mergeHealthcheck, nextProbeDelayMs, probeCommand, validateHealthcheck } from './health.ts';

const S = 1e9;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number, code: number) => ({ Start: new Date(T0 + ms).toISOString(), End: new Date(T0 + ms + 5).toISOString(), ExitCode: code, Output: '' });
const starting: HealthState = { Status: 'starting', FailingStreak: 0, Log: [] };

describe('goDuration', () => {
  for (const [ns, s] of [
    [300e6, '300ms'],
    [1.5 * S, '1.5s'],
    [90 * S, '1m30s'],
    [3600 * S + 1 * S, '1h0m1s'],
    [1e6, '1ms'],
    [0, '0s'],
  ] as const) {
    test(s, () => assert.equal(goDuration(ns), s));
  }
});

describe('applyProbeResult', () => {
  test('three failures → unhealthy (default retries), success resets', () => {
    let st = starting;
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = applyProbeResult(st, at(1000 * (i + 1), 1), {}, T0);
      st = r.state;
      seen.push(`${st.Status}/${st.FailingStreak}/${r.changed}`);
    }
    assert.deepEqual(seen, ['starting/1/false', 'starting/2/false', 'unhealthy/3/true']);
    const ok = applyProbeResult(st, at(5000, 0), {}, T0);
    assert.deepEqual([ok.state.Status, ok.state.FailingStreak, ok.changed], ['healthy', 0, true]);
  });
  test('failures inside the start period do not count while starting', () => {
    const r = applyProbeResult(starting, at(1000, 1), { StartPeriod: 10 * S, Retries: 1 }, T0);
    assert.deepEqual([r.state.Status, r.state.FailingStreak], ['starting', 0]);
    const later = applyProbeResult(starting, at(11_000, 1), { StartPeriod: 10 * S, Retries: 1 }, T0);
    assert.equal(later.state.Status, 'unhealthy');
  });
  test('a healthy container inside the start period counts failures', () => {
    const r = applyProbeResult({ Status: 'healthy', FailingStreak: 0, Log: [] }, at(1000, 2), { StartPeriod: 10 * S, Retries: 1 }, T0);
    assert.equal(r.state.Status, 'unhealthy');
  });
  test('keeps the last 5 results', () => {
    let st = starting;
    for (let i = 0; i < 8; i++) st = applyProbeResult(st, at(i, 0), {}, T0).state;
    assert.equal(st.Log.length, 5);
    assert.equal(st.Log[0]!.Start, at(3, 0).Start);
  });
});

describe('config', () => {
  test('probeCommand', () => {
    assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'exit 1'] }), ['/bin/sh', '-c', 'exit 1']);
    assert.deepEqual(probeCommand({ Test: ['CMD', 'true', 'x'] }), ['true', 'x']);
    assert.equal(probeCommand({ Test: ['NONE'] }), undefined);
    assert.equal(probeCommand({ Test: ['CMD'] }), undefined);
    assert.equal(probeCommand(undefined), undefined);
    assert.deepEqual(probeCommand({ Test: ['CMD-SHELL', 'x'] }, ['/bin/bash', '-lc']), ['/bin/bash', '-lc', 'x']);
  });
  test('merge with the image', () => {
    assert.deepEqual(mergeHealthcheck({ Interval: 2 * S }, { Test: ['CMD', 'true'], Interval: 30 * S, Retries: 7 }), { Test: ['CMD', 'true'], Interval: 2 * S, Timeout: undefined, StartPeriod: undefined, StartInterval: undefined, Retries: 7 });
    assert.deepEqual(mergeHealthcheck({ Test: ['NONE'] }, { Test: ['CMD', 'true'] })!.Test, ['NONE']);
    assert.equal(mergeHealthcheck(undefined, undefined), undefined);
  });
  test('validation', () => {
    assert.throws(() => validateHealthcheck({ Interval: 500_000 }), /Interval in Healthcheck cannot be less than 1ms/);
    assert.throws(() => validateHealthcheck({ Retries: -1 }), /Retries in Healthcheck cannot be negative/);
    assert.throws(() => validateHealthcheck({ StartPeriod: 1 }), /StartPeriod in Healthcheck cannot be less than 1ms/);
    assert.doesNotThrow(() => validateHealthcheck({ Interval: 0, Timeout: 1e6 }));
  });
  test('probe delay: start interval while starting in the start period', () => {
    const h = { Interval: 10 * S, StartPeriod: 60 * S, StartInterval: 1 * S };
    assert.equal(nextProbeDelayMs(h, T0, T0 + 1000, 'starting'), 1000);
    assert.equal(nextProbeDelayMs(h, T0, T0 + 1000, 'healthy'), 10_000);
    assert.equal(nextProbeDelayMs(h, T0, T0 + 61_000, 'starting'), 10_000);
    assert.equal(nextProbeDelayMs({}, T0, T0, 'starting'), 30_000);
  });
});
