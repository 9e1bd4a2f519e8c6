/**
 * Command-line parsing with spf13/pflag semantics (the docker CLI's parser), so flags, errors and quirks match:
 * `--name=v`, `--name v`, bool flags take no separate value (`--rm=false` is how to negate), combined shorthands
 * (`-itd`), attached short values (`-p8080:80`, and `-p=8080:80` with the `=` stripped), `--` ends flags, and with
 * interspersed=false (run/create/exec) everything after the first positional argument is left untouched.
 */
import type { FlagSpec } from './spec.ts';
import { goQuote } from './spec.ts';

export class FlagError extends Error {
  override name = 'FlagError';
}

/** `--help` (or `-h` where -h is not another flag) was given. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

export interface Parsed {
  opts: Record<string, unknown>;
  /** Long names of the flags that appeared on the command line. */
  changed: Set<string>;
  args: string[];
  /** Messages pflag prints to stderr while parsing (deprecated shorthands). */
  warnings: string[];
}

export class FlagSet {
  readonly #byName = new Map<string, FlagSpec>();
  readonly #byShort = new Map<string, FlagSpec>();
  readonly specs: FlagSpec[];
  #warnings: string[] = [];

  constructor(specs: FlagSpec[]) {
    this.specs = specs;
    for (const f of specs) {
      this.#byName.set(f.name, f);
      if (f.short) this.#byShort.set(f.short, f);
    }
  }

  lookup(name: string): FlagSpec | undefined {
    return this.#byName.get(name);
  }

  initialOpts(): Record<string, unknown> {
    const opts: Record<string, unknown> = {};
    for (const f of this.specs) {
      if (!(f.dest in opts)) opts[f.dest] = structuredCloneSimple(f.initial);
    }
    return opts;
  }

  /**
   * Parses argv. With interspersed=false parsing stops at the first non-flag argument.
   * With stopAtFirstArg (used for global flags before the command name) the same applies.
   */
  parse(argv: string[], interspersed = true): Parsed {
    const opts = this.initialOpts();
    const changed = new Set<string>();
    const args: string[] = [];
    const warnings: string[] = [];
    this.#warnings = warnings;
    let rest = argv.slice();
    while (rest.length > 0) {
      const s = rest.shift()!;
      if (s.length === 0 || s[0] !== '-' || s.length === 1) {
        if (!interspersed) {
          args.push(s, ...rest);
          return { opts, changed, args, warnings };
        }
        args.push(s);
        continue;
      }
      if (s[1] === '-') {
        if (s.length === 2) {
          args.push(...rest);
          break;
        }
        rest = this.#parseLong(s, rest, opts, changed);
      } else {
        let shorthands = s.slice(1);
        while (shorthands.length > 0) {
          const r = this.#parseSingleShort(shorthands, rest, opts, changed, warnings);
          shorthands = r.shorthands;
          rest = r.rest;
        }
      }
    }
    return { opts, changed, args, warnings };
  }

  #set(flag: FlagSpec, value: string, opts: Record<string, unknown>, changed: Set<string>): void {
    try {
      opts[flag.dest] = flag.set(value, opts[flag.dest]);
    } catch (err) {
      const flagName = flag.short ? `-${flag.short}, --${flag.name}` : `--${flag.name}`;
      throw new FlagError(`invalid argument ${goQuote(value)} for ${goQuote(flagName)} flag: ${(err as Error).message}`);
    }
    changed.add(flag.name);
  }

  #parseLong(s: string, rest: string[], opts: Record<string, unknown>, changed: Set<string>): string[] {
    const full = s.slice(2);
    if (full.length === 0 || full[0] === '-' || full[0] === '=') throw new FlagError(`bad flag syntax: ${s}`);
    const eq = full.indexOf('=');
    const name = eq >= 0 ? full.slice(0, eq) : full;
    const flag = this.#byName.get(name);
    if (!flag) {
      if (name === 'help') throw new HelpRequested('help requested');
      throw new FlagError(`unknown flag: --${name}`);
    }
    let value: string;
    if (eq >= 0) value = full.slice(eq + 1);
    else if (flag.noOptDefVal !== undefined) value = flag.noOptDefVal;
    else if (rest.length > 0) {
      value = rest[0]!;
      rest = rest.slice(1);
    } else throw new FlagError(`flag needs an argument: ${s}`);
    if (flag.deprecated) this.#warnings.push(`Flag --${flag.name} has been deprecated, ${flag.deprecated}`);
    this.#set(flag, value, opts, changed);
    return rest;
  }

  #parseSingleShort(
    shorthands: string,
    rest: string[],
    opts: Record<string, unknown>,
    changed: Set<string>,
    warnings: string[],
  ): { shorthands: string; rest: string[] } {
    const c = shorthands[0]!;
    let outShorts = shorthands.slice(1);
    const flag = this.#byShort.get(c);
    if (!flag) {
      if (c === 'h') throw new HelpRequested('help requested');
      throw new FlagError(`unknown shorthand flag: '${c}' in -${shorthands}`);
    }
    let value: string;
    if (shorthands.length > 2 && shorthands[1] === '=') {
      value = shorthands.slice(2);
      outShorts = '';
    } else if (flag.noOptDefVal !== undefined) value = flag.noOptDefVal;
    else if (shorthands.length > 1) {
      value = shorthands.slice(1);
      outShorts = '';
    } else if (rest.length > 0) {
      value = rest[0]!;
      rest = rest.slice(1);
    } else throw new FlagError(`flag needs an argument: '${c}' in -${shorthands}`);
    if (flag.shorthandDeprecated) warnings.push(`Flag shorthand -${c} has been deprecated, ${flag.shorthandDeprecated}`);
    else if (flag.deprecated) warnings.push(`Flag --${flag.name} has been deprecated, ${flag.deprecated}`);
    this.#set(flag, value, opts, changed);
    return { shorthands: outShorts, rest };
  }
}

function structuredCloneSimple(v: unknown): unknown {
  if (Array.isArray(v)) return v.slice();
  if (v && typeof v === 'object') return { ...(v as object) };
  return v;
}
