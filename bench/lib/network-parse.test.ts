import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDnsperf, parseIperf3, parseWrk, percentile } from './network-parse.ts';

const DNSPERF = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.11 -d /tmp/q.txt -l 3 -c 1 -q 10 -v
[Status] Sending queries (to 127.0.0.11:53)
> NOERROR www A 0.001335
> NOERROR web A 0.000400
> NXDOMAIN nope A 0.002000
> NOERROR web A 0.006690
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         14451
  Queries completed:    14450 (99.99%)
  Queries lost:         1 (0.01%)

  Response codes:       NOERROR 14451 (100.00%)
  Run time (s):         3.006415
  Queries per second:   4806.721627
`;

test('parseDnsperf: totals, rate and per-query latencies', () => {
  const r = parseDnsperf(DNSPERF);
  assert.equal(r.sent, 14451);
  assert.equal(r.completed, 14450);
  assert.equal(r.lost, 1);
  assert.equal(r.qps, 4806.721627);
  assert.deepEqual(
    r.latenciesMs.map((x) => Math.round(x * 1000) / 1000),
    [1.335, 0.4, 2, 6.69],
  );
  assert.deepEqual(r.badCodes, { NXDOMAIN: 1 });
  assert.throws(() => parseDnsperf('dnsperf: error: nothing'), /Queries sent/);
});

test('parseWrk: requests/s and errors', () => {
  const out = `Running 3s test @ http://172.18.0.8:80/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.72ms    5.88ms 108.60ms   93.91%
    Req/Sec     1.90k   616.86     3.16k    70.00%
  5667 requests in 3.01s, 1.27MB read
  Socket errors: connect 2, read 40, write 1, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   1885.57
Transfer/sec:    432.72KB
`;
  assert.deepEqual(parseWrk(out), { requests: 5667, rps: 1885.57, errors: 10 });
  const clean = out.replace(/ {2}Socket errors.*\n {2}Non-2xx.*\n/, '');
  assert.deepEqual(parseWrk(clean), { requests: 5667, rps: 1885.57, errors: 0 });
  assert.throws(() => parseWrk('unable to connect to 203.0.113.1:8080 Network is unreachable'), /requests in/);
});

test('parseIperf3: Gbit/s received, errors', () => {
  assert.equal(parseIperf3(JSON.stringify({ end: { sum_received: { bits_per_second: 7.5e9 } } })), 7.5);
  assert.throws(() => parseIperf3(JSON.stringify({ error: 'unable to connect to server' })), /unable to connect/);
  assert.throws(() => parseIperf3('iperf3: error'), /no JSON/);
});

test('percentile: nearest rank', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile([5], 99), 5);
  assert.equal(percentile([3, 1, 2], 0), 1);
  assert.throws(() => percentile([], 50), RangeError);
});
