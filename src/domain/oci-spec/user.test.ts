import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveUser } from './user.ts';

const passwd = `root:x:0:0:root:/root:/bin/sh
# a comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin

  app:x:1000:1000::/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;
const group = `root:x:0:root
wheel:x:10:root,app
staff:x:50:app
app:x:1000:
nogroup:x:65534:
`;

describe('resolveUser', () => {
  const cases: { spec: string; add?: string[]; want: { uid: number; gid: number; additionalGids: number[]; home: string } }[] = [
    { spec: '', want: { uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' } },
    { spec: 'root', want: { uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' } },
    { spec: 'app', want: { uid: 1000, gid: 1000, additionalGids: [10, 50], home: '/home/app' } },
    { spec: '1000', want: { uid: 1000, gid: 1000, additionalGids: [10, 50], home: '/home/app' } },
    { spec: 'app:staff', want: { uid: 1000, gid: 50, additionalGids: [], home: '/home/app' } },
    { spec: 'app:50', want: { uid: 1000, gid: 50, additionalGids: [], home: '/home/app' } },
    { spec: 'app:4242', want: { uid: 1000, gid: 4242, additionalGids: [], home: '/home/app' } },
    { spec: '4242', want: { uid: 4242, gid: 0, additionalGids: [], home: '/' } },
    { spec: '4242:4343', want: { uid: 4242, gid: 4343, additionalGids: [], home: '/' } },
    { spec: 'nobody', want: { uid: 65534, gid: 65534, additionalGids: [], home: '/nonexistent' } },
    { spec: 'app', add: ['nogroup', '777'], want: { uid: 1000, gid: 1000, additionalGids: [10, 50, 65534, 777], home: '/home/app' } },
  ];
  for (const c of cases) {
    it(`resolves ${JSON.stringify(c.spec)}${c.add ? ` + ${c.add.join(',')}` : ''}`, () => {
      assert.deepEqual(resolveUser(c.spec, passwd, group, c.add), c.want);
    });
  }

  const errors: { spec: string; pw?: string; add?: string[]; msg: string }[] = [
    { spec: 'ghost', msg: 'unable to find user ghost: no matching entries in passwd file' },
    { spec: 'ghost', pw: '', msg: 'unable to find user ghost: no matching entries in passwd file' },
    { spec: 'app:ghosts', msg: 'unable to find group ghosts: no matching entries in group file' },
    { spec: '-1', msg: 'uids and gids must be in range 0-2147483647' },
    { spec: 'app', add: ['ghosts'], msg: 'Unable to find group ghosts: no matching entries in group file' },
  ];
  for (const c of errors) {
    it(`rejects ${JSON.stringify(c.spec)} with Docker's message`, () => {
      assert.throws(
        () => resolveUser(c.spec, c.pw ?? passwd, group, c.add),
        (err: Error) => err.name === 'InvalidArgumentError' && err.message === c.msg,
      );
    });
  }

  it('works without passwd and group files (numeric ids only)', () => {
    assert.deepEqual(resolveUser('', undefined, undefined), { uid: 0, gid: 0, additionalGids: [], home: '/' });
    assert.deepEqual(resolveUser('12:34', undefined, undefined), { uid: 12, gid: 34, additionalGids: [], home: '/' });
  });
});
