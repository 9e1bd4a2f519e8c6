/** Parser for Go text/template: builds the node tree that exec.ts evaluates. */
import type { Token } from './lex.ts';
import { TemplateError, lex, lineOf } from './lex.ts';

export type Node =
  | { type: 'text'; text: string; pos: number }
  | { type: 'action'; pipe: Pipe; pos: number }
  | { type: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; elseList?: Node[]; pos: number }
  | { type: 'break' | 'continue'; pos: number }
  | { type: 'template'; name: string; pipe?: Pipe; pos: number };

export interface Pipe {
  decl: string[];
  isAssign: boolean;
  cmds: Cmd[];
  pos: number;
}

export interface Cmd {
  args: Arg[];
  pos: number;
}

export type Arg =
  | { type: 'field'; idents: string[]; pos: number }
  | { type: 'variable'; idents: string[]; pos: number }
  | { type: 'identifier'; name: string; pos: number }
  | { type: 'dot'; pos: number }
  | { type: 'nil'; pos: number }
  | { type: 'literal'; value: unknown; text: string; pos: number }
  | { type: 'pipe'; pipe: Pipe; pos: number }
  | { type: 'chain'; node: Arg; fields: string[]; pos: number };

export interface Tree {
  root: Node[];
  funcs: { name: string; pos: number }[];
  defines: Map<string, Node[]>;
  src: string;
  name: string;
}

export function argText(a: Arg): string {
  switch (a.type) {
    case 'field':
      return `.${a.idents.join('.')}`;
    case 'variable':
      return a.idents.join('.');
    case 'identifier':
      return a.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'literal':
      return a.text;
    case 'pipe':
      return `(${pipeText(a.pipe)})`;
    case 'chain':
      return `${argText(a.node)}.${a.fields.join('.')}`;
  }
}

export function pipeText(p: Pipe): string {
  const decl = p.decl.length ? `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} ` : '';
  return decl + p.cmds.map((c) => c.args.map(argText).join(' ')).join(' | ');
}

function unquote(tok: Token): string {
  if (tok.kind === 'rawstring') return tok.val.slice(1, -1);
  const body = tok.val.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
      default:
        if (/[0-7]/.test(e[0]!)) return String.fromCharCode(Number.parseInt(e, 8));
        return e;
    }
  });
}

function parseNumber(text: string): number {
  const t = text.replace(/_/g, '');
  if (/^[+-]?0[xXbBoO]/.test(t)) {
    const neg = t.startsWith('-');
    const v = Number(t.replace(/^[+-]/, '').toLowerCase());
    return neg ? -v : v;
  }
  return Number(t);
}

class Parser {
  readonly #t: Token[];
  #i = 0;
  readonly #src: string;
  readonly #name: string;
  readonly defines = new Map<string, Node[]>();
  /** Function names used, for Go's parse-time "function not defined" check. */
  readonly funcs: { name: string; pos: number }[] = [];
  #rangeDepth = 0;

  constructor(src: string, name: string) {
    this.#src = src;
    this.#name = name;
    this.#t = lex(src, name);
  }

