import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeConfig, parseArgs, parseConfigFile, parseHost, parseUlimit } from './daemon-config.ts';

test('flags in dockerd forms', () => {
  const a = parseArgs(['-H', 'unix:///tmp/x.sock', '--host=tcp://127.0.0.1:2375', '-D', '--data-root', '/d', '--log-opt', 'max-size=1m', '--add-runtime', 'r2=/bin/r2', '--default-ulimit', 'nofile=10:20', '--live-restore=false']);
  assert.deepEqual(a.flags.hosts, ['unix:///tmp/x.sock', 'tcp://127.0.0.1:2375']);
  assert.equal(a.flags.debug, true);
  assert.equal(a.flags['data-root'], '/d');
  assert.deepEqual(a.flags['log-opts'], { 'max-size': '1m' });
  assert.deepEqual(a.flags.runtimes, { r2: { path: '/bin/r2' } });
  assert.deepEqual(a.flags['default-ulimits'], { nofile: { Name: 'nofile', Soft: 10, Hard: 20 } });
  assert.equal(a.flags['live-restore'], false);
});

test('unknown flag and missing argument are refused', () => {
  assert.throws(() => parseArgs(['--bogus']), /unknown flag: --bogus/);
  assert.throws(() => parseArgs(['--data-root']), /flag needs an argument: --data-root/);
  assert.throws(() => parseArgs(['--debug=maybe']), /invalid argument "maybe"/);
});

test('daemon.json: unknown keys and wrong types are refused', () => {
  assert.throws(() => parseConfigFile('{"foo":1,"debug":true}', '/f'), /don't match any configuration option: foo/);
  assert.throws(() => parseConfigFile('{"debug":"yes"}', '/f'), /invalid type for "debug"/);
  assert.throws(() => parseConfigFile('{not json', '/f'), /unable to configure the Docker daemon with file \/f/);
  assert.deepEqual(parseConfigFile('{"log-level":"debug","hosts":["unix:///x"]}', '/f'), { 'log-level': 'debug', hosts: ['unix:///x'] });
});

test('a directive both as flag and in file conflicts', () => {
  assert.throws(
    () => mergeConfig({ hosts: ['unix:///a'] }, { hosts: ['unix:///b'] }, '/etc/berth/daemon.json'),
    /specified both as a flag and in the configuration file: hosts: \(from flag: \[unix:\/\/\/a\], from file: \[unix:\/\/\/b\]\)/,
  );
  const c = mergeConfig({ debug: true }, { 'data-root': '/x' }, '/f');
  assert.equal(c.debug, true);
  assert.equal(c['data-root'], '/x');
  assert.equal(c['exec-root'], '/run/berth');
});

test('validation', () => {
  assert.throws(() => mergeConfig({ 'log-level': 'loud' }, {}, '/f'), /unable to parse logging level: loud/);
  assert.throws(() => mergeConfig({ 'storage-driver': 'vfs' }, {}, '/f'), /driver not supported: vfs/);
  assert.throws(() => mergeConfig({ 'default-runtime': 'nope' }, {}, '/f'), /default runtime 'nope' does not exist/);
  assert.throws(() => mergeConfig({ runtimes: { runc: { path: '/x' } } }, {}, '/f'), /runtime name 'runc' is reserved/);
});

test('hosts', () => {
  assert.equal(parseHost('unix://'), 'unix:///run/berth/berth.sock');
  assert.equal(parseHost('tcp://0.0.0.0'), 'tcp://0.0.0.0:2375');
  assert.equal(parseHost('tcp://:2376'), 'tcp://127.0.0.1:2376');
  assert.equal(parseHost('tcp://0.0.0.0', true), 'tcp://0.0.0.0:2376');
  assert.throws(() => parseHost('http://x'), /Invalid bind address format/);
});

test('ulimits', () => {
  assert.deepEqual(parseUlimit('nproc=5'), { Name: 'nproc', Soft: 5, Hard: 5 });
  assert.throws(() => parseUlimit('nofile=20:10'), /soft limit must be less than or equal to hard limit/);
  assert.throws(() => parseUlimit('bogus=1'), /invalid ulimit type: bogus/);
});
