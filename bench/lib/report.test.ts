import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparisonTable, formatValue, goalTally, type Plan, type SlotInfo } from './report.ts';
import { Results } from './results.ts';

const plan: Plan = { quick: false, runs: 20, batch: 50, psContainers: 200, psRuns: 10, floorRuns: 20, budgetMs: 1 };
const slots: SlotInfo[] = [
  { key: 'berth', title: 'berth (berthd)', command: 'bin/berthd', version: '', startError: undefined },
  { key: 'docker', title: 'docker (dockerd)', command: '/usr/sbin/dockerd', version: '', startError: undefined },
];

test('formatValue', () => {
  assert.equal(formatValue(12.345, 'ms'), '12.3 ms');
  assert.equal(formatValue(612.7, 'ms'), '613 ms');
  assert.equal(formatValue(4560, 's'), '4.56 s');
  assert.equal(formatValue(46694, 'MB'), '45.6 MB');
  assert.equal(formatValue(undefined, 'MB'), '—');
});

test('table rows carry values, ratio, goal and verdict', () => {
  const res = new Results();
  res.set('run', 'berth', 150);
  res.set('run', 'docker', 600);
  res.set('ps', 'berth', 80);
  res.set('ps', 'docker', 40);
  res.set('rssIdle', 'docker', 50 * 1024);
  res.fail('rssIdle', 'berth', new Error('boom'));
  const lines = comparisonTable(plan, slots, res).split('\n');
  assert.equal(lines[0], '| measure | berth (berthd) | docker (dockerd) | berth/docker | goal | met |');
  assert.equal(lines.find((l) => l.includes('docker run --rm')), '| `docker run --rm bb true`, median of 20 | 150 ms | 600 ms | 0.25 | ≤ 1/3 | yes |');
  assert.equal(lines.find((l) => l.includes('ps -a')), '| `docker ps -a` with 200 created containers, median of 10 | 80.0 ms | 40.0 ms | 2.00 | ≤ 1× | no |');
  assert.equal(lines.find((l) => l.startsWith('| RSS of the engine, idle')), '| RSS of the engine, idle | error | 50.0 MB | — | ≤ 1/2 | ? |');
  assert.deepEqual(goalTally(res), { met: 1, checked: 2, unknown: 4 });
});

test('a daemon that did not start shows so in every row', () => {
  const res = new Results();
  res.set('run', 'docker', 600);
  const down = [{ ...slots[0]!, startError: 'exited 1' }, slots[1]!];
  const row = comparisonTable(plan, down, res).split('\n').find((l) => l.includes('docker run --rm'));
  assert.equal(row, '| `docker run --rm bb true`, median of 20 | did not start | 600 ms | — | ≤ 1/3 | ? |');
});