  #err(msg: string, pos: number): never {
    throw new TemplateError(`template: ${this.#name}:${lineOf(this.#src, pos)}: ${msg}`);
  }

  #peek(): Token {
    return this.#t[this.#i]!;
  }

  #next(): Token {
    return this.#t[this.#i++]!;
  }

  #peekNonSpace(): Token {
    while (this.#peek().kind === 'space') this.#i++;
    return this.#peek();
  }

  #nextNonSpace(): Token {
    const t = this.#peekNonSpace();
    this.#i++;
    return t;
  }

  parse(): Node[] {
    const { list, end } = this.#itemList(new Set());
    if (end) this.#err(`unexpected {{${end}}}`, this.#peek().pos);
    return list;
  }

  /** Parses nodes until one of the stop keywords ({{end}}, {{else}}) at this level; returns which one. */
  #itemList(stop: Set<string>): { list: Node[]; end?: string; endTok?: Token } {
    const list: Node[] = [];
    for (;;) {
      const t = this.#next();
      if (t.kind === 'eof') {
        if (stop.size > 0) this.#err('unexpected EOF', t.pos);
        return { list };
      }
      if (t.kind === 'text') {
        list.push({ type: 'text', text: t.val, pos: t.pos });
        continue;
      }
      // left delim
      const k = this.#peekNonSpace();
      if (k.kind === 'keyword') {
        if (k.val === 'end' || k.val === 'else') {
          if (!stop.has(k.val)) this.#err(`unexpected {{${k.val}}}`, k.pos);
          this.#nextNonSpace();
          return { list, end: k.val, endTok: k };
        }
        this.#nextNonSpace();
        list.push(this.#control(k));
        continue;
      }
      const pipe = this.#pipeline('command');
      list.push({ type: 'action', pipe, pos: pipe.pos });
    }
  }

  #expectRight(context: string): void {
    const t = this.#nextNonSpace();
    if (t.kind !== 'right') this.#err(`unexpected ${tokDesc(t)} in ${context}`, t.pos);
  }

  #control(k: Token): Node {
    switch (k.val) {
      case 'if':
      case 'with':
      case 'range': {
        if (k.val === 'range') this.#rangeDepth++;
        const pipe = this.#pipeline(k.val);
        const { list, end } = this.#itemList(new Set(['end', 'else']));
        let elseList: Node[] | undefined;
        if (end === 'else') {
          const n = this.#peekNonSpace();
          if (n.kind === 'keyword' && (n.val === 'if' || n.val === 'with') && n.val === k.val) {
            // {{else if …}} / {{else with …}}: nested control sharing the {{end}}.
            this.#nextNonSpace();
            elseList = [this.#control(n)];
          } else {
            this.#expectRight('else');
            const r = this.#itemList(new Set(['end']));
            elseList = r.list;
            this.#expectRight('end');
          }
        } else {
          this.#expectRight('end');
        }
        if (k.val === 'range') this.#rangeDepth--;
        return { type: k.val, pipe, list, elseList, pos: k.pos };
      }
      case 'break':
      case 'continue':
        if (this.#rangeDepth === 0) this.#err(`{{${k.val}}} outside {{range}}`, k.pos);
        this.#expectRight(k.val);
        return { type: k.val, pos: k.pos };
      case 'define': {
        const nameTok = this.#nextNonSpace();
        if (nameTok.kind !== 'string' && nameTok.kind !== 'rawstring') this.#err('define: expected name', nameTok.pos);
        this.#expectRight('define clause');
        const { list } = this.#itemList(new Set(['end']));
        this.#expectRight('end');
        this.defines.set(unquote(nameTok), list);
        return { type: 'text', text: '', pos: k.pos };
      }
      case 'template':
      case 'block': {
        const nameTok = this.#nextNonSpace();
        if (nameTok.kind !== 'string' && nameTok.kind !== 'rawstring') this.#err(`unexpected ${tokDesc(nameTok)} in template clause`, nameTok.pos);
        const name = unquote(nameTok);
        let pipe: Pipe | undefined;
        if (this.#peekNonSpace().kind !== 'right') pipe = this.#pipeline('template clause');
        else this.#nextNonSpace();
        if (k.val === 'block') {
          const { list } = this.#itemList(new Set(['end']));
          this.#expectRight('end');
          this.defines.set(name, list);
        }
        return { type: 'template', name, pipe, pos: k.pos };
      }
      default:
        this.#err(`unexpected ${k.val}`, k.pos);
    }
  }

  /** Parses a pipeline up to the closing }} (consumed) or, inside parens, up to ')' (not consumed). */
  #pipeline(context: string, inParens = false): Pipe {
    const start = this.#peekNonSpace();
    const pipe: Pipe = { decl: [], isAssign: false, cmds: [], pos: start.pos };
    // declarations: $x := / $x, $y := / $x =
    const save = this.#i;
    const v = this.#peekNonSpace();
    if (v.kind === 'variable') {
      this.#nextNonSpace();
      const n = this.#peekNonSpace();
      if (n.kind === 'declare' || n.kind === 'assign') {
        this.#nextNonSpace();
        pipe.decl.push(v.val);
        pipe.isAssign = n.kind === 'assign';
      } else if (n.kind === 'comma' && context === 'range') {
        this.#nextNonSpace();
        const v2 = this.#nextNonSpace();
        if (v2.kind !== 'variable') this.#err('range can only initialize variables', v2.pos);
        const d = this.#nextNonSpace();
        if (d.kind !== 'declare' && d.kind !== 'assign') this.#err('expected := or = in range', d.pos);
        pipe.decl.push(v.val, v2.val);
        pipe.isAssign = d.kind === 'assign';
      } else {
        this.#i = save;
      }
    }
    for (;;) {
      const t = this.#peekNonSpace();
      if (t.kind === 'right' && !inParens) {
        this.#nextNonSpace();
        if (pipe.cmds.length === 0) this.#err(`missing value for ${context}`, t.pos);
        return pipe;
      }
      if (t.kind === 'rparen' && inParens) {
        if (pipe.cmds.length === 0) this.#err(`missing value for ${context}`, t.pos);
        return pipe;
      }
      if (t.kind === 'eof') this.#err('unclosed action', t.pos);
      const cmd = this.#command(inParens);
      // Go's checkPipeline: only the first stage may start with a non-executable operand (A|B|C: B is stage 2)
      const head = cmd.args[0]!;
      if (pipe.cmds.length > 0 && (head.type === 'dot' || head.type === 'nil' || head.type === 'literal')) {
        this.#err(`non executable command in pipeline stage ${pipe.cmds.length + 1}`, cmd.pos);
      }
      pipe.cmds.push(cmd);
    }
  }

  #command(inParens: boolean): Cmd {
    const cmd: Cmd = { args: [], pos: this.#peekNonSpace().pos };
    for (;;) {
      this.#peekNonSpace();
      const operand = this.#operand();
      if (operand) cmd.args.push(operand);
      const t = this.#peek();
      if (t.kind === 'space') {
        this.#peekNonSpace();
        continue;
      }
      if (t.kind === 'right' || (t.kind === 'rparen' && inParens)) break;
      if (t.kind === 'pipe') {
        this.#next();
        break;
      }
      if (!operand) this.#err(`unexpected ${tokDesc(t)} in operand`, t.pos);
      this.#err(`unexpected ${tokDesc(t)} in operand`, t.pos);
    }
    if (cmd.args.length === 0) this.#err('empty command', cmd.pos);
    return cmd;
  }

  #operand(): Arg | undefined {
    let node = this.#term();
    if (!node) return undefined;
    if (this.#peek().kind === 'field') {
      // Go positions a chain at its second field (parse.go newChain(t.peek().pos, …)).
      const chainPos = this.#peek().pos;
      const fields: string[] = [];
      while (this.#peek().kind === 'field') fields.push(this.#next().val.slice(1));
      if (node.type === 'field') node = { type: 'field', idents: [...node.idents, ...fields], pos: chainPos };
      else if (node.type === 'variable') node = { type: 'variable', idents: [...node.idents, ...fields], pos: chainPos };
      else if (node.type === 'literal' || node.type === 'nil') this.#err(`unexpected . after term ${JSON.stringify(argText(node))}`, node.pos);
      else node = { type: 'chain', node, fields, pos: node.pos };
    }
    return node;
  }

  #term(): Arg | undefined {
    const t = this.#peek();
    switch (t.kind) {
      case 'identifier':
        this.#next();
        this.funcs.push({ name: t.val, pos: t.pos });
        return { type: 'identifier', name: t.val, pos: t.pos };
      case 'dot':
        this.#next();
        return { type: 'dot', pos: t.pos };
      case 'nil':
        this.#next();
        return { type: 'nil', pos: t.pos };
      case 'variable':
        this.#next();
        return { type: 'variable', idents: [t.val], pos: t.pos };
      case 'field':
        this.#next();
        return { type: 'field', idents: [t.val.slice(1)], pos: t.pos };
      case 'bool':
        this.#next();
        return { type: 'literal', value: t.val === 'true', text: t.val, pos: t.pos };
      case 'number':
        this.#next();
        return { type: 'literal', value: parseNumber(t.val), text: t.val, pos: t.pos };
      case 'char':
        this.#next();
        return { type: 'literal', value: unquote({ ...t, val: `"${t.val.slice(1, -1)}"` }).codePointAt(0) ?? 0, text: t.val, pos: t.pos };
      case 'string':
      case 'rawstring':
        this.#next();
        return { type: 'literal', value: unquote(t), text: t.val, pos: t.pos };
      case 'lparen': {
        this.#next();
        const pipe = this.#pipeline('parenthesized pipeline', true);
        const close = this.#nextNonSpace();
        if (close.kind !== 'rparen') this.#err(`unclosed left paren`, t.pos);
        return { type: 'pipe', pipe, pos: t.pos };
      }
      default:
        return undefined;
    }
  }
}

/** Go's item.String(): keywords, "." and nil in angle brackets, long values cut to 10 characters. */
function tokDesc(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'right') return '"}}"';
  if (t.kind === 'keyword' || t.kind === 'dot' || t.kind === 'nil') return `<${t.val}>`;
  const chars = Array.from(t.val);
  if (chars.length > 10) return `${JSON.stringify(chars.slice(0, 10).join(''))}...`;
  return JSON.stringify(t.val);
}

export function parseTemplate(src: string, name = ''): Tree {
  const p = new Parser(src, name);
  const root = p.parse();
  return { root, funcs: p.funcs, defines: p.defines, src, name };
}
