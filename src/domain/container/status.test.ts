import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration, parseSignal, restartDelayMs, shouldRestart, statusText } from './status.ts';
import { initialState } from './types.ts';

test('humanDuration matches go-units', () => {
  const cases: [number, string][] = [
    [500, 'Less than a second'],
    [1000, '1 second'],
    [59_000, '59 seconds'],
    [60_000, 'About a minute'],
    [119_000, 'About a minute'],
    [120_000, '2 minutes'],
    [3_600_000, 'About an hour'],
    [5 * 3_600_000, '5 hours'],
    [3 * 86_400_000, '3 days'],
    [20 * 86_400_000, '2 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}`);
});

test('status text', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const s = initialState();
  assert.equal(statusText(s, now), 'Created');
  s.StartedAt = '2026-01-01T00:05:00Z';
  s.Running = true;
  assert.equal(statusText(s, now), 'Up 5 minutes');
  s.Paused = true;
  assert.equal(statusText(s, now), 'Up 5 minutes (Paused)');
  s.Running = false;
  s.Paused = false;
  s.ExitCode = 3;
  s.FinishedAt = '2026-01-01T00:09:58Z';
  assert.equal(statusText(s, now), 'Exited (3) 2 seconds ago');
});

test('signals', () => {
  assert.equal(parseSignal('KILL'), 9);
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('hup'), 1);
  assert.equal(parseSignal('10'), 10);
  assert.equal(parseSignal('RTMIN+2'), 36);
  assert.throws(() => parseSignal('BOGUS'), /Invalid signal: BOGUS/);
  assert.throws(() => parseSignal('0'), /Invalid signal: 0/);
});

test('restart policy decisions and back-off', () => {
  assert.equal(shouldRestart({ Name: 'no', MaximumRetryCount: 0 }, 1, 0, false), false);
  assert.equal(shouldRestart({ Name: 'always', MaximumRetryCount: 0 }, 0, 5, false), true);
  assert.equal(shouldRestart({ Name: 'always', MaximumRetryCount: 0 }, 0, 5, true), false);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, 1, 1, false), true);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, 1, 2, false), false);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 0 }, 0, 0, false), false);
  assert.equal(restartDelayMs(0), 100);
  assert.equal(restartDelayMs(3), 800);
  assert.equal(restartDelayMs(20), 60_000);
});
