import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanPath, isLocalPath, mountViews, parseBind, parseMountSpec, parseVolumesFrom, readWrite, tmpfsOptions, validMountMode } from './mounts.ts';

describe('parseBind (-v)', () => {
  const ok: [string, Partial<ReturnType<typeof parseBind>>][] = [
    ['vol:/data', { Type: 'volume', Name: 'vol', Destination: '/data', RW: true, Mode: '', CopyData: true }],
    ['vol:/data:ro', { Type: 'volume', Name: 'vol', RW: false, Mode: 'ro' }],
    ['vol:/data:nocopy', { Type: 'volume', CopyData: false, Mode: 'nocopy' }],
    ['/host:/ctr', { Type: 'bind', Source: '/host', Destination: '/ctr', RW: true, Propagation: 'rprivate' }],
    ['/host/:/ctr/x/../y:ro,rshared', { Type: 'bind', Source: '/host', Destination: '/ctr/y', RW: false, Propagation: 'rshared', Mode: 'ro,rshared' }],
    ['/host:/ctr:z', { Type: 'bind', RW: true, Mode: 'z' }],
    ['/anon', { Type: 'volume', Name: '', Destination: '/anon' }],
  ];
  for (const [raw, want] of ok) {
    test(raw, () => {
      const mp = parseBind(raw);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(mp[k as keyof typeof mp], v, `${raw}: ${k}`);
    });
  }
  const bad: [string, RegExp][] = [
    ['', /invalid volume specification: ''$/],
    [':/x', /invalid volume specification: ':\/x'/],
    ['/x:ro', /invalid volume specification: '\/x:ro'$/],
    ['a:/b:c:d', /invalid volume specification/],
    ['vol:/data:bogus', /invalid mode: bogus$/],
    ['vol:/data:ro,rw', /invalid mode: ro,rw$/],
    ['vol:relative', /invalid mount path: 'relative' mount path must be absolute/],
    ['vol:/', /destination can't be '\/'/],
    ['/h:/c:nocopy', /invalid mount config for type "bind": field VolumeOptions must not be specified/],
    ['vol:/c:rshared', /invalid mount config for type "volume": field BindOptions must not be specified/],
  ];
  for (const [raw, re] of bad) test(`refuses ${JSON.stringify(raw)}`, () => assert.throws(() => parseBind(raw), re));
});

describe('parseMountSpec (--mount)', () => {
  test('volume with options', () => {
    const mp = parseMountSpec({ Type: 'volume', Source: 'v', Target: '/d', VolumeOptions: { NoCopy: true, Subpath: 'a/b', DriverConfig: { Name: 'local' } } });
    assert.equal(mp.CopyData, false);
    assert.equal(mp.Driver, 'local');
    assert.equal(mp.Name, 'v');
  });
  test('bind needs an existing source unless CreateMountpoint', () => {
    assert.throws(() => parseMountSpec({ Type: 'bind', Source: '/nope', Target: '/d' }, () => false), /invalid mount config for type "bind": bind source path does not exist: \/nope$/);
    assert.equal(parseMountSpec({ Type: 'bind', Source: '/nope', Target: '/d', BindOptions: { CreateMountpoint: true } }, () => false).SkipMountpointCreation, undefined);
    assert.equal(parseMountSpec({ Type: 'bind', Source: '/yes', Target: '/d' }, () => true).SkipMountpointCreation, true);
  });
  const bad: [Parameters<typeof parseMountSpec>[0], RegExp][] = [
    [{ Type: 'volume', Target: '/d', VolumeOptions: { Subpath: 'x' } }, /must not set Subpath when using anonymous volumes/],
    [{ Type: 'volume', Source: 'v', Target: '/d', VolumeOptions: { Subpath: '../x' } }, /subpath must be a relative path within the volume/],
    [{ Type: 'volume', Source: 'v', Target: '/d', VolumeOptions: { Subpath: '/abs' } }, /subpath must be a relative path/],
    [{ Type: 'tmpfs', Source: 'x', Target: '/d' }, /invalid mount config for type "tmpfs": field Source must not be specified/],
    [{ Type: 'bind', Target: '/d' }, /field Source must not be empty/],
    [{ Type: 'bind', Source: 'rel', Target: '/d' }, /invalid mount path: 'rel' mount path must be absolute/],
    [{ Type: 'bind', Source: '/s', Target: '/d', BindOptions: { Propagation: 'weird' } }, /invalid propagation mode: weird/],
    [{ Type: 'tmpfs', Target: '/d', VolumeOptions: {} }, /field VolumeOptions must not be specified/],
    [{ Type: 'npipe', Target: '/d' }, /mount type unknown/],
    [{ Type: 'volume', Source: 'v' }, /field Target must not be empty/],
  ];
  for (const [m, re] of bad) test(`refuses ${JSON.stringify(m)}`, () => assert.throws(() => parseMountSpec(m, () => true), re));
});

describe('helpers', () => {
  test('tmpfsOptions', () => {
    assert.equal(tmpfsOptions({ SizeBytes: 2 * 1024 * 1024, Mode: 0o1770 }, false), 'mode=1770,size=2m');
    assert.equal(tmpfsOptions({ SizeBytes: 1500 }, true), 'ro,size=1500');
    assert.equal(tmpfsOptions({ Options: [['exec']] }, false), 'exec');
    assert.throws(() => tmpfsOptions({ Options: [['suid']] }, false), /invalid option: suid/);
  });
  test('modes', () => {
    assert.equal(validMountMode('ro,z,rshared,nocopy'), true);
    assert.equal(validMountMode('ro,Z,z'), false);
    assert.equal(readWrite('z'), true);
    assert.equal(readWrite('ro'), false);
  });
  test('volumes-from', () => {
    assert.deepEqual(parseVolumesFrom('c1'), { ref: 'c1', mode: 'rw' });
    assert.deepEqual(parseVolumesFrom('c1:ro'), { ref: 'c1', mode: 'ro' });
    assert.throws(() => parseVolumesFrom('c1:rshared'), /invalid mode: rshared/);
    assert.throws(() => parseVolumesFrom('c1:nocopy'), /invalid mode: nocopy/);
    assert.throws(() => parseVolumesFrom(''), /cannot be an empty string/);
  });
  test('paths', () => {
    assert.equal(cleanPath('/a/./b/../c/'), '/a/c');
    assert.equal(cleanPath('/../x'), '/x');
    assert.equal(isLocalPath('a/b'), true);
    assert.equal(isLocalPath('a/../../b'), false);
    assert.equal(isLocalPath(''), false);
  });
  test('mountViews: Docker key order, optional Name/Driver, sorted by destination', () => {
    const v = mountViews({
      '/b': { ...parseBind('/h:/b:ro') },
      '/a': { ...parseBind('vol:/a'), Source: '/var/v/_data', Driver: 'local', Mode: 'z' },
    });
    assert.deepEqual(v.map((m) => Object.keys(m)), [
      ['Type', 'Name', 'Source', 'Destination', 'Driver', 'Mode', 'RW', 'Propagation'],
      ['Type', 'Source', 'Destination', 'Mode', 'RW', 'Propagation'],
    ]);
  });
});
