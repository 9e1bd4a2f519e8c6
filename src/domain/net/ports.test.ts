import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExposeSpec, parsePortKey, parsePortSpec, parsePortSpecs, toStandardNotation, validatePortBindings } from './ports.ts';

describe('parsePortSpec (docker -p)', () => {
  const ok: [string, [string, string, string][]][] = [
    ['80', [['80/tcp', '', '']]],
    ['8080:80', [['80/tcp', '', '8080']]],
    ['127.0.0.1:8080:80', [['80/tcp', '127.0.0.1', '8080']]],
    ['127.0.0.1::81/udp', [['81/udp', '127.0.0.1', '']]],
    ['[::1]:8080:80', [['80/tcp', '::1', '8080']]],
    ['::1:8080:80', [['80/tcp', '::1', '8080']]],
    ['53:53/UDP', [['53/udp', '', '53']]],
    ['80/sctp', [['80/sctp', '', '']]],
    [
      '1234-1236:1234-1236/tcp',
      [
        ['1234/tcp', '', '1234'],
        ['1235/tcp', '', '1235'],
        ['1236/tcp', '', '1236'],
      ],
    ],
    ['1234-1236:1234', [['1234/tcp', '', '1234-1236']]],
    [
      '7000-7001',
      [
        ['7000/tcp', '', ''],
        ['7001/tcp', '', ''],
      ],
    ],
  ];
  for (const [spec, want] of ok) {
    it(`parses ${spec}`, () => {
      assert.deepEqual(
        parsePortSpec(spec).map((m) => [m.port, m.binding.HostIp, m.binding.HostPort]),
        want,
      );
    });
  }
  const bad: [string, string][] = [
    ['abc', 'invalid containerPort: abc'],
    ['8080:', 'no port specified: 8080:<empty>'],
    ['x:8080:80', 'invalid IP address: x'],
    ['8080:80/foo', 'invalid proto: foo'],
    ['abc:80', 'invalid hostPort: abc'],
    ['70000:80', 'invalid hostPort: 70000'],
    ['1-3:1-2', 'invalid ranges specified for container and host Ports: 1-2 and 1-3'],
    ['5-1', 'invalid containerPort: 5-1'],
  ];
  for (const [spec, msg] of bad) it(`refuses ${spec}`, () => assert.throws(() => parsePortSpec(spec), { message: msg }));

  it('accumulates bindings and exposed ports (ParsePortSpecs), long syntax included', () => {
    const r = parsePortSpecs(['8080:80', '127.0.0.1:9090:80', 'published=5353,target=53,protocol=udp']);
    assert.deepEqual(r.exposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(r.portBindings, {
      '80/tcp': [
        { HostIp: '', HostPort: '8080' },
        { HostIp: '127.0.0.1', HostPort: '9090' },
      ],
      '53/udp': [{ HostIp: '', HostPort: '5353' }],
    });
    assert.equal(toStandardNotation('target=80'), ':80/tcp');
    assert.throws(() => toStandardNotation('target=80,oops'), { message: "invalid publish opts format (should be name=value but got 'oops')" });
  });

  it('parses --expose', () => {
    assert.deepEqual(parseExposeSpec('80'), ['80/tcp']);
    assert.deepEqual(parseExposeSpec('7000-7002/udp'), ['7000/udp', '7001/udp', '7002/udp']);
    assert.throws(() => parseExposeSpec('80:80'), { message: 'invalid port format for --expose: 80:80' });
    assert.throws(() => parseExposeSpec('x'), /invalid range format for --expose: x/);
  });

  it('parses port keys', () => {
    assert.deepEqual(parsePortKey('80/tcp'), { port: 80, proto: 'tcp' });
    assert.deepEqual(parsePortKey('53/udp'), { port: 53, proto: 'udp' });
    assert.deepEqual(parsePortKey('80'), { port: 80, proto: 'tcp' });
    assert.throws(() => parsePortKey('abc/tcp'), { message: 'invalid port specification: "abc"' });
  });
});

describe('validatePortBindings (API)', () => {
  const cases: [Record<string, unknown>, string | undefined][] = [
    [{ '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, undefined],
    [{ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, undefined],
    [{ '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] }, undefined],
    [{ '80/tcp': null }, undefined],
    [{ 'abc/tcp': [] }, 'invalid port specification: "abc"'],
    [{ '80-81/tcp': [] }, 'invalid port specification: "80-81"'],
    [{ '80/tcp': [{ HostIp: '', HostPort: 'abc' }] }, 'invalid port specification: "abc"'],
    [{ '80/tcp': [{ HostIp: 'nope', HostPort: '' }] }, 'invalid host IP address: "nope"'],
  ];
  for (const [b, msg] of cases) {
    it(`${JSON.stringify(b)} → ${msg ?? 'ok'}`, () => {
      if (msg) assert.throws(() => validatePortBindings(b as never), { message: msg });
      else validatePortBindings(b as never);
    });
  }
});
