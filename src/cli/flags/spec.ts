/**
 * Flag definitions in the style of spf13/pflag (what the docker CLI uses): every flag has a long name, an
 * optional one-letter shorthand, a type name shown in help ("string", "list", "bytes", …), a default shown in
 * help, and a setter that folds each occurrence into the option value (repeatable flags accumulate).
 */

export interface FlagSpec {
  name: string;
  short?: string;
  usage: string;
  /** pflag Value.Type(): "bool", "string", "int", "list", "bytes", … ("" hides the type in help for bools). */
  type: string;
  /** Initial value of the option. */
  initial: unknown;
  /** pflag DefValue as shown in help ("(default …)" unless it is the zero value for the type). */
  defText: string;
  /** Value used when the flag is given without "=value" (bool flags: "true"). */
  noOptDefVal?: string;
  hidden?: boolean;
  /** pflag Deprecated: hidden from help; using it prints "Flag --x has been deprecated, <text>". */
  deprecated?: string;
  /** pflag ShorthandDeprecated: using the shorthand prints "Flag shorthand -x has been deprecated, <text>". */
  shorthandDeprecated?: string;
  /** Key in the parsed options object; flags that are aliases (--net / --network) share one. */
  dest: string;
  /** Folds one occurrence into the current value; throws Error(message) when the value is invalid. */
  set: (value: string, current: unknown) => unknown;
}

export type Validator = (value: string) => string;

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

interface Common {
  short?: string;
  deprecated?: string;
  hidden?: boolean;
  shorthandDeprecated?: string;
  dest?: string;
}

export function boolFlag(name: string, usage: string, o: Common & { def?: boolean } = {}): FlagSpec {
  const def = o.def ?? false;
  return {
    name,
    short: o.short,
    usage,
    type: 'bool',
    initial: def,
    defText: String(def),
    noOptDefVal: 'true',
    hidden: o.hidden || !!o.deprecated,
    deprecated: o.deprecated,
    shorthandDeprecated: o.shorthandDeprecated,
    dest: o.dest ?? camel(name),
    set: (v) => parseBool(v),
  };
}

export function stringFlag(name: string, usage: string, o: Common & { def?: string; type?: string } = {}): FlagSpec {
  const def = o.def ?? '';
  return {
    name,
    short: o.short,
    usage,
    type: o.type ?? 'string',
    initial: def,
    defText: def,
    hidden: o.hidden || !!o.deprecated,
    deprecated: o.deprecated,
    dest: o.dest ?? camel(name),
    set: (v) => v,
  };
}

export function intFlag(name: string, usage: string, o: Common & { def?: number; bits?: 16 | 32 | 64; unsigned?: boolean; type?: string } = {}): FlagSpec {
  const def = o.def ?? 0;
  const bits = o.bits ?? 64;
  const unsigned = o.unsigned ?? false;
  return {
    name,
    short: o.short,
    usage,
    type: o.type ?? (unsigned ? (bits === 64 ? 'uint64' : `uint${bits}`) : bits === 64 ? 'int' : `int${bits}`),
    initial: def,
    defText: String(def),
    hidden: o.hidden || !!o.deprecated,
    deprecated: o.deprecated,
    dest: o.dest ?? camel(name),
    set: (v) => (unsigned ? parseUint(v, bits) : parseInt64(v, bits)),
  };
}

/** opts.ListOpts: repeatable, type "list", optional validator that may rewrite the value. */
export function listFlag(name: string, usage: string, o: Common & { validate?: Validator; type?: string } = {}): FlagSpec {
  return {
    name,
    short: o.short,
    usage,
    type: o.type ?? 'list',
    initial: [],
    defText: '',
    hidden: o.hidden || !!o.deprecated,
    deprecated: o.deprecated,
    dest: o.dest ?? camel(name),
    set: (v, cur) => [...(cur as string[]), o.validate ? o.validate(v) : v],
  };
}

/** pflag stringSlice / stringArray style flags that split on commas are not needed yet; custom values use this. */
export function customFlag<T>(
  name: string,
  usage: string,
  type: string,
  initial: T,
  set: (value: string, current: T) => T,
  o: Common & { defText?: string } = {},
): FlagSpec {
  return {
    name,
    short: o.short,
    usage,
    type,
    initial,
    defText: o.defText ?? '',
    hidden: o.hidden || !!o.deprecated,
    deprecated: o.deprecated,
    dest: o.dest ?? camel(name),
    set: set as (value: string, current: unknown) => unknown,
  };
}

/** strconv.ParseBool */
export function parseBool(v: string): boolean {
  switch (v) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
  }
  throw new Error(`strconv.ParseBool: parsing ${goQuote(v)}: invalid syntax`);
}

/** strconv.ParseInt(v, 0, bits) as pflag's int flags use it (base prefixes 0x, 0o, 0b and underscores allowed). */
export function parseInt64(v: string, bits: number = 64): number {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(v);
  if (!m) throw new Error(`strconv.ParseInt: parsing ${goQuote(v)}: invalid syntax`);
  const body = m[2]!.replace(/_/g, '');
  let n: bigint;
  if (/^0[xXoObB]/.test(body)) n = BigInt(body.toLowerCase());
  else if (body.length > 1 && body[0] === '0') n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  if (m[1] === '-') n = -n;
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -(1n << BigInt(bits - 1));
  if (n > max || n < min) throw new Error(`strconv.ParseInt: parsing ${goQuote(v)}: value out of range`);
  return Number(n);
}

export function parseUint(v: string, bits: number = 64): number {
  if (!/^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(v)) {
    throw new Error(`strconv.ParseUint: parsing ${goQuote(v)}: invalid syntax`);
  }
  let n: bigint;
  if (/^0[xXoObB]/.test(v)) n = BigInt(v.toLowerCase());
  else if (v.length > 1 && v[0] === '0') n = BigInt(`0o${v.slice(1)}`);
  else n = BigInt(v);
  if (n >= 1n << BigInt(bits)) throw new Error(`strconv.ParseUint: parsing ${goQuote(v)}: value out of range`);
  return Number(n);
}

/** strconv.Quote for the ASCII-printable common case (what Go's %q prints). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

/** pflag StringSlice: each occurrence is a CSV list; values accumulate. */
export function stringSliceFlag(name: string, usage: string, o: Common = {}): FlagSpec {
  return {
    name,
    short: o.short,
    usage,
    type: 'strings',
    initial: [],
    defText: '[]',
    hidden: o.hidden,
    dest: o.dest ?? camel(name),
    set: (v, cur) => [...(cur as string[]), ...(v === '' ? [] : splitCsv(v))],
  };
}

function splitCsv(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (quoted) {
      if (c === '"' && v[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
