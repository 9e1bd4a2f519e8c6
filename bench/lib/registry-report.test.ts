import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RegistryResults, renderRegistryReport } from './registry-report.ts';

function results(): RegistryResults {
  return {
    runs: 3,
    quick: false,
    image: { layers: 5, uncompressedBytes: 210_000_000, compressedBytes: 107_000_000 },
    samples: {
      pull: { berth: [3000, 4000, 5000], docker: [5000, 5500, 6000] },
      pushPulled: { berth: [1500], docker: [14000] },
      pushLoaded: { berth: [6000], docker: [4000] },
    },
    cpu: {
      pull: { berth: [2000, 2500, 3000], docker: [4500, 4600, 4700] },
      pushPulled: { berth: [500], docker: [7000] },
      pushLoaded: { berth: [5000], docker: [6000] },
    },
    memory: {
      berth: [
        { ms: 3000, cpuMs: 2000, daemonPeakKb: 120 * 1024, enginePeakKb: 121 * 1024, daemonBeforeKb: 90 * 1024 },
        { ms: 4000, cpuMs: 2500, daemonPeakKb: 130 * 1024, enginePeakKb: 131 * 1024, daemonBeforeKb: 91 * 1024 },
      ],
      docker: [{ ms: 5000, cpuMs: 4500, daemonPeakKb: 80 * 1024, enginePeakKb: 200 * 1024, daemonBeforeKb: 78 * 1024 }],
    },
    errors: {},
    slots: [
      { key: 'berth', title: 'berth (berthd)', command: 'bin/berthd', version: '0.1.0', startError: undefined },
      { key: 'docker', title: 'docker (dockerd)', command: '/usr/sbin/dockerd', version: '20.10', startError: undefined },
    ],
    facts: { date: 'today', machine: '2 CPUs', loadStart: '1', loadEnd: '2', versions: ['pigz: pigz 2.6'] },
  };
}

describe('renderRegistryReport', () => {
  it('shows medians, ratios against the ≤ 1× goal, and the peak RSS over the runs', () => {
    const md = renderRegistryReport(results());
    assert.match(md, /\| `docker pull` \(download, verify, unpack\) \| 4\.00 s \| 5\.50 s \| 0\.73 \| ≤ 1× \| yes \|/);
    assert.match(md, /\| `docker push` of a `docker load`ed copy .* \| 6\.00 s \| 4\.00 s \| 1\.50 \| ≤ 1× \| no \|/);
    assert.match(md, /\| peak RSS of the daemon process during the pull \(max over runs\) \| 130\.0 MB \| 80\.0 MB \| 1\.63 \|/);
    assert.match(md, /- image: 5 layers, 210 MB as tar, 107 MB gzipped/);
    assert.match(md, /- pull, berth: 3\.00 s \(CPU 2\.00 s\), 4\.00 s \(CPU 2\.50 s\), 5\.00 s \(CPU 3\.00 s\)/);
    assert.match(md, /\| `docker pull` \(download, verify, unpack\) \| 2\.50 s \| 4\.60 s \| 0\.54 \|/);
    assert.doesNotMatch(md, /## Errors/);
  });

  it('marks errors and daemons that did not start, and lists the errors', () => {
    const r = results();
    r.errors['pushLoaded:berth'] = 'push failed: boom';
    r.slots[1]!.startError = 'no dockerd';
    const md = renderRegistryReport(r, ['teardown: left a netns']);
    assert.match(md, /\| `docker push` of a `docker load`ed copy .* \| error \| did not start \| 1\.50 \|/);
    assert.match(md, /## Errors\n\n### pushLoaded:berth\n\n```\npush failed: boom\n```/);
    assert.match(md, /## Notes\n\n- teardown: left a netns/);
  });
});
