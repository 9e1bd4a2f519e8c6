/** Go text/template's built-in functions, fmt's Sprintf subset, and docker's template functions. */
import type { TemplateFunc } from './exec.ts';
import { GoNumber, NO_VALUE, goJsonEncode, goPrint, isPlainObject, isTemplateObject, truth } from './value.ts';

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof GoNumber) return Number(v.text);
  return undefined;
}

function basicKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (num(v) !== undefined) return 'number';
  if (v === null || v === undefined || v === NO_VALUE) return 'nil';
  return 'other';
}

function eqOne(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'number') return num(a) === num(b);
  if (ka === 'other') throw new Error('non-comparable type');
  return a === b;
}

function lessThan(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb || ka === 'nil' || ka === 'other' || ka === 'bool') throw new Error('incompatible types for comparison');
  if (ka === 'number') return num(a)! < num(b)!;
  return (a as string) < (b as string);
}

function indexOne(item: unknown, key: unknown): unknown {
  if (item === null || item === undefined || item === NO_VALUE) throw new Error('index of untyped nil');
  if (Array.isArray(item) || typeof item === 'string') {
    const i = num(key);
    if (i === undefined || !Number.isInteger(i)) throw new Error(`cannot index slice/array with type ${typeof key}`);
    if (i < 0 || i >= item.length) throw new Error(`index out of range: ${i}`);
    return typeof item === 'string' ? item.charCodeAt(i) : item[i];
  }
  if (isPlainObject(item)) {
    const k = String(key);
    if (Object.hasOwn(item, k)) return item[k];
    const vals = Object.values(item);
    return vals.every((x) => typeof x === 'string') ? '' : null;
  }
  throw new Error(`can't index item of type ${typeof item}`);
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new Error(`len of type ${typeof v}`);
}

/** fmt.Sprint: spaces only between operands when neither is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goPrint(a === NO_VALUE ? null : a);
  });
  return out;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  const n = [...s].length;
  if (n >= width) return s;
  const fill = (zero && !left ? '0' : ' ').repeat(width - n);
  if (zero && !left && /^[+-]/.test(s)) return s[0] + fill + s.slice(1);
  return left ? s + fill : fill + s;
}

/** A subset of fmt.Sprintf: %v %s %q %d %t %x %X %o %b %f %e %g %c %% with flags, width and precision. */
export function sprintf(format: string, ...args: unknown[]): string {
  let out = '';
  let ai = 0;
  const re = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(format))) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', w, p, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    let width = w === '*' ? Number(args[ai++]) : w ? Number(w) : 0;
    const prec = p === '*' ? Number(args[ai++]) : p !== undefined ? Number(p) : undefined;
    const left = flags.includes('-');
    if (width < 0) width = -width;
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[ai++];
    const n = num(a);
    let s: string;
    switch (verb) {
      case 'v':
        s = goPrint(a === NO_VALUE ? null : a);
        break;
      case 's':
        s = typeof a === 'string' ? a : goPrint(a);
        if (prec !== undefined) s = [...s].slice(0, prec).join('');
        break;
      case 'q':
        s = typeof a === 'string' ? JSON.stringify(a) : `%!q(${goPrint(a)})`;
        break;
      case 't':
        s = typeof a === 'boolean' ? String(a) : `%!t(${goPrint(a)})`;
        break;
      case 'd':
        s = n !== undefined && Number.isInteger(n) ? String(n) : `%!d(${typeof a}=${goPrint(a)})`;
        if (flags.includes('+') && n !== undefined && n >= 0) s = `+${s}`;
        break;
      case 'x':
      case 'X':
        s = n !== undefined ? n.toString(16) : Buffer.from(String(a)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      case 'o':
        s = n !== undefined ? n.toString(8) : `%!o(${goPrint(a)})`;
        break;
      case 'b':
        s = n !== undefined ? n.toString(2) : `%!b(${goPrint(a)})`;
        break;
      case 'f':
      case 'F':
        s = n !== undefined ? n.toFixed(prec ?? 6) : `%!f(${goPrint(a)})`;
        break;
      case 'e':
        s = n !== undefined ? n.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2') : `%!e(${goPrint(a)})`;
        break;
      case 'g':
        s = n !== undefined ? (prec !== undefined ? String(Number(n.toPrecision(prec))) : goPrint(n)) : `%!g(${goPrint(a)})`;
        break;
      case 'c':
        s = n !== undefined ? String.fromCodePoint(n) : `%!c(${goPrint(a)})`;
        break;
      default:
        s = `%!${verb}(${goPrint(a)})`;
    }
    out += pad(s, width, left, flags.includes('0') && 'dxXobfFeg'.includes(verb!));
  }
  out += format.slice(last);
  if (ai < args.length) out += `%!(EXTRA ${args.slice(ai).map((x) => `${typeof x === 'string' ? 'string' : 'int'}=${goPrint(x)}`).join(', ')})`;
  return out;
}

