import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNotExist, runtimeErrorText, unquoteGo } from './errors.ts';

describe('runtimeErrorText', () => {
  // texts as crun 1.8.1 and runc 1.1.5 print them (measured on this machine)
  const cases: { name: string; rt: string; stderr: string; cmd?: string; want: string }[] = [
    {
      name: 'runc logrus error, quoted',
      rt: 'runc',
      stderr:
        'time="2026-11-28T08:08:03Z" level=error msg="runc create failed: unable to start container process: exec: \\"/nonexistent\\": stat /nonexistent: no such file or directory"\n',
      want: 'runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory',
    },
    {
      name: 'runc warning then error',
      rt: 'runc',
      stderr: 'time="t" level=warning msg="something odd"\ntime="t" level=error msg="container does not exist"\n',
      want: 'container does not exist',
    },
    {
      name: 'crun missing absolute executable',
      rt: 'crun',
      stderr: 'executable file `/nonexistent` not found in $PATH: No such file or directory\n',
      cmd: '/nonexistent',
      want: 'crun create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory',
    },
    {
      name: 'crun missing executable in $PATH',
      rt: 'crun',
      stderr: 'executable file `nonexistent` not found in $PATH: No such file or directory\n',
      cmd: 'nonexistent',
      want: 'crun create failed: unable to start container process: exec: "nonexistent": executable file not found in $PATH',
    },
    {
      name: 'crun directory as executable',
      rt: 'crun',
      stderr: 'open executable: Operation not permitted\n',
      cmd: '/etc',
      want: 'crun create failed: unable to start container process: exec: "/etc": permission denied',
    },
    {
      name: 'crun non-executable file',
      rt: 'crun',
      stderr: 'open executable: Permission denied\n',
      cmd: '/etc/passwd',
      want: 'crun create failed: unable to start container process: exec: "/etc/passwd": permission denied',
    },
    {
      name: 'crun other error: errno text lower-cased as Go prints it',
      rt: 'crun',
      stderr: 'mount `/x` to `/y`: No such file or directory\n',
      want: 'crun create failed: mount `/x` to `/y`: no such file or directory',
    },
    { name: 'nothing printed', rt: 'crun', stderr: '', want: 'crun create failed' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(runtimeErrorText(c.rt, c.stderr, 'create', c.cmd), c.want));

  it('unquotes Go strings', () => {
    assert.equal(unquoteGo('"a\\"b\\\\c\\nd\\u00e9"'), 'a"b\\c\nd\u00e9');
  });

  it('recognizes "does not exist" from both runtimes', () => {
    assert.ok(isNotExist('time="t" level=error msg="container does not exist"'));
    assert.ok(isNotExist('error opening file `/run/berth/runtime-crun/x/status`: No such file or directory'));
    assert.ok(!isNotExist('mount `/x`: No such file or directory'));
  });
});
