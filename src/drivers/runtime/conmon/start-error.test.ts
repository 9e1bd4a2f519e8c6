import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startError, startErrorText } from './start-error.ts';

describe('start error text (dockerd 20.10)', () => {
  const cases: [op: 'create' | 'exec', runtime: string, text: string, want: string][] = [
    [
      'create',
      'runc',
      'runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory',
      'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory: unknown',
    ],
    [
      'create',
      'crun',
      'crun create failed: unable to start container process: exec: "/etc": permission denied',
      'failed to create shim task: OCI runtime create failed: crun create failed: unable to start container process: exec: "/etc": permission denied: unknown',
    ],
    [
      'exec',
      'runc',
      'exec failed: unable to start container process: exec: "nonexistent": executable file not found in $PATH',
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "nonexistent": executable file not found in $PATH: unknown',
    ],
    [
      'exec',
      'crun',
      'crun exec failed: unable to start container process: exec: "/etc": permission denied',
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc": permission denied: unknown',
    ],
    ['exec', 'crun', 'crun exec failed', 'OCI runtime exec failed: exec failed: unknown'],
    ['exec', 'crun', 'crun exec failedx', 'OCI runtime exec failed: crun exec failedx: unknown'],
  ];
  for (const [op, runtime, text, want] of cases) it(`${op} with ${runtime}: ${text}`, () => assert.equal(startErrorText(op, runtime, text), want));

  it('a process that cannot be executed is the user\'s error, anything else the daemon\'s', () => {
    const notFound = startError('create', 'crun', 'crun create failed: unable to start container process: exec: "/x": stat /x: no such file or directory', '/x');
    assert.equal(notFound.name, 'InvalidArgumentError');
    assert.equal(startError('exec', 'crun', 'crun exec failed: unable to start container process: exec: "/etc": permission denied', '/etc').name, 'InvalidArgumentError');
    assert.equal(startError('create', 'crun', 'crun create failed: mount `/a` to `/b`: invalid argument', 'sh').name, 'SystemError');
  });
});
