import { InvalidArgumentError } from '../../common/errors.ts';
import { familiarName, familiarString, type Reference } from './reference.ts';

/**
 * Go's path.Match: `*` matches any run of characters except '/', `?` one such character, `[a-z]` / `[^a-z]`
 * classes, `\` escapes. A malformed pattern throws InvalidArgumentError("syntax error in pattern").
 */
export function globMatch(pattern: string, name: string): boolean {
  return globToRegExp(pattern).test(name);
}

const bad = (): InvalidArgumentError => new InvalidArgumentError('syntax error in pattern');

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i]!;
    if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= n) throw bad();
      re += escapeRe(pattern[i + 1]!);
      i += 2;
    } else if (c === '[') {
      i++;
      let cls = '';
      let negate = false;
      if (pattern[i] === '^') {
        negate = true;
        i++;
      }
      let count = 0;
      for (;;) {
        if (i >= n) throw bad();
        if (pattern[i] === ']' && count > 0) {
          i++;
          break;
        }
        let lo = pattern[i]!;
        if (lo === '\\') {
          i++;
          if (i >= n) throw bad();
          lo = pattern[i]!;
        } else if (lo === ']' || lo === '-') {
          throw bad();
        }
        i++;
        let range = escapeRe(lo);
        if (pattern[i] === '-') {
          i++;
          if (i >= n) throw bad();
          let hi = pattern[i]!;
          if (hi === '\\') {
            i++;
            if (i >= n) throw bad();
            hi = pattern[i]!;
          } else if (hi === ']' || hi === '-') {
            throw bad();
          }
          i++;
          if (hi < lo) throw bad();
          range = `${escapeRe(lo)}-${escapeRe(hi)}`;
        }
        cls += range;
        count++;
      }
      re += negate ? `(?!/)[^${cls}]` : `[${cls}]`;
    } else {
      re += escapeRe(c);
      i++;
    }
  }
  return new RegExp(`^${re}$`, 's');
}

/** reference.FamiliarMatch: the pattern against "bb:latest", then against "bb". */
export function familiarMatch(pattern: string, ref: Reference): boolean {
  const re = globToRegExp(pattern);
  return re.test(familiarString(ref)) || re.test(familiarName(ref));
}
