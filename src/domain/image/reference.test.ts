import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../common/errors.ts';
import { familiarMatch, globMatch } from './glob.ts';
import {
  familiarName,
  familiarString,
  parseAnyReference,
  parseDigest,
  parseNormalizedNamed,
  refName,
  refString,
  repoTagReference,
  tagNameOnly,
  withTag,
} from './reference.ts';

const D = 'sha256:' + 'a'.repeat(64);

describe('parseNormalizedNamed', () => {
  const ok: [string, string, string, string][] = [
    // input, full name, full string, familiar string
    ['bb', 'docker.io/library/bb', 'docker.io/library/bb', 'bb'],
    ['bb:latest', 'docker.io/library/bb', 'docker.io/library/bb:latest', 'bb:latest'],
    ['docker.io/library/bb:1', 'docker.io/library/bb', 'docker.io/library/bb:1', 'bb:1'],
    ['index.docker.io/bb', 'docker.io/library/bb', 'docker.io/library/bb', 'bb'],
    ['docker.io/bb', 'docker.io/library/bb', 'docker.io/library/bb', 'bb'],
    ['user/app:v2', 'docker.io/user/app', 'docker.io/user/app:v2', 'user/app:v2'],
    ['library/bb', 'docker.io/library/bb', 'docker.io/library/bb', 'bb'],
    ['docker.io/library/a/b', 'docker.io/library/a/b', 'docker.io/library/a/b', 'library/a/b'],
    ['localhost/x', 'localhost/x', 'localhost/x', 'localhost/x'],
    ['localhost:5000/x', 'localhost:5000/x', 'localhost:5000/x', 'localhost:5000/x'],
    ['127.0.0.1:5055/bb:v1', '127.0.0.1:5055/bb', '127.0.0.1:5055/bb:v1', '127.0.0.1:5055/bb:v1'],
    ['example.com/ns/name:tag@' + D, 'example.com/ns/name', 'example.com/ns/name:tag@' + D, 'example.com/ns/name:tag@' + D],
    ['host:5000/ns/sub/name:t_1.x-y@' + D, 'host:5000/ns/sub/name', 'host:5000/ns/sub/name:t_1.x-y@' + D, 'host:5000/ns/sub/name:t_1.x-y@' + D],
    ['bb@' + D, 'docker.io/library/bb', 'docker.io/library/bb@' + D, 'bb@' + D],
    ['[::1]:5000/x:1', '[::1]:5000/x', '[::1]:5000/x:1', '[::1]:5000/x:1'],
    ['a__b/c-d--e.f', 'docker.io/a__b/c-d--e.f', 'docker.io/a__b/c-d--e.f', 'a__b/c-d--e.f'],
    ['Example.COM/x', 'Example.COM/x', 'Example.COM/x', 'Example.COM/x'],
  ];
  for (const [input, name, full, familiar] of ok) {
    it(`parses ${input}`, () => {
      const r = parseNormalizedNamed(input);
      assert.equal(refName(r), name);
      assert.equal(refString(r), full);
      assert.equal(familiarString(r), familiar);
    });
  }

  const bad: [string, string][] = [
    ['', 'invalid reference format'],
    ['Bb', 'invalid reference format: repository name (library/Bb) must be lowercase'],
    ['user/App:1', 'invalid reference format: repository name (user/App) must be lowercase'],
    ['bb:', 'invalid reference format'],
    ['bb:-x', 'invalid reference format'],
    [':tag', 'invalid reference format'],
    ['bb:' + 'x'.repeat(129), 'invalid reference format'],
    ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    ['bb@sha256:abc', 'invalid reference format'],
    ['bb@sha256:' + 'A'.repeat(64), 'invalid checksum digest format'],
    ['bb@md5:' + 'a'.repeat(64), 'unsupported digest algorithm'],
    ['a/' + 'b'.repeat(250), 'repository name must not be more than 255 characters'],
    ['-bb', 'invalid reference format'],
    ['bb/', 'invalid reference format'],
    ['b b', 'invalid reference format'],
    ['bb__', 'invalid reference format'],
    ['bb...x', 'invalid reference format'],
    ['http://x/y', 'invalid reference format'],
  ];
  for (const [input, msg] of bad) {
    it(`refuses ${JSON.stringify(input).slice(0, 40)}`, () => {
      assert.throws(() => parseNormalizedNamed(input), (e: unknown) => e instanceof InvalidArgumentError && e.message === msg);
    });
  }
});

