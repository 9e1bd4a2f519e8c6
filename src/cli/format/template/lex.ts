/** Lexer for Go text/template (the subset docker's --format uses): text, {{actions}}, trim markers, comments. */

export type TokKind =
  | 'text'
  | 'left'
  | 'right'
  | 'space'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'dot'
  | 'string'
  | 'rawstring'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'keyword'
  | 'eof';

export interface Token {
  kind: TokKind;
  val: string;
  pos: number;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src[i] === '\n') n++;
  return n;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

let unicodeAlnum: RegExp | undefined;

/** Go's isAlphaNumeric; ASCII without a regex (a \p{…} regex costs milliseconds to compile at start-up). */
function isAlnum(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
  unicodeAlnum ??= /[\p{L}\p{N}_]/u;
  return unicodeAlnum.test(c);
}

export function lex(src: string, name = ''): Token[] {
  const toks: Token[] = [];
  let pos = 0;
  const err = (msg: string, at: number): never => {
    throw new TemplateError(`template: ${name}:${lineOf(src, at)}: ${msg}`);
  };
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    if (open < 0) {
      toks.push({ kind: 'text', val: src.slice(pos), pos });
      pos = src.length;
      break;
    }
    let textEnd = open;
    const trimLeft = src[open + 2] === '-' && isSpace(src[open + 3]);
    let text = src.slice(pos, textEnd);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text.length > 0) toks.push({ kind: 'text', val: text, pos });
    let p = open + 2 + (trimLeft ? 2 : 0);
    // comment
    if (src.startsWith('/*', p)) {
      const endC = src.indexOf('*/', p + 2);
      if (endC < 0) err('unclosed comment', open);
      p = endC + 2;
      let trimRight = false;
      if (src.startsWith(' -}}', p)) {
        trimRight = true;
        p += 4;
      } else if (src.startsWith('}}', p)) p += 2;
      else err('comment ends before closing delimiter', open);
      if (trimRight) while (isSpace(src[p])) p++;
      pos = p;
      textEnd = p;
      continue;
    }
    toks.push({ kind: 'left', val: '{{', pos: open });
    let parenDepth = 0;
    for (;;) {
      if (p >= src.length) err('unclosed action', open);
      if (src.startsWith(' -}}', p) || src.startsWith('\t-}}', p) || src.startsWith('\n-}}', p)) {
        toks.push({ kind: 'right', val: '}}', pos: p + 1 });
        p += 4;
        while (isSpace(src[p])) p++;
        break;
      }
      if (src.startsWith('}}', p)) {
        if (parenDepth > 0) err('unclosed left paren', p);
        toks.push({ kind: 'right', val: '}}', pos: p });
        p += 2;
        break;
      }
      const c = src[p]!;
      if (isSpace(c)) {
        const s = p;
        while (isSpace(src[p]) && !src.startsWith(' -}}', p)) p++;
        toks.push({ kind: 'space', val: src.slice(s, p), pos: s });
        continue;
      }
      if (c === '|') {
        toks.push({ kind: 'pipe', val: c, pos: p++ });
        continue;
      }
      if (c === '(') {
        parenDepth++;
        toks.push({ kind: 'lparen', val: c, pos: p++ });
        continue;
      }
      if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) err(`unexpected right paren U+0029 ')'`, p);
        toks.push({ kind: 'rparen', val: c, pos: p++ });
        continue;
      }
      if (c === ',') {
        toks.push({ kind: 'comma', val: c, pos: p++ });
        continue;
      }
      if (c === ':' && src[p + 1] === '=') {
        toks.push({ kind: 'declare', val: ':=', pos: p });
        p += 2;
        continue;
      }
      if (c === '=') {
        toks.push({ kind: 'assign', val: '=', pos: p++ });
        continue;
      }
      if (c === '"') {
        const s = p++;
        while (p < src.length && src[p] !== '"') {
          if (src[p] === '\\') p++;
          if (src[p] === '\n') err('unterminated quoted string', s);
          p++;
        }
        if (p >= src.length) err('unterminated quoted string', s);
        p++;
        toks.push({ kind: 'string', val: src.slice(s, p), pos: s });
        continue;
      }
      if (c === '`') {
        const e = src.indexOf('`', p + 1);
        if (e < 0) err('unterminated raw quoted string', p);
        toks.push({ kind: 'rawstring', val: src.slice(p, e + 1), pos: p });
        p = e + 1;
        continue;
      }
      if (c === "'") {
        const s = p++;
        while (p < src.length && src[p] !== "'") {
          if (src[p] === '\\') p++;
          p++;
        }
        p++;
        toks.push({ kind: 'char', val: src.slice(s, p), pos: s });
        continue;
      }
      if (c === '$') {
        const s = p++;
        while (isAlnum(src[p])) p++;
        toks.push({ kind: 'variable', val: src.slice(s, p), pos: s });
        continue;
      }
      if (c === '.') {
        if (/[0-9]/.test(src[p + 1] ?? '')) {
          const m = /^\.[0-9][0-9_]*([eE][+-]?[0-9]+)?/.exec(src.slice(p))!;
          toks.push({ kind: 'number', val: m[0], pos: p });
          p += m[0].length;
          continue;
        }
        if (isAlnum(src[p + 1])) {
          const s = p++;
          while (isAlnum(src[p])) p++;
          toks.push({ kind: 'field', val: src.slice(s, p), pos: s });
          continue;
        }
        toks.push({ kind: 'dot', val: '.', pos: p++ });
        continue;
      }
      if (/[0-9+-]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?)(i)?/.exec(src.slice(p));
        if (!m || m[0] === '+' || m[0] === '-') err(`bad number syntax: "${src.slice(p, p + 2)}"`, p);
        if (isAlnum(src[p + m![0].length])) err(`bad number syntax: "${src.slice(p, p + m![0].length + 1)}"`, p);
        toks.push({ kind: 'number', val: m![0], pos: p });
        p += m![0].length;
        continue;
      }
      if (isAlnum(c)) {
        const s = p;
        while (isAlnum(src[p])) p++;
        const word = src.slice(s, p);
        if (word === 'true' || word === 'false') toks.push({ kind: 'bool', val: word, pos: s });
        else if (word === 'nil') toks.push({ kind: 'nil', val: word, pos: s });
        else if (KEYWORDS.has(word)) toks.push({ kind: 'keyword', val: word, pos: s });
        else toks.push({ kind: 'identifier', val: word, pos: s });
        continue;
      }
      err(`unexpected ${JSON.stringify(c)} in command`, p);
    }
    pos = p;
  }
  toks.push({ kind: 'eof', val: '', pos: src.length });
  return toks;
}

export { lineOf };
