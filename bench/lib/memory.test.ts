import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakdown, parseStatusKb } from './memory.ts';

const status = `Name:\tdockerd
Umask:\t0022
State:\tS (sleeping)
VmPeak:\t 1822244 kB
VmRSS:\t   48132 kB
RssAnon:\t   20100 kB
`;

test('parseStatusKb reads VmRSS, not VmPeak or RssAnon', () => {
  assert.equal(parseStatusKb(status), 48132);
  assert.equal(parseStatusKb(status, 'RssAnon'), 20100);
  assert.equal(parseStatusKb('Name:\tkthreadd\nState:\tS\n'), undefined);
});

test('parseStatusKb reads Pss from smaps_rollup', () => {
  assert.equal(parseStatusKb('Rss:               10240 kB\nPss:                4096 kB\nPss_Anon:   1 kB\n', 'Pss'), 4096);
});

test('breakdown groups by process name, largest first', () => {
  const text = breakdown({
    rssKb: 0,
    pssKb: 0,
    procs: [
      { pid: 1, comm: 'containerd-shim', rssKb: 8192, pssKb: 0 },
      { pid: 2, comm: 'dockerd', rssKb: 51200, pssKb: 0 },
      { pid: 3, comm: 'containerd-shim', rssKb: 10240, pssKb: 0 },
    ],
  });
  assert.equal(text, 'dockerd 1 × 50.0 MB, containerd-shim 2 × 9.0 MB');
});
