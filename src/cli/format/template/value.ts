/**
 * Values as Go's text/template sees them, and how Go prints them (fmt %v) and encodes them (encoding/json).
 * JSON numbers keep their source text (GoNumber, like json.Decoder.UseNumber) so int64s print exactly.
 * Template "objects" (the formatter contexts) expose Go methods as JS methods; GO_TYPE names their Go type.
 */

export const GO_TYPE: unique symbol = Symbol('goType');
/** Marks an object whose missing keys read as "no value" (a Go map) even in strict mode. */
export const GO_MAP: unique symbol = Symbol('goMap');

export class GoNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  valueOf(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/** An invalid reflect.Value: a missing map key. Prints as "<no value>". */
export const NO_VALUE: unique symbol = Symbol('noValue');

export interface TemplateObject {
  [GO_TYPE]: string;
}

export function isTemplateObject(v: unknown): v is TemplateObject & Record<string | symbol, unknown> {
  return typeof v === 'object' && v !== null && GO_TYPE in v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoNumber) && !isTemplateObject(v);
}

/** Heuristic for JSON objects: Go structs have exported (capitalised) field names, maps usually don't. */
export function looksLikeStruct(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  return keys.length > 0 && !(GO_MAP in o) && keys.every((k) => /^[A-Z]/.test(k));
}

/** Parses JSON keeping number literals (json.Decoder.UseNumber). */
export function parseJsonUseNumber(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, ctx?: { source?: string }) {
    if (typeof value === 'number') return new GoNumber(ctx?.source ?? String(value));
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/** strconv.FormatFloat(f, 'g', -1, 64) — what %v prints for a float64 (1e+06, 0.5, 1.5e-05). */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expStr] = f.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}

/** fmt %v of a value (text/template's printValue). */
export function goPrint(v: unknown): string {
  if (v === NO_VALUE || v === undefined) return '<no value>';
  return fmtV(v, true);
}

function fmtV(v: unknown, top: boolean): string {
  if (v === undefined || v === NO_VALUE) return '<nil>';
  if (v === null) return top ? '<nil>' : '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof GoNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map((x) => fmtV(x, false)).join(' ')}]`;
  if (isTemplateObject(v)) {
    const s = (v as { String?: () => string }).String;
    if (typeof s === 'function') return s.call(v);
    return `{${goFieldValues(v)
      .map((x) => fmtV(x, false))
      .join(' ')}}`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // An empty JSON object nested in a value is most often Go's struct{} (ExposedPorts, Volumes): "{}".
    if (!top && Object.keys(o).length === 0) return '{}';
    if (looksLikeStruct(o)) return `{${Object.values(o).map((x) => fmtV(x, false)).join(' ')}}`;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${fmtV(o[k], false)}`).join(' ')}]`;
  }
  return String(v);
}

/** The field values of a template object in declaration order (its exported zero-argument methods), for %v. */
function goFieldValues(obj: object): unknown[] {
  const protos: object[] = [];
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) protos.unshift(p);
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const proto of protos) {
    for (const n of Object.getOwnPropertyNames(proto)) {
      if (seen.has(n) || !/^[A-Z]/.test(n) || n === 'FullHeader' || n === 'MarshalJSON' || n === 'String') continue;
      seen.add(n);
      const f = (obj as Record<string, unknown>)[n];
      if (typeof f === 'function' && f.length === 0) out.push((f as () => unknown).call(obj));
    }
  }
  return out;
}

/** The JSON fields of a template object: every exported zero-argument method (formatter.MarshalJSON). */
export function templateJsonFields(obj: object): Record<string, unknown> {
  const names = new Set<string>();
  let proto: object | null = obj;
  while (proto && proto !== Object.prototype) {
    for (const n of Object.getOwnPropertyNames(proto)) names.add(n);
    proto = Object.getPrototypeOf(proto);
  }
  const out: Record<string, unknown> = {};
  for (const n of [...names].sort()) {
    if (!/^[A-Z]/.test(n) || n === 'FullHeader' || n === 'MarshalJSON' || n === 'String') continue;
    const f = (obj as Record<string, unknown>)[n];
    if (typeof f === 'function' && f.length === 0) out[n] = (f as () => unknown).call(obj);
  }
  return out;
}

/** encoding/json with SetEscapeHTML(false), as docker's `json` template function uses it. */
export function goJsonEncode(v: unknown): string {
  if (v === undefined || v === NO_VALUE || v === null) return 'null';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : jsonFloat(v)) : 'null';
  if (v instanceof GoNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(goJsonEncode).join(',')}]`;
  if (isTemplateObject(v)) {
    const m = (v as { MarshalJSON?: () => unknown }).MarshalJSON;
    const data = typeof m === 'function' ? m.call(v) : templateJsonFields(v);
    // MarshalJSON uses json.Marshal, which escapes <, > and & even under SetEscapeHTML(false).
    return goJsonEncode(data).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  }
  if (typeof v === 'object') {
    // Objects keep their order: daemon JSON already has Go's order (struct fields declared, map keys sorted),
    // and maps the CLI builds are built sorted.
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    return `{${keys.map((k) => `${jsonString(k)}:${goJsonEncode(o[k])}`).join(',')}}`;
  }
  return 'null';
}

function jsonFloat(f: number): string {
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    const [m, e] = f.toExponential().split('e');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return String(f);
}

function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** text/template's truth: zero values, empty collections and nil are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === NO_VALUE) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoNumber) return Number(v.text) !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isTemplateObject(v)) return true;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return looksLikeStruct(o) || Object.keys(o).length > 0;
  }
  return true;
}

/** Go type name for error messages. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined || v === NO_VALUE) return 'interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (v instanceof GoNumber) return 'json.Number';
  if (Array.isArray(v)) return '[]interface {}';
  if (isTemplateObject(v)) return v[GO_TYPE];
  return 'map[string]interface {}';
}
