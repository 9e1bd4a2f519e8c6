import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, FlagSet, HelpRequested } from './parser.ts';
import { boolFlag, intFlag, listFlag, stringFlag } from './spec.ts';
import { flagUsagesWrapped } from './usage.ts';

const specs = () => [
  boolFlag('interactive', 'Keep STDIN open', { short: 'i' }),
  boolFlag('tty', 'Allocate a pseudo-TTY', { short: 't' }),
  boolFlag('detach', 'Run in background', { short: 'd' }),
  boolFlag('sig-proxy', 'Proxy signals', { def: true }),
  listFlag('publish', 'Publish ports', { short: 'p' }),
  stringFlag('name', 'Name'),
  intFlag('last', 'Last n', { short: 'n', def: -1 }),
  intFlag('time', 'Old timeout', { dest: 'last', deprecated: 'use --last instead' }),
];

describe('pflag semantics', () => {
  const table: { argv: string[]; interspersed?: boolean; opts: Record<string, unknown>; args: string[] }[] = [
    { argv: ['-itd', 'img'], opts: { interactive: true, tty: true, detach: true }, args: ['img'] },
    { argv: ['-p=81:81', 'img'], opts: { publish: ['81:81'] }, args: ['img'] },
    { argv: ['-p8080:80', '-p', '9:9', 'img'], opts: { publish: ['8080:80', '9:9'] }, args: ['img'] },
    { argv: ['--name=x', '--name', 'y'], opts: { name: 'y' }, args: [] },
    { argv: ['--sig-proxy=false', 'img'], opts: { sigProxy: false }, args: ['img'] },
    { argv: ['-dn', '3'], opts: { detach: true, last: 3 }, args: [] },
    { argv: ['-n0x10'], opts: { last: 16 }, args: [] },
    { argv: ['img', '--name', 'x'], interspersed: false, opts: { name: '' }, args: ['img', '--name', 'x'] },
    { argv: ['img', '--name', 'x'], interspersed: true, opts: { name: 'x' }, args: ['img'] },
    { argv: ['--', '-d', 'x'], opts: { detach: false }, args: ['-d', 'x'] },
    { argv: ['-', 'x'], opts: {}, args: ['-', 'x'] },
  ];
  for (const t of table) {
    it(t.argv.join(' '), () => {
      const p = new FlagSet(specs()).parse(t.argv, t.interspersed ?? true);
      for (const [k, v] of Object.entries(t.opts)) assert.deepEqual(p.opts[k], v, k);
      assert.deepEqual(p.args, t.args);
    });
  }

  const errors: [string[], string][] = [
    [['--foo'], 'unknown flag: --foo'],
    [['-H'], "unknown shorthand flag: 'H' in -H"],
    [['-dH'], "unknown shorthand flag: 'H' in -H"],
    [['-p'], "flag needs an argument: 'p' in -p"],
    [['--name'], 'flag needs an argument: --name'],
    [['--last=abc'], 'invalid argument "abc" for "-n, --last" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [['--tty=maybe'], 'invalid argument "maybe" for "-t, --tty" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['---x'], 'bad flag syntax: ---x'],
  ];
  for (const [argv, msg] of errors) {
    it(`error: ${argv.join(' ')}`, () => assert.throws(() => new FlagSet(specs()).parse(argv), (e: Error) => e instanceof FlagError && e.message === msg));
  }

  it('--help without a help flag asks for help', () => {
    assert.throws(() => new FlagSet(specs()).parse(['--help']), HelpRequested);
  });

  it('deprecated flags warn and still set the shared destination', () => {
    const p = new FlagSet(specs()).parse(['--time', '4']);
    assert.equal(p.opts.last, 4);
    assert.deepEqual(p.warnings, ['Flag --time has been deprecated, use --last instead']);
    assert.ok(p.changed.has('time'));
  });
});

describe('help option block', () => {
  it('sorts, aligns, wraps and shows non-zero defaults like pflag', () => {
    const text = flagUsagesWrapped(specs(), 79);
    assert.equal(
      text,
      [
        '  -d, --detach         Run in background',
        '  -i, --interactive    Keep STDIN open',
        '  -n, --last int       Last n (default -1)',
        '      --name string    Name',
        '  -p, --publish list   Publish ports',
        '      --sig-proxy      Proxy signals (default true)',
        '  -t, --tty            Allocate a pseudo-TTY',
        '',
      ].join('\n'),
    );
  });
  it('wraps long usage text under the usage column', () => {
    const text = flagUsagesWrapped([stringFlag('format', 'Format output using a custom template: with a description long enough to be wrapped twice at least')], 50);
    assert.equal(
      text,
      '      --format string   Format output using\n                        a custom template:\n                        with a description\n                        long enough to be\n                        wrapped twice at least\n',
    );
  });
});
