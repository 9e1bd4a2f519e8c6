import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ANONYMOUS_LABEL, type VolumeView } from './contract.ts';
import { filterVolumes, matchKVList, pruneSelection, rfc3339Local } from './filters.ts';

function vol(Name: string, Labels: Record<string, string> | null = null, Driver = 'local'): VolumeView {
  return { CreatedAt: '', Driver, Labels, Mountpoint: `/v/${Name}/_data`, Name, Options: null, Scope: 'local' };
}

const f = (o: Record<string, string[]>) => new Map(Object.entries(o));

describe('volume list filters', () => {
  const vols = [
    { view: vol('web', { tier: 'web' }), refs: 0 },
    { view: vol('db', { tier: 'db', keep: '' }), refs: 2 },
    { view: vol('other', null, 'nfs'), refs: 0 },
  ];
  const names = (filters: Record<string, string[]>) => filterVolumes(vols, f(filters)).map((v) => v.Name);
  const cases: [Record<string, string[]>, string[]][] = [
    [{}, ['web', 'db', 'other']],
    [{ dangling: ['true'] }, ['web', 'other']],
    [{ dangling: ['0'] }, ['db']],
    [{ name: ['^w'] }, ['web']],
    [{ name: ['db', 'oth'] }, ['db', 'other']],
    [{ driver: ['nfs'] }, ['other']],
    [{ label: ['tier'] }, ['web', 'db']],
    [{ label: ['tier=db', 'keep'] }, ['db']],
    [{ label: ['tier=nope'] }, []],
  ];
  for (const [filters, want] of cases) test(JSON.stringify(filters), () => assert.deepEqual(names(filters), want));
  test('errors', () => {
    assert.throws(() => names({ color: ['red'] }), /^InvalidArgumentError: invalid filter 'color'$/);
    assert.throws(() => names({ dangling: ['maybe'] }), /invalid filter 'dangling=\[maybe\]'/);
    assert.throws(() => names({ dangling: ['true', 'false'] }), /invalid filter 'dangling=\[true false\]'/);
  });
});

describe('volume prune selection', () => {
  const unused = [vol('named'), vol('anon1', { [ANONYMOUS_LABEL]: '' }), vol('kept', { keep: '1' })];
  const names = (filters: Record<string, string[]>) => pruneSelection(unused, f(filters)).map((v) => v.Name);
  test('anonymous only by default', () => assert.deepEqual(names({}), ['anon1']));
  test('all=true', () => assert.deepEqual(names({ all: ['true'] }), ['named', 'anon1', 'kept']));
  test('all=false is the default', () => assert.deepEqual(names({ all: ['0'] }), ['anon1']));
  test('label!', () => assert.deepEqual(names({ all: ['1'], 'label!': ['keep'] }), ['named', 'anon1']));
  test('label', () => assert.deepEqual(names({ all: ['1'], label: ['keep=1'] }), ['kept']));
  test('errors', () => {
    assert.throws(() => names({ all: ['a', 'b'] }), /only one value is expected/);
    assert.throws(() => names({ all: ['yes'] }), /invalid filter 'all': strconv.ParseBool: parsing "yes": invalid syntax/);
    assert.throws(() => names({ dangling: ['true'] }), /invalid filter 'dangling'/);
  });
});

test('matchKVList', () => {
  assert.equal(matchKVList(undefined, null), true);
  assert.equal(matchKVList(['a'], null), false);
  assert.equal(matchKVList(['a=1'], { a: '1' }), true);
  assert.equal(matchKVList(['a=2'], { a: '1' }), false);
});

test('rfc3339Local has seconds precision and a zone', () => {
  assert.match(rfc3339Local(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), /^2026-01-0\dT\d\d:\d\d:05(Z|[+-]\d\d:\d\d)$/);
});
