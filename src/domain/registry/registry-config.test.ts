import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPrefix, parseIp, parsePrefix, prefixContains } from './ip.ts';
import { hostOf, isSecureRegistry, parseRegistryHosts, parseRegistrySettings, registryEndpoints, validateMirror } from './registry-config.ts';

describe('IP addresses and prefixes', () => {
  it('parses v4, v6, mapped and zoned addresses', () => {
    assert.deepEqual(parseIp('127.0.0.1'), { v: 4, n: 0x7f000001n });
    assert.deepEqual(parseIp('::1'), { v: 6, n: 1n });
    assert.deepEqual(parseIp('::ffff:10.0.0.1'), { v: 4, n: 0x0a000001n });
    assert.deepEqual(parseIp('fe80::1%eth0'), { v: 6, n: (0xfe80n << 112n) | 1n });
    assert.deepEqual(parseIp('2001:db8::1.2.3.4'), { v: 6, n: (0x2001n << 112n) | (0xdb8n << 96n) | 0x01020304n });
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', 'a::b::c', 'localhost', '1:2:3:4:5:6:7:8:9', '']) assert.equal(parseIp(bad), undefined, bad);
  });
  it('masks prefixes and tests containment', () => {
    const p = parsePrefix('10.1.2.3/8')!;
    assert.equal(formatPrefix(p), '10.0.0.0/8');
    assert.ok(prefixContains(p, parseIp('10.200.0.1')!));
    assert.ok(!prefixContains(p, parseIp('11.0.0.1')!));
    assert.ok(!prefixContains(p, parseIp('::ffff:11.0.0.1')!));
    assert.ok(prefixContains(parsePrefix('::1/128')!, parseIp('::1')!));
    assert.equal(formatPrefix(parsePrefix('2001:db8:0:0:1::/64')!), '2001:db8::/64');
    assert.equal(parsePrefix('10.0.0.0/33'), undefined);
    assert.equal(parsePrefix('10.0.0.0'), undefined);
  });
});

describe('daemon.json registry settings', () => {
  it('validates mirrors with dockerd wording', () => {
    assert.equal(validateMirror('https://mirror.gcr.io'), 'https://mirror.gcr.io/');
    assert.equal(validateMirror('http://127.0.0.1:5000/prefix/'), 'http://127.0.0.1:5000/prefix/');
    assert.throws(() => validateMirror('mirror.gcr.io'), /invalid mirror: no scheme specified for "mirror.gcr.io": must use either 'https:\/\/' or 'http:\/\/'/);
    assert.throws(() => validateMirror('ftp://x'), /invalid mirror: unsupported scheme "ftp" in "ftp:\/\/x"/);
    assert.throws(() => validateMirror('https://x/?a=b'), /query or fragment/);
    assert.throws(() => validateMirror('https://me:pw@x'), /invalid mirror: username\/password not allowed in URI "https:\/\/me:xxxxx@x"/);
  });
  it('parses insecure registries: CIDRs, host:port, schemes dropped, defaults added', () => {
    const h = parseRegistryHosts(['10.0.0.0/8', 'http://myreg:5000', 'registry.local', '10.0.0.0/8'], 'insecure registry', ['127.0.0.0/8']);
    assert.deepEqual(h.cidrs.map(formatPrefix), ['10.0.0.0/8', '127.0.0.0/8']);
    assert.deepEqual([...h.hosts], ['myreg:5000', 'registry.local']);
    assert.throws(() => parseRegistryHosts(['ftp://x'], 'insecure registry'), /insecure registry ftp:\/\/x should not contain ':\/\/'/);
    assert.throws(() => parseRegistryHosts(['-bad'], 'insecure registry'), /Cannot begin or end with a hyphen/);
    assert.throws(() => parseRegistryHosts(['host:99999'], 'insecure registry'), /insecure registry host:99999 is not valid: invalid port "99999"/);
  });
  it('decides what is secure', () => {
    const s = parseRegistrySettings({ insecureRegistries: ['myreg:5000', '192.168.0.0/16'] });
    const ip = (x: string) => [parseIp(x)!];
    assert.equal(isSecureRegistry(s, 'docker.io', []), true);
    assert.equal(isSecureRegistry(s, 'myreg:5000', []), false);
    assert.equal(isSecureRegistry(s, 'myreg:5001', ip('8.8.8.8')), true);
    assert.equal(isSecureRegistry(s, 'localhost:5000', ip('127.0.0.1')), false, '127.0.0.0/8 by default');
    assert.equal(isSecureRegistry(s, '[::1]:5000', ip('::1')), false, '::1/128 by default');
    assert.equal(isSecureRegistry(s, 'reg.lan', ip('192.168.3.4')), false);
    assert.equal(hostOf('[::1]:5000'), '::1');
    assert.equal(hostOf('::1'), '::1');
    assert.equal(hostOf('reg:5000'), 'reg');
  });
});

describe('registry endpoints', () => {
  const s = parseRegistrySettings({ mirrors: ['https://mirror.example', 'http://127.0.0.1:5001/'], insecureRegistries: ['insecure.example:5000'] });
  const secure = (h: string) => !['127.0.0.1:5001', 'insecure.example:5000'].includes(h);
  it('Docker Hub: mirrors first for pulls, then registry-1.docker.io', () => {
    assert.deepEqual(
      registryEndpoints(s, 'docker.io', true, secure, () => false).map((e) => [e.url, e.mirror, e.official, e.skipVerify, e.certsHost]),
      [
        ['https://mirror.example', true, false, false, 'mirror.example'],
        ['http://127.0.0.1:5001', true, false, true, undefined],
        ['https://registry-1.docker.io', false, true, false, undefined],
      ],
    );
    assert.deepEqual(
      registryEndpoints(s, 'docker.io', false, secure, () => false).map((e) => e.url),
      ['https://registry-1.docker.io'],
      'no mirrors for push',
    );
  });
  it('a secure registry gets https with certs.d; an insecure one https unverified, then http', () => {
    assert.deepEqual(
      registryEndpoints(s, 'reg.example:443', true, secure, () => true).map((e) => [e.url, e.skipVerify, e.certsHost, e.allowNondistributable]),
      [['https://reg.example:443', false, 'reg.example:443', true]],
    );
    assert.deepEqual(
      registryEndpoints(s, 'insecure.example:5000', true, secure, () => false).map((e) => [e.url, e.skipVerify]),
      [
        ['https://insecure.example:5000', true],
        ['http://insecure.example:5000', true],
      ],
    );
  });
});
