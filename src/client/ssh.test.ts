import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointFromContext, parseHost, resolveEndpoint } from './host.ts';
import type { SshSpec } from './ssh.ts';
import { parseSshUrl, remoteDialCommand, shellQuote, sshArgs } from './ssh.ts';

describe('parseSshUrl (docker ssh.NewSpec over Go url.Parse)', () => {
  const ok: [string, SshSpec][] = [
    ['ssh://host', { user: '', host: 'host', port: '', path: '' }],
    ['ssh://me@host', { user: 'me', host: 'host', port: '', path: '' }],
    ['ssh://me@host:2222', { user: 'me', host: 'host', port: '2222', path: '' }],
    ['ssh://me@host:2222/var/run/docker.sock', { user: 'me', host: 'host', port: '2222', path: '/var/run/docker.sock' }],
    ['ssh://[::1]:22', { user: '', host: '::1', port: '22', path: '' }],
    ['ssh://[fe80::1]', { user: '', host: 'fe80::1', port: '', path: '' }],
    ['ssh://us%20er@127.0.0.1:1', { user: 'us er', host: '127.0.0.1', port: '1', path: '' }],
    ['ssh://host:', { user: '', host: 'host', port: '', path: '' }],
    ['ssh://a@b@host', { user: 'a@b', host: 'host', port: '', path: '' }],
  ];
  for (const [url, want] of ok) it(url, () => assert.deepEqual(parseSshUrl(url), want));

  const bad: [string, string][] = [
    ['ssh://', 'ssh host connection is not valid: invalid SSH URL: hostname is empty'],
    ['ssh://me@', 'ssh host connection is not valid: invalid SSH URL: hostname is empty'],
    ['ssh://a:b@host', 'ssh host connection is not valid: invalid SSH URL: plain-text password is not supported'],
    ['ssh://host?x=1', 'ssh host connection is not valid: invalid SSH URL: query parameters are not allowed: "x=1"'],
    ['ssh://host#f', 'ssh host connection is not valid: invalid SSH URL: fragments are not allowed: "f"'],
    ['ssh://host:abc', 'parse "ssh://host:abc": invalid port ":abc" after host'],
    ['ssh://[::1]x', 'parse "ssh://[::1]x": invalid port "x" after host'],
    ['ssh://[::1', `parse "ssh://[::1": missing ']' in host`],
    ['ssh://a b@host', 'parse "ssh://a b@host": net/url: invalid userinfo'],
    ['ssh://a%zz@host', 'parse "ssh://a%zz@host": invalid URL escape "%zz"'],
  ];
  for (const [url, msg] of bad) it(`${url} is refused`, () => assert.throws(() => parseSshUrl(url), { name: 'SshUrlError', message: msg }));
});

describe('ssh argv (docker connhelper order)', () => {
  it('flags, -l, -p, --, host, remote command', () => {
    assert.deepEqual(sshArgs({ user: 'root', host: '127.0.0.1', port: '1', path: '' }), [
      '-o ConnectTimeout=30',
      '-T',
      '-l',
      'root',
      '-p',
      '1',
      '--',
      '127.0.0.1',
      'command -v berth >/dev/null 2>&1 && exec berth system dial-stdio || exec docker system dial-stdio',
    ]);
  });
  it('no user, no port: ssh config decides', () => {
    assert.deepEqual(sshArgs({ user: '', host: 'box', port: '', path: '' }).slice(0, 4), ['-o ConnectTimeout=30', '-T', '--', 'box']);
  });
  it('a socket path goes to the remote CLI as --host, quoted for the remote shell', () => {
    assert.equal(
      remoteDialCommand({ user: '', host: 'h', port: '', path: '/run/berth/berth.sock' }),
      'command -v berth >/dev/null 2>&1 && exec berth --host=unix:///run/berth/berth.sock system dial-stdio || exec docker --host=unix:///run/berth/berth.sock system dial-stdio',
    );
    assert.match(remoteDialCommand({ user: '', host: 'h', port: '', path: "/tmp/a b'c.sock" }), /exec berth '--host=unix:\/\/\/tmp\/a b'\\''c\.sock' system/);
    assert.doesNotMatch(remoteDialCommand({ user: '', host: 'h', port: '', path: '/' }), /--host/, 'a bare "/" is no path');
  });
  it('shellQuote', () => {
    assert.equal(shellQuote('plain/path-1.sock'), 'plain/path-1.sock');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('a;b'), "'a;b'");
  });
});

describe('ssh:// endpoints', () => {
  it('parseHost keeps ssh:// addresses as written', () => assert.equal(parseHost('ssh://me@h:22/x', false), 'ssh://me@h:22/x'));
  it('-H ssh:// resolves to an ssh endpoint, TLS flags ignored', () => {
    const ep = resolveEndpoint({ hosts: ['ssh://me@h:22'], tls: true, tlsverify: false }, { DOCKER_CERT_PATH: '/nonexistent' });
    assert.deepEqual(ep, { kind: 'ssh', ssh: { user: 'me', host: 'h', port: '22', path: '' }, url: 'ssh://me@h:22' });
  });
  it('DOCKER_HOST=ssh://', () => assert.equal(resolveEndpoint({ hosts: [], tls: false, tlsverify: false }, { DOCKER_HOST: 'ssh://h' }).kind, 'ssh'));
  it('a context endpoint', () => assert.equal(endpointFromContext('ssh://h', false, {}).kind, 'ssh'));
  it('a malformed address fails resolution', () => {
    assert.throws(() => resolveEndpoint({ hosts: ['ssh://'], tls: false, tlsverify: false }, {}), { name: 'SshUrlError' });
  });
});
