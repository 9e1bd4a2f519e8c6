import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig, mergeConfig, parseArgs, parseConfigFile } from './daemon-config.ts';

test('userns-remap, seccomp-profile and no-new-privileges: defaults are off', () => {
  const c = defaultConfig();
  assert.equal(c['userns-remap'], '');
  assert.equal(c['seccomp-profile'], '');
  assert.equal(c['no-new-privileges'], false);
});

test('as flags, in dockerd forms', () => {
  const cases: [string[], Partial<ReturnType<typeof defaultConfig>>][] = [
    [['--userns-remap', 'default'], { 'userns-remap': 'default' }],
    [['--userns-remap=dockremap:dockremap'], { 'userns-remap': 'dockremap:dockremap' }],
    [['--seccomp-profile', '/etc/berth/seccomp.json'], { 'seccomp-profile': '/etc/berth/seccomp.json' }],
    [['--seccomp-profile=unconfined'], { 'seccomp-profile': 'unconfined' }],
    [['--no-new-privileges'], { 'no-new-privileges': true }],
    [['--no-new-privileges=false'], { 'no-new-privileges': false }],
  ];
  for (const [argv, want] of cases) assert.deepEqual(parseArgs(argv).flags, want, argv.join(' '));
  assert.throws(() => parseArgs(['--userns-remap']), /flag needs an argument: --userns-remap/);
  assert.throws(() => parseArgs(['--no-new-privileges=maybe']), /invalid argument "maybe" for "--no-new-privileges" flag/);
});

test('as daemon.json keys, with their types checked', () => {
  assert.deepEqual(parseConfigFile('{"userns-remap":"1000:1000","seccomp-profile":"builtin","no-new-privileges":true}', '/f'), {
    'userns-remap': '1000:1000',
    'seccomp-profile': 'builtin',
    'no-new-privileges': true,
  });
  assert.throws(() => parseConfigFile('{"no-new-privileges":"yes"}', '/f'), /invalid type for "no-new-privileges"/);
  assert.throws(() => parseConfigFile('{"userns-remap":true}', '/f'), /invalid type for "userns-remap"/);
  assert.throws(() => parseConfigFile('{"seccomp-profile":{}}', '/f'), /invalid type for "seccomp-profile"/);
});

test('a key set both as a flag and in the file conflicts; merged otherwise', () => {
  assert.throws(() => mergeConfig({ 'userns-remap': 'default' }, { 'userns-remap': 'default' }, '/f'), /specified both as a flag and in the configuration file: userns-remap/);
  const c = mergeConfig({ 'no-new-privileges': true }, { 'seccomp-profile': 'unconfined' }, '/f');
  assert.equal(c['no-new-privileges'], true);
  assert.equal(c['seccomp-profile'], 'unconfined');
  assert.equal(c['userns-remap'], '');
});
