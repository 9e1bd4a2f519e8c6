import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiTag, familiarName, familiarString, parseNormalizedNamed, tagNameOnly, truncateId } from './reference.ts';

describe('image references', () => {
  const table: [string, string, string, string][] = [
    // input, full name, familiar string, API tag
    ['busybox', 'docker.io/library/busybox', 'busybox', 'latest'],
    ['busybox:1.36', 'docker.io/library/busybox', 'busybox:1.36', '1.36'],
    ['library/busybox', 'docker.io/library/busybox', 'busybox', 'latest'],
    ['docker.io/library/busybox:x', 'docker.io/library/busybox', 'busybox:x', 'x'],
    ['index.docker.io/foo/bar', 'docker.io/foo/bar', 'foo/bar', 'latest'],
    ['127.0.0.1:5055/bb:v1', '127.0.0.1:5055/bb', '127.0.0.1:5055/bb:v1', 'v1'],
    ['localhost/x', 'localhost/x', 'localhost/x', 'latest'],
    ['ghcr.io/a/b/c@sha256:' + 'a'.repeat(64), 'ghcr.io/a/b/c', `ghcr.io/a/b/c@sha256:${'a'.repeat(64)}`, `sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, name, fam, tag] of table) {
    it(input, () => {
      const r = parseNormalizedNamed(input);
      assert.equal(r.name, name);
      assert.equal(familiarString(r), fam);
      assert.equal(apiTag(r), tag);
    });
  }
  it('errors', () => {
    assert.throws(() => parseNormalizedNamed('UPPER'), { message: 'invalid reference format: repository name (library/UPPER) must be lowercase' });
    assert.throws(() => parseNormalizedNamed('a'.repeat(64)), /cannot specify 64-byte hexadecimal strings/);
    assert.throws(() => parseNormalizedNamed('bad:tag:x'), { message: 'invalid reference format' });
  });
  it('tagNameOnly and familiarName', () => {
    assert.equal(tagNameOnly(parseNormalizedNamed('x')).tag, 'latest');
    assert.equal(familiarName(parseNormalizedNamed('library/x/y')), 'library/x/y');
  });
  it('truncateId', () => {
    assert.equal(truncateId(`sha256:${'0123456789abcdef'.repeat(4)}`), '0123456789ab');
    assert.equal(truncateId('abc'), 'abc');
  });
});
