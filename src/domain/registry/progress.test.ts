import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auxLine, errorLine, humanSize, layerProgress, layerStatus, progressText, progressThrottle, statusLine } from './progress.ts';

describe('humanSize (go-units, decimal, 4 significant digits)', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [527, '527B'],
    [999, '999B'],
    [1000, '1kB'],
    [65536, '65.54kB'],
    [4065909, '4.066MB'],
    [100_000, '100kB'],
    [999_999, '1000kB'],
    [1_500_000_000, '1.5GB'],
    [2 ** 53, '9.007PB'],
  ];
  for (const [n, s] of cases) it(`${n} → ${s}`, () => assert.equal(humanSize(n), s));
});

describe('progressText (jsonmessage bar at 200 columns)', () => {
  it('renders the bar and sizes as dockerd streams them', () => {
    assert.equal(progressText(65536, 4065909), `[>${' '.repeat(50)}]  65.54kB/4.066MB`);
    assert.equal(progressText(4065909, 4065909), `[${'='.repeat(50)}>]  4.066MB/4.066MB`);
    assert.equal(progressText(2032955, 4065909), `[${'='.repeat(25)}>${' '.repeat(25)}]  2.033MB/4.066MB`);
  });
  it('drops the total when current passes it, and the bar without a total', () => {
    assert.equal(progressText(5000, 4000), `[${'='.repeat(50)}>]      5kB`);
    assert.equal(progressText(1234, 0), ' 1.234kB');
    assert.equal(progressText(0, 0), '');
  });
  it('has no bar on narrow terminals', () => {
    assert.equal(progressText(65536, 4065909, 80), ' 65.54kB/4.066MB');
  });
});

describe('message shapes', () => {
  it('keeps dockerd key order and omits zero counts', () => {
    assert.equal(JSON.stringify(statusLine('Pulling from bb2', 'v1')), '{"status":"Pulling from bb2","id":"v1"}');
    assert.equal(JSON.stringify(statusLine('Digest: sha256:x')), '{"status":"Digest: sha256:x"}');
    assert.equal(JSON.stringify(layerStatus('b57aa649765e', 'Pulling fs layer')), '{"status":"Pulling fs layer","progressDetail":{},"id":"b57aa649765e"}');
    assert.equal(
      JSON.stringify(layerProgress('b57aa649765e', 'Downloading', 65536, 4065909)),
      `{"status":"Downloading","progressDetail":{"current":65536,"total":4065909},"progress":"[>${' '.repeat(50)}]  65.54kB/4.066MB","id":"b57aa649765e"}`,
    );
    assert.equal(JSON.stringify(layerProgress('x', 'Pushing', 0, 10)), '{"status":"Pushing","progressDetail":{"total":10},"progress":"[>' + ' '.repeat(50) + ']       0B/10B","id":"x"}');
    assert.equal(JSON.stringify(auxLine({ Tag: 'v1', Digest: 'sha256:a', Size: 527 })), '{"progressDetail":{},"aux":{"Tag":"v1","Digest":"sha256:a","Size":527}}');
    assert.equal(JSON.stringify(errorLine('boom')), '{"errorDetail":{"message":"boom"},"error":"boom"}');
  });
});

describe('progressThrottle', () => {
  it('reports every 1% (below 512 kB) at most every 100 ms, and always the end', () => {
    let t = 0;
    const report = progressThrottle(10_000, () => t);
    assert.equal(report(50), false, 'less than 1%');
    assert.equal(report(200), true);
    assert.equal(report(400), false, 'too soon');
    t += 150;
    assert.equal(report(600), true);
    assert.equal(report(10_000), true, 'the last one always');
  });
  it('uses 512 kB steps for big blobs', () => {
    let t = 0;
    const report = progressThrottle(1e9, () => t);
    assert.equal(report(400_000), false);
    t += 1000;
    assert.equal(report(600_000), true);
  });
});
