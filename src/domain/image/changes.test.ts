import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyChanges, mergeCommitConfig, shellWords } from './changes.ts';
import type { ImageConfig } from './config.ts';
import { parseGoDuration, parseTimestamp } from './timestamp.ts';

describe('applyChanges', () => {
  const cases: [string, ImageConfig, string[], ImageConfig][] = [
    ['CMD exec form', {}, ['CMD ["sh"]'], { Cmd: ['sh'] }],
    ['CMD shell form', {}, ['CMD echo hi'], { Cmd: ['/bin/sh', '-c', 'echo hi'] }],
    ['ENTRYPOINT resets CMD', { Cmd: ['x'] }, ['ENTRYPOINT ["/bin/e"]'], { Cmd: null, Entrypoint: ['/bin/e'] }],
    ['CMD after ENTRYPOINT keeps both', {}, ['ENTRYPOINT ["e"]', 'CMD ["c"]'], { Entrypoint: ['e'], Cmd: ['c'] }],
    ['CMD before ENTRYPOINT survives', {}, ['CMD ["c"]', 'ENTRYPOINT ["e"]'], { Entrypoint: ['e'], Cmd: ['c'] }],
    ['ENV pairs and quotes', {}, ['ENV A=1 B="two words" C=x\\ y'], { Env: ['A=1', 'B=two words', 'C=x y'] }],
    ['ENV legacy form', {}, ['ENV A hello world'], { Env: ['A=hello world'] }],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax
    ['ENV expands and replaces', { Env: ['P=/bin', 'X=1'] }, ['ENV P=$P:/usr/bin Y=${X}2 Z=${NOPE:-d}'], { Env: ['P=/bin:/usr/bin', 'X=1', 'Y=12', 'Z=d'] }],
    ['ENV single quotes are literal', {}, ["ENV A='$HOME'"], { Env: ['A=$HOME'] }],
    ['LABEL', { Labels: { a: '1' } }, ['LABEL b=2 "c d"=3'], { Labels: { a: '1', b: '2', 'c d': '3' } }],
    ['EXPOSE ranges and protocols', {}, ['EXPOSE 80 53/UDP 8000-8001'], { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} } }],
    ['USER', {}, ['user nobody'], { User: 'nobody' }],
    ['WORKDIR relative joins', { WorkingDir: '/a' }, ['WORKDIR b/', 'WORKDIR c'], { WorkingDir: '/a/b/c' }],
    ['WORKDIR absolute', { WorkingDir: '/a' }, ['WORKDIR /x/../y'], { WorkingDir: '/y' }],
    ['VOLUME both forms', {}, ['VOLUME ["/data"]', 'VOLUME /a /b'], { Volumes: { '/data': {}, '/a': {}, '/b': {} } }],
    ['STOPSIGNAL', {}, ['STOPSIGNAL SIGINT'], { StopSignal: 'SIGINT' }],
    ['ONBUILD', {}, ['ONBUILD RUN echo hi'], { OnBuild: ['RUN echo hi'] }],
    ['HEALTHCHECK', {}, ['HEALTHCHECK --interval=5s --retries=3 CMD curl -f x'], { Healthcheck: { Interval: 5e9, Retries: 3, Test: ['CMD-SHELL', 'curl -f x'] } }],
    ['HEALTHCHECK NONE', {}, ['HEALTHCHECK NONE'], { Healthcheck: { Test: ['NONE'] } }],
    ['continuation lines and comments', {}, ['# comment\nENV A=1 \\\n B=2'], { Env: ['A=1', 'B=2'] }],
  ];
  for (const [name, base, changes, want] of cases) {
    it(name, () => assert.deepEqual(applyChanges(base, changes), want));
  }
  it('does not modify the base config', () => {
    const base: ImageConfig = { Env: ['A=1'] };
    applyChanges(base, ['ENV B=2']);
    assert.deepEqual(base, { Env: ['A=1'] });
  });

  const errors: [string[], RegExp][] = [
    [['RUN echo'], /: run is not a valid change command$/],
    [['FROM x'], /: from is not a valid change command$/],
    [['ENV'], /ENV requires at least one argument/],
    [['ENV A'], /ENV must have two arguments/],
    [['ENV =x'], /ENV names can not be blank/],
    [['EXPOSE 80/xyz'], /invalid proto: xyz/],
    [['EXPOSE abc'], /invalid containerPort: abc/],
    [['STOPSIGNAL BOGUS'], /Invalid signal: BOGUS/],
    [['ONBUILD ONBUILD RUN x'], /Chaining ONBUILD/],
    [['ONBUILD FROM x'], /FROM isn't allowed as an ONBUILD trigger/],
    [['USER a b'], /USER requires exactly one argument/],
    [['ENV A="x'], /matching double-quote/],
  ];
  for (const [changes, re] of errors) {
    it(`refuses ${changes.join(' / ')}`, () => assert.throws(() => applyChanges({}, changes), re));
  }
});

describe('shellWords', () => {
  it('splits, unquotes and expands', () => {
    assert.deepEqual(shellWords(`a "b c" 'd e' f\\ g $X "$X" '$X'`, ['X=1']), ['a', 'b c', 'd e', 'f g', '1', '1', '$X']);
  });
});

describe('mergeCommitConfig', () => {
  it('fills empty fields from the container config and merges env/labels', () => {
    const got = mergeCommitConfig({ Env: ['A=2'], Labels: { x: 'u' } }, { Env: ['A=1', 'B=1'], Labels: { x: 'c', y: 'c' }, Cmd: ['sh'], User: 'u', WorkingDir: '/w' });
    assert.deepEqual(got, { User: 'u', Env: ['A=2', 'B=1'], Labels: { x: 'u', y: 'c' }, Cmd: ['sh'], WorkingDir: '/w' });
  });
  it('keeps the user entrypoint and does not inherit cmd then', () => {
    const got = mergeCommitConfig({ Entrypoint: ['e'] }, { Cmd: ['sh'], Entrypoint: ['x'] });
    assert.deepEqual(got.Entrypoint, ['e']);
    assert.equal(got.Cmd, undefined);
  });
});

describe('timestamps', () => {
  it('parses Go durations', () => {
    assert.equal(parseGoDuration('1h30m'), 5400e9);
    assert.equal(parseGoDuration('1.5s'), 1.5e9);
    assert.equal(parseGoDuration('-2m'), -120e9);
    assert.throws(() => parseGoDuration('10'), /missing unit/);
    assert.throws(() => parseGoDuration('x'), /invalid duration/);
  });
  it('parses until/since values', () => {
    const now = Date.UTC(2026, 0, 2, 0, 0, 0);
    assert.equal(parseTimestamp('1700000000', now), 1700000000);
    assert.equal(parseTimestamp('1700000000.25', now), 1700000000.25);
    assert.equal(parseTimestamp('24h', now), now / 1000 - 86400);
    assert.equal(parseTimestamp('2026-01-01', now), Date.UTC(2026, 0, 1) / 1000);
    assert.equal(parseTimestamp('2026-01-01T10:00:00Z', now), Date.UTC(2026, 0, 1, 10) / 1000);
    assert.equal(parseTimestamp('2026-01-01T10:00:00+02:00', now), Date.UTC(2026, 0, 1, 8) / 1000);
    assert.throws(() => parseTimestamp('yesterday', now), /failed to parse value as time or duration/);
  });
});