describe('parseAnyReference', () => {
  it('takes a 64-hex string as an image id', () => {
    assert.deepEqual(parseAnyReference('a'.repeat(64)), { kind: 'digest', digest: D });
  });
  it('takes sha256:… as a digest', () => {
    assert.deepEqual(parseAnyReference(D), { kind: 'digest', digest: D });
  });
  it('takes a short id as a name', () => {
    const r = parseAnyReference('abc123');
    assert.equal(r.kind, 'named');
  });
});

describe('helpers', () => {
  it('tagNameOnly adds latest only to bare names', () => {
    assert.equal(familiarString(tagNameOnly(parseNormalizedNamed('bb'))), 'bb:latest');
    assert.equal(familiarString(tagNameOnly(parseNormalizedNamed('bb:1'))), 'bb:1');
    assert.equal(familiarString(tagNameOnly(parseNormalizedNamed('bb@' + D))), 'bb@' + D);
  });
  it('withTag validates the tag', () => {
    assert.equal(familiarString(withTag(parseNormalizedNamed('bb:1'), '2')), 'bb:2');
    assert.throws(() => withTag(parseNormalizedNamed('bb'), 'a:b'), /invalid tag format/);
  });
  it('repoTagReference', () => {
    assert.equal(repoTagReference('', 'x'), undefined);
    assert.equal(familiarString(repoTagReference('bb3:latest', '')!), 'bb3:latest');
    assert.equal(familiarString(repoTagReference('127.0.0.1:5055/bb', 'v1')!), '127.0.0.1:5055/bb:v1');
    assert.equal(familiarString(repoTagReference('bb', '')!), 'bb:latest');
    assert.throws(() => repoTagReference('bb@' + D, ''), /cannot import digest reference/);
  });
  it('familiarName keeps nested library paths', () => {
    assert.equal(familiarName(parseNormalizedNamed('library/a/b')), 'library/a/b');
  });
  it('parseDigest', () => {
    assert.equal(parseDigest(D), D);
    assert.throws(() => parseDigest('sha256'), /invalid checksum digest format/);
    assert.throws(() => parseDigest('sha256:abc'), /invalid checksum digest length/);
  });
});

describe('globMatch (Go path.Match)', () => {
  const cases: [string, string, boolean][] = [
    ['bb', 'bb', true],
    ['b*', 'bb:latest', true],
    ['*', 'user/app', false],
    ['*/*', 'user/app', true],
    ['b?', 'bb', true],
    ['b?', 'b/', false],
    ['[a-c]b', 'bb', true],
    ['[^a-c]b', 'bb', false],
    ['[^a-c]b', 'xb', true],
    ['bb:[0-9]*', 'bb:12', true],
    ['bb:[0-9]*', 'bb:latest', false],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['a.b', 'axb', false],
  ];
  for (const [p, s, want] of cases) {
    it(`${p} vs ${s}`, () => assert.equal(globMatch(p, s), want));
  }
  it('refuses a bad pattern', () => {
    assert.throws(() => globMatch('[', 'x'), /syntax error in pattern/);
    assert.throws(() => globMatch('a\\', 'x'), /syntax error in pattern/);
  });
  it('familiarMatch tries the familiar string then the name', () => {
    const r = parseNormalizedNamed('bb:1');
    assert.equal(familiarMatch('bb', r), true);
    assert.equal(familiarMatch('bb:1', r), true);
    assert.equal(familiarMatch('bb:2', r), false);
    assert.equal(familiarMatch('docker.io/library/bb', r), false);
  });
});