function str(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof GoNumber) return v.text;
  throw new Error(`wrong type for value; expected string; got ${v === null ? 'nil' : typeof v} (in ${fn})`);
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\n\r\t]/g, (c) =>
    ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!,
  );
}

/** strings.Title: upper-cases the first letter of every word. */
function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, pre: string, ch: string) => pre + ch.toUpperCase());
}

export const builtinFuncs: Record<string, TemplateFunc> = {
  not: (a) => !truth(a),
  len: (a) => length(a),
  index: (item, ...keys) => keys.reduce((cur, k) => indexOne(cur, k), item),
  slice: (item, ...idx) => {
    const [i = 0, j] = idx.map((x) => num(x) ?? 0);
    if (typeof item === 'string' || Array.isArray(item)) return item.slice(i, j);
    throw new Error(`can't slice item of type ${typeof item}`);
  },
  print: (...args) => sprint(args),
  println: (...args) => `${args.map((a) => goPrint(a === NO_VALUE ? null : a)).join(' ')}\n`,
  printf: (format, ...args) => sprintf(str(format, 'printf'), ...args),
  eq: (a, ...bs) => {
    if (bs.length === 0) throw new Error('missing argument for comparison');
    return bs.some((b) => eqOne(a, b));
  },
  ne: (a, b) => !eqOne(a, b),
  lt: (a, b) => lessThan(a, b),
  le: (a, b) => lessThan(a, b) || eqOne(a, b),
  gt: (a, b) => !lessThan(a, b) && !eqOne(a, b),
  ge: (a, b) => !lessThan(a, b),
  html: (...args) => htmlEscape(sprint(args)),
  js: (...args) => jsEscape(sprint(args)),
  urlquery: (...args) => encodeURIComponent(sprint(args)).replace(/%20/g, '+'),
  call: (fn, ...args) => {
    if (typeof fn !== 'function') throw new Error('non-function of type');
    return (fn as TemplateFunc)(...args);
  },
};

/** docker/cli templates.basicFunctions */
export const dockerFuncs: Record<string, TemplateFunc> = {
  json: (v) => goJsonEncode(v),
  split: (s, sep) => {
    const a = str(s, 'split');
    const b = str(sep, 'split');
    if (b === '') return [...a];
    return a.split(b);
  },
  join: (list, sep) => {
    if (!Array.isArray(list)) throw new Error('wrong type for value; expected []string');
    return list.map((x) => str(x, 'join')).join(str(sep, 'join'));
  },
  title: (s) => title(str(s, 'title')),
  lower: (s) => str(s, 'lower').toLowerCase(),
  upper: (s) => str(s, 'upper').toUpperCase(),
  pad: (s, prefix, suffix) => {
    const v = str(s, 'pad');
    if (v === '') return v;
    return ' '.repeat(num(prefix) ?? 0) + v + ' '.repeat(num(suffix) ?? 0);
  },
  truncate: (s, n) => {
    const v = str(s, 'truncate');
    const len = num(n) ?? 0;
    const b = Buffer.from(v);
    return b.length < len ? v : b.subarray(0, len).toString('utf8');
  },
};

/** docker/cli templates.HeaderFunctions: header rows keep the header text through these. */
export const headerFuncs: Record<string, TemplateFunc> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
};

export { isTemplateObject };
