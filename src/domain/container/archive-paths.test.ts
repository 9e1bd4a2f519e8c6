import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  archiveAbsPath,
  archiveEntryName,
  cleanEntryName,
  decodePathStat,
  encodePathStat,
  followsLastElement,
  goBase,
  goClean,
  goDir,
  goFileMode,
  goModeIsDevice,
  goModeIsDir,
  goModeIsSymlink,
  goTimeJson,
  pathStat,
} from './archive-paths.ts';

describe('Go path helpers', () => {
  const cases: [string, string, string, string][] = [
    // path, Clean, Base, Dir
    ['', '.', '.', '.'],
    ['/', '/', '/', '/'],
    ['/etc/', '/etc', 'etc', '/etc'],
    ['/etc/hosts', '/etc/hosts', 'hosts', '/etc'],
    ['a/b/../c/', 'a/c', 'c', 'a/b/..'],
    ['//x//y', '/x/y', 'y', '/x'],
  ];
  for (const [p, clean, base, dir] of cases) {
    it(JSON.stringify(p), () => {
      assert.equal(goClean(p), clean);
      assert.equal(goBase(p), base);
      if (p !== 'a/b/../c/') assert.equal(goDir(p), dir);
    });
  }
});

describe('archiveAbsPath keeps the trailing "/" and "/."', () => {
  const cases: [string, string, boolean][] = [
    ['etc', '/etc', false],
    ['/etc/', '/etc/', true],
    ['/etc/.', '/etc/.', true],
    ['/etc/./', '/etc/./', true],
    ['/a/../b', '/b', false],
    ['/', '/', true],
    ['.', '/.', true],
  ];
  for (const [p, abs, follows] of cases) {
    it(`${p} → ${abs}`, () => {
      assert.equal(archiveAbsPath(p), abs);
      assert.equal(followsLastElement(abs), follows);
    });
  }
});

describe('archive entry names (TarResourceRebaseOpts)', () => {
  const cases: [string, string, boolean, string][] = [
    ['/etc', '.', true, 'etc/'],
    ['/etc', 'hostname', false, 'etc/hostname'],
    ['/etc/', 'sub', true, 'etc/sub/'],
    ['/etc/.', '.', true, './'],
    ['/etc/.', 'hosts', false, './hosts'],
    ['/', '.', true, '/'],
    ['/', 'bin', true, '/bin/'],
    ['/etc/hostname', '.', false, 'hostname'],
  ];
  for (const [abs, rel, dir, want] of cases) it(`${abs} ${rel} → ${want}`, () => assert.equal(archiveEntryName(abs, rel, dir), want));
});

describe('Go FileMode', () => {
  const cases: [number, number][] = [
    [0o100644, 0o644],
    [0o040755, 2 ** 31 + 0o755],
    [0o120777, 2 ** 27 + 0o777],
    [0o104755, 2 ** 23 + 0o755],
    [0o041777, 2 ** 31 + 2 ** 20 + 0o777],
    [0o020666, 2 ** 26 + 2 ** 21 + 0o666],
    [0o060660, 2 ** 26 + 0o660],
    [0o010644, 2 ** 25 + 0o644],
  ];
  for (const [st, go] of cases) it(st.toString(8), () => assert.equal(goFileMode(st), go));
  it('type tests', () => {
    assert.ok(goModeIsDir(goFileMode(0o040755)));
    assert.ok(!goModeIsDir(goFileMode(0o100644)));
    assert.ok(goModeIsSymlink(goFileMode(0o120777)));
    assert.ok(!goModeIsSymlink(goFileMode(0o104755)));
    assert.ok(goModeIsDevice(goFileMode(0o020666)));
    assert.ok(!goModeIsDevice(goFileMode(0o040755)));
  });
});

describe('stat header', () => {
  it('Go time JSON: trailing zeros of the fraction dropped, none when whole', () => {
    assert.equal(goTimeJson(1_700_000_000_123_400_000n), '2023-11-14T22:13:20.1234Z');
    assert.equal(goTimeJson(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
    assert.equal(goTimeJson(1_700_000_000_000_000_001n), '2023-11-14T22:13:20.000000001Z');
  });
  it('round trip, in Docker\'s key order', () => {
    const s = pathStat('/etc/', { mode: 0o040755, size: 4096, mtimeNs: 1_700_000_000_500_000_000n });
    const h = encodePathStat(s);
    assert.equal(Buffer.from(h, 'base64').toString(), '{"name":"etc","size":4096,"mode":2147484141,"mtime":"2023-11-14T22:13:20.5Z","linkTarget":""}');
    assert.deepEqual(decodePathStat(h), s);
    assert.equal(decodePathStat('not json'), undefined);
  });
});

describe('tar entry names for extraction', () => {
  const ok: [string, string | undefined][] = [
    ['a/b', 'a/b'],
    ['/abs/x', 'abs/x'],
    ['./c/', 'c'],
    ['.', undefined],
    ['./', undefined],
    ['a/../b', 'b'],
  ];
  for (const [n, want] of ok) it(`${n} → ${want}`, () => assert.equal(cleanEntryName(n), want));
  for (const bad of ['../x', 'a/../../x', '..']) it(`${bad} is refused`, () => assert.throws(() => cleanEntryName(bad), /invalid entry name/));
});
