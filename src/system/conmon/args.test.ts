import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conmonCreateArgs, conmonExecArgs } from './args.ts';

const create = {
  id: 'c1',
  runtimePath: '/usr/bin/crun',
  runtimeArgs: ['--root=/run/berth/runtime-crun'],
  bundle: '/b',
  pidFile: '/r/pidfile',
  conmonPidFile: '/r/conmon.pid',
  exitDir: '/r/exits',
  logPath: '/l/c1.log',
  logSizeMax: 0,
  tty: false,
  openStdin: false,
  leaveStdinOpen: false,
};

function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('conmonCreateArgs', () => {
  it('builds the base command line', () => {
    const a = conmonCreateArgs(create);
    assert.equal(flagValue(a, '--api-version'), '1');
    assert.equal(flagValue(a, '-c'), 'c1');
    assert.equal(flagValue(a, '-r'), '/usr/bin/crun');
    assert.equal(flagValue(a, '-b'), '/b');
    assert.equal(flagValue(a, '-l'), 'k8s-file:/l/c1.log');
    assert.equal(flagValue(a, '--exit-dir'), '/r/exits');
    assert.ok(a.includes('--runtime-arg=--root=/run/berth/runtime-crun'));
    assert.ok(a.includes('--full-attach'));
    for (const f of ['-t', '-i', '--leave-stdin-open', '--log-size-max']) assert.ok(!a.includes(f), f);
  });
  const cases: { name: string; o: Partial<typeof create>; has: string[]; not: string[] }[] = [
    { name: 'tty', o: { tty: true }, has: ['-t'], not: ['-i'] },
    { name: 'stdin once', o: { openStdin: true }, has: ['-i'], not: ['--leave-stdin-open'] },
    { name: 'stdin kept open', o: { openStdin: true, leaveStdinOpen: true }, has: ['-i', '--leave-stdin-open'], not: [] },
    { name: 'leave-open without stdin is meaningless', o: { leaveStdinOpen: true }, has: [], not: ['--leave-stdin-open'] },
    { name: 'log size', o: { logSizeMax: 1000 }, has: ['--log-size-max', '1000'], not: [] },
    { name: 'no log', o: { logPath: '' }, has: ['none'], not: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = conmonCreateArgs({ ...create, ...c.o });
      for (const f of c.has) assert.ok(a.includes(f), f);
      for (const f of c.not) assert.ok(!a.includes(f), f);
    });
  }
  it('refuses a log path with a colon', () => {
    assert.throws(() => conmonCreateArgs({ ...create, logPath: '/a:b' }), /must not contain ':'/);
  });
});

describe('conmonExecArgs', () => {
  it('builds an attached exec', () => {
    const a = conmonExecArgs({
      containerId: 'c1',
      execId: 'e1',
      runtimePath: '/usr/sbin/runc',
      runtimeArgs: ['--root=/x'],
      execDir: '/r/exec-e1',
      processSpecPath: '/r/exec-e1/process.json',
      tty: true,
      openStdin: true,
    });
    assert.equal(flagValue(a, '-c'), 'c1');
    assert.equal(flagValue(a, '-u'), 'e1');
    assert.equal(flagValue(a, '-b'), '/r/exec-e1');
    assert.equal(flagValue(a, '--exec-process-spec'), '/r/exec-e1/process.json');
    assert.equal(flagValue(a, '-l'), 'none');
    for (const f of ['-e', '--exec-attach', '-t', '-i']) assert.ok(a.includes(f), f);
  });
});
