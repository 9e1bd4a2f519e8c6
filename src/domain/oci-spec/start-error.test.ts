import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyStartError, execErrorText } from './start-error.ts';

describe('classifyStartError', () => {
  const cases: { msg: string; cmd: string; code?: number; invalid: boolean }[] = [
    { msg: 'unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory', cmd: '/nonexistent', code: 127, invalid: true },
    { msg: 'unable to start container process: exec: "foo": executable file not found in $PATH', cmd: 'foo', code: 127, invalid: true },
    { msg: 'unable to start container process: exec: "/etc": permission denied', cmd: '/etc', code: 126, invalid: true },
    { msg: 'mount /x: no such file or directory', cmd: 'sh', invalid: false },
    { msg: 'cgroups: cannot write to memory.limit_in_bytes: device or resource busy', cmd: 'sh', invalid: false },
    { msg: 'error mounting "/h/file" to rootfs at "/etc/x": not a directory', cmd: 'sh', code: 127, invalid: true },
  ];
  for (const c of cases) {
    it(c.msg, () => {
      const r = classifyStartError(c.msg, c.cmd);
      assert.equal(r.exitCode, c.code);
      assert.equal(r.invalidConfig, c.invalid);
      assert.ok(r.message.startsWith(c.msg));
    });
  }
});

describe('execErrorText', () => {
  it('words errors as runc does', () => {
    assert.equal(execErrorText('/nonexistent', 'not-found'), 'exec: "/nonexistent": stat /nonexistent: no such file or directory');
    assert.equal(execErrorText('nonexistent', 'not-found'), 'exec: "nonexistent": executable file not found in $PATH');
    assert.equal(execErrorText('/etc', 'permission'), 'exec: "/etc": permission denied');
  });
});
