import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { challengeScopes, challengesOf, parseChallenges, repositoryScope } from './auth-challenge.ts';
import { authConfigFrom, basicCredentials, decodeRegistryAuth, encodeRegistryAuth, hasCredentials, loginHost } from './auth-config.ts';

describe('WWW-Authenticate challenges', () => {
  const cases: [string, ReturnType<typeof parseChallenges>][] = [
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } }],
    ],
    [
      'Bearer realm="https://auth.docker.io/token", service="registry.docker.io", scope="repository:library/busybox:pull", error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull', error: 'insufficient_scope' },
        },
      ],
    ],
    ['BEARER Realm=x,Service="a \\"quoted\\" b"', [{ scheme: 'bearer', params: { realm: 'x', service: 'a "quoted" b' } }]],
    [
      'Basic realm="b", Bearer realm="t",service="s"',
      [
        { scheme: 'basic', params: { realm: 'b' } },
        { scheme: 'bearer', params: { realm: 't', service: 's' } },
      ],
    ],
    ['', []],
    ['Bearer realm="unterminated', [{ scheme: 'bearer', params: {} }]],
  ];
  for (const [h, want] of cases) it(JSON.stringify(h), () => assert.deepEqual(parseChallenges(h), want));

  it('collects several headers and reads scopes', () => {
    const cs = challengesOf(['Basic realm="x"', 'Bearer realm="y",scope="repository:a:pull repository:b:pull,push"']);
    assert.equal(cs.length, 2);
    assert.deepEqual(challengeScopes(cs[1]!), ['repository:a:pull', 'repository:b:pull,push']);
    assert.equal(repositoryScope('library/busybox', ['push', 'pull']), 'repository:library/busybox:push,pull');
  });
});

describe('X-Registry-Auth and /auth bodies', () => {
  it('decodes what the docker CLI sends, tolerating junk', () => {
    assert.deepEqual(decodeRegistryAuth('e30='), {});
    assert.deepEqual(decodeRegistryAuth(undefined), {});
    assert.deepEqual(decodeRegistryAuth('!!!not base64 json'), {});
    const h = encodeRegistryAuth({ username: 'u', password: 'p?>', serveraddress: '127.0.0.1:5000' });
    assert.ok(!/[+/]/.test(h), 'base64url');
    assert.deepEqual(decodeRegistryAuth(h), { username: 'u', password: 'p?>', serveraddress: '127.0.0.1:5000' });
  });
  it('matches keys case-insensitively and ignores non-strings', () => {
    assert.deepEqual(authConfigFrom({ Username: 'a', PASSWORD: 'b', email: 3, IdentityToken: 't', other: 'x' }), { username: 'a', password: 'b', identitytoken: 't' });
    assert.deepEqual(authConfigFrom([1]), {});
  });
  it('takes basic credentials from "auth" when the plain fields are empty', () => {
    assert.deepEqual(basicCredentials({ auth: Buffer.from('me:se:cret').toString('base64') }), { username: 'me', password: 'se:cret' });
    assert.equal(basicCredentials({ username: 'only' }), undefined);
    assert.equal(hasCredentials({}), false);
    assert.equal(hasCredentials({ identitytoken: 'x' }), true);
  });
  it('finds the login host', () => {
    assert.equal(loginHost(''), 'docker.io');
    assert.equal(loginHost('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(loginHost('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
    assert.equal(loginHost('localhost:5000'), 'localhost:5000');
  });
});
