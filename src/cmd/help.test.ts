import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../domain/config/daemon-config.ts';
import { BERTHD_USAGE } from './help.ts';

/** The option lines of `berthd --help`: short flag, long flag, value type, where the description starts. */
function options(): { short?: string; long: string; type?: string; descAt: number; line: string }[] {
  const lines = BERTHD_USAGE.split('\n');
  const from = lines.indexOf('Options:') + 1;
  return lines
    .slice(from)
    .filter((l) => l !== '')
    .map((line) => {
      const m = /^ {2}(?:-(\w), | {4})--([a-z0-9-]+)(?: ([a-z]+))? +(?=\S)/.exec(line);
      assert.ok(m, `an option line: ${JSON.stringify(line)}`);
      return { short: m[1], long: m[2]!, type: m[3], descAt: m[0].length, line };
    });
}

test('berthd --help lists its flags sorted by long name (pflag order), descriptions in one column', () => {
  const opts = options();
  const names = opts.map((o) => o.long);
  assert.deepEqual(names, [...names].sort(), 'sorted by long name');
  assert.equal(new Set(opts.map((o) => o.descAt)).size, 1, 'one description column');
});

test('the security flags are listed as dockerd words them', () => {
  const byName = new Map(options().map((o) => [o.long, o]));
  assert.match(byName.get('userns-remap')?.line ?? '', / --userns-remap string +User\/Group setting for user namespaces$/);
  assert.match(byName.get('seccomp-profile')?.line ?? '', / --seccomp-profile string +Path to seccomp profile\. Set to "unconfined" to disable the default seccomp profile \(default "builtin"\)$/);
  assert.match(byName.get('no-new-privileges')?.line ?? '', / --no-new-privileges +Set no-new-privileges by default for new containers$/);
});

test('every flag the help lists is one the daemon takes', () => {
  for (const o of options()) {
    if (o.long === 'version' || o.long === 'help') continue;
    const argv = o.type ? [`--${o.long}`, 'x'] : [`--${o.long}`];
    try {
      parseArgs(argv);
    } catch (err) {
      // a bad value is fine here ("x" is no ulimit); an unknown flag is not
      assert.doesNotMatch((err as Error).message, /unknown (shorthand )?flag/, o.long);
    }
    if (o.short) {
      try {
        parseArgs(o.type ? [`-${o.short}`, 'x'] : [`-${o.short}`]);
      } catch (err) {
        assert.doesNotMatch((err as Error).message, /unknown (shorthand )?flag/, `-${o.short}`);
      }
    }
  }
});
