import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonSeccomp, seccompProfileName, seccompProfileSource, setsNoNewPrivileges, setsSeccomp } from './daemon-security.ts';

test('what a seccomp-profile value names', () => {
  const cases: [string, string][] = [
    ['', 'builtin'],
    ['builtin', 'builtin'],
    ['unconfined', 'unconfined'],
    ['/etc/berth/seccomp.json', 'file'],
    ['relative.json', 'file'],
  ];
  for (const [v, want] of cases) assert.equal(seccompProfileSource(v), want, v);
});

test('the daemon profile: builtin, unconfined, or a file checked at start', () => {
  assert.deepEqual(daemonSeccomp(''), { mode: 'builtin' });
  assert.deepEqual(daemonSeccomp('unconfined'), { mode: 'unconfined' });
  const p = daemonSeccomp('/x.json', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}');
  assert.equal(p.mode, 'profile');
  if (p.mode === 'profile') assert.equal(p.profile.defaultAction, 'SCMP_ACT_ALLOW');
  assert.equal(seccompProfileName(p), '/x.json');
  assert.equal(seccompProfileName({ mode: 'builtin' }), 'builtin');
  assert.equal(seccompProfileName({ mode: 'unconfined' }), 'unconfined');
  assert.throws(() => daemonSeccomp('/x.json'), /opening seccomp profile \(\/x\.json\) failed/);
  assert.throws(() => daemonSeccomp('/x.json', '{not json'), /loading seccomp profile \(\/x\.json\) failed/);
});

test('whether a container sets no-new-privileges or a seccomp profile itself', () => {
  const cases: [string[] | null, boolean, boolean][] = [
    [null, false, false],
    [[], false, false],
    [['no-new-privileges'], true, false],
    [['no-new-privileges=false'], true, false],
    [['no-new-privileges:true'], true, false],
    [['seccomp=unconfined'], false, true],
    [['seccomp:{"defaultAction":"SCMP_ACT_ALLOW"}', 'label=disable'], false, true],
    [['apparmor=unconfined'], false, false],
  ];
  for (const [opts, nnp, sc] of cases) {
    assert.equal(setsNoNewPrivileges(opts), nnp, JSON.stringify(opts));
    assert.equal(setsSeccomp(opts), sc, JSON.stringify(opts));
  }
});
