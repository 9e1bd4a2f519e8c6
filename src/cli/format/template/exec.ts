/** Executes a parsed Go text/template against JS data with Go's semantics (fields, methods, pipelines, range). */
import { lineOf } from './lex.ts';
import type { Arg, Cmd, Node, Pipe, Tree } from './parse.ts';
import { argText, pipeText } from './parse.ts';
import {
  GO_MAP,
  GoNumber,
  NO_VALUE,
  goPrint,
  goTypeName,
  isPlainObject,
  isTemplateObject,
  looksLikeStruct,
  truth,
} from './value.ts';

export type TemplateFunc = (...args: unknown[]) => unknown;

export interface ExecOptions {
  funcs: Record<string, TemplateFunc>;
  /** "error": a missing struct-like field fails (docker inspect's raw fallback uses missingkey=error). */
  missingKey?: 'default' | 'error';
}

class ExecError extends Error {
  override name = 'ExecError';
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

interface Scope {
  vars: { name: string; value: unknown }[];
}

export function execute(tree: Tree, data: unknown, opts: ExecOptions): string {
  const st = new State(tree, opts);
  const scope: Scope = { vars: [{ name: '$', value: data }] };
  st.walkList(tree.root, data, scope);
  return st.out;
}

class State {
  out = '';
  readonly tree: Tree;
  readonly opts: ExecOptions;
  #depth = 0;

  constructor(tree: Tree, opts: ExecOptions) {
    this.tree = tree;
    this.opts = opts;
  }

  errorf(pos: number, context: string, msg: string): never {
    const src = this.tree.src;
    const before = src.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const col = nl < 0 ? pos : pos - nl - 1;
    throw new ExecError(`template: ${this.tree.name}:${lineOf(src, pos)}:${col}: executing "${this.tree.name}" at <${context}>: ${msg}`);
  }

  walkList(list: Node[], dot: unknown, scope: Scope): typeof BREAK | typeof CONTINUE | undefined {
    for (const n of list) {
      const r = this.walk(n, dot, scope);
      if (r) return r;
    }
    return undefined;
  }

  walk(n: Node, dot: unknown, scope: Scope): typeof BREAK | typeof CONTINUE | undefined {
    switch (n.type) {
      case 'text':
        this.out += n.text;
        return undefined;
      case 'action': {
        const v = this.evalPipe(n.pipe, dot, scope);
        if (n.pipe.decl.length === 0) this.out += this.printable(v, n.pipe);
        return undefined;
      }
      case 'if':
      case 'with': {
        const inner: Scope = { vars: [...scope.vars] };
        const v = this.evalPipe(n.pipe, dot, inner);
        if (truth(v)) return this.walkList(n.list, n.type === 'with' ? v : dot, inner);
        if (n.elseList) return this.walkList(n.elseList, dot, { vars: [...scope.vars] });
        return undefined;
      }
      case 'range':
        return this.walkRange(n, dot, scope);
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
      case 'template': {
        const body = this.tree.defines.get(n.name);
        if (!body) this.errorf(n.pos, `template ${JSON.stringify(n.name)}`, `template: no template ${JSON.stringify(n.name)} associated with template ${JSON.stringify(this.tree.name)}`);
        const newDot = n.pipe ? this.evalPipe(n.pipe, dot, scope) : null;
        if (++this.#depth > 10000) this.errorf(n.pos, 'template', 'exceeded maximum template depth (100000)');
        this.walkList(body!, newDot, { vars: [{ name: '$', value: newDot }] });
        this.#depth--;
        return undefined;
      }
    }
  }

  printable(v: unknown, pipe: Pipe): string {
    if (typeof v === 'function') this.errorf(pipe.pos, pipeText(pipe), "can't print value of type func");
    return goPrint(v);
  }

  walkRange(n: Extract<Node, { type: 'if' | 'with' | 'range' }>, dot: unknown, scope: Scope): undefined {
    const inner: Scope = { vars: [...scope.vars] };
    const decl = n.pipe.decl;
    const val = this.evalPipe({ ...n.pipe, decl: [] }, dot, inner);
    const items: [unknown, unknown][] = [];
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) items.push([i, val[i]]);
    }
    else if (typeof val === 'number' || val instanceof GoNumber) {
      const count = Number(val);
      for (let i = 0; i < count; i++) items.push([i, i]);
    } else if (isPlainObject(val)) {
      for (const k of Object.keys(val).sort()) items.push([k, val[k]]);
    } else if (val === null || val === undefined || val === NO_VALUE) {
      // nothing
    } else {
      this.errorf(n.pos, pipeText(n.pipe), `range can't iterate over ${goPrint(val)}`);
    }
    if (items.length === 0) {
      if (n.elseList) this.walkList(n.elseList, dot, { vars: [...scope.vars] });
      return undefined;
    }
    for (const [k, e] of items) {
      const s: Scope = { vars: [...inner.vars] };
      if (decl.length === 1) s.vars.push({ name: decl[0]!, value: e });
      else if (decl.length === 2) s.vars.push({ name: decl[0]!, value: k }, { name: decl[1]!, value: e });
      const r = this.walkList(n.list, e, s);
      if (r === BREAK) break;
    }
    return undefined;
  }

  evalPipe(p: Pipe, dot: unknown, scope: Scope): unknown {
    let v: unknown = NO_VALUE;
    let first = true;
    for (const c of p.cmds) {
      v = this.evalCmd(c, dot, scope, first ? NO_VALUE : v, !first);
      first = false;
    }
    if (p.decl.length > 0) {
      if (p.isAssign) {
        const name = p.decl[0]!;
        const vv = [...scope.vars].reverse().find((x) => x.name === name);
        if (!vv) this.errorf(p.pos, pipeText(p), `undefined variable: ${name}`);
        vv!.value = v;
      } else {
        scope.vars.push({ name: p.decl[0]!, value: v });
      }
    }
    return v;
  }

  evalCmd(c: Cmd, dot: unknown, scope: Scope, final: unknown, hasFinal: boolean): unknown {
    const first = c.args[0]!;
    const rest = c.args.slice(1);
    switch (first.type) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.idents, rest, final, hasFinal, scope);
      case 'chain': {
        const base = this.evalArg(first.node, dot, scope);
        return this.evalFieldChain(dot, base, first, first.fields, rest, final, hasFinal, scope);
      }
      case 'identifier':
        return this.evalFunction(first.name, first, rest, dot, scope, final, hasFinal, c);
      case 'variable': {
        const base = this.lookupVar(first, scope);
        if (first.idents.length === 1) {
          if (rest.length > 0 || hasFinal) this.notAFunction(first, rest, hasFinal);
          return base;
        }
        return this.evalFieldChain(dot, base, first, first.idents.slice(1), rest, final, hasFinal, scope);
      }
      default:
        if (rest.length > 0 || hasFinal) this.notAFunction(first, rest, hasFinal);
        return this.evalArg(first, dot, scope);
    }
  }

  notAFunction(a: Arg, rest: Arg[], hasFinal: boolean): never {
    return this.errorf(a.pos, argText(a), `can't give argument to non-function ${argText(rest[0] ?? a)}${hasFinal && rest.length === 0 ? '' : ''}`);
  }

  lookupVar(a: Extract<Arg, { type: 'variable' }>, scope: Scope): unknown {
    const name = a.idents[0]!;
    for (let i = scope.vars.length - 1; i >= 0; i--) if (scope.vars[i]!.name === name) return scope.vars[i]!.value;
    return this.errorf(a.pos, name, `undefined variable: ${name}`);
  }

  evalArg(a: Arg, dot: unknown, scope: Scope): unknown {
    switch (a.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'literal':
        return a.value;
      case 'field':
        return this.evalFieldChain(dot, dot, a, a.idents, [], NO_VALUE, false, scope);
      case 'variable': {
        const base = this.lookupVar(a, scope);
        return a.idents.length === 1 ? base : this.evalFieldChain(dot, base, a, a.idents.slice(1), [], NO_VALUE, false, scope);
      }
      case 'pipe':
        return this.evalPipe(a.pipe, dot, { vars: [...scope.vars] });
      case 'chain': {
        const base = this.evalArg(a.node, dot, scope);
        return this.evalFieldChain(dot, base, a, a.fields, [], NO_VALUE, false, scope);
      }
      case 'identifier':
        return this.evalFunction(a.name, a, [], dot, scope, NO_VALUE, false);
    }
  }

  evalFieldChain(dot: unknown, receiver: unknown, node: Arg, idents: string[], args: Arg[], final: unknown, hasFinal: boolean, scope: Scope): unknown {
    let v = receiver;
    for (let i = 0; i < idents.length; i++) {
      const last = i === idents.length - 1;
      v = this.evalField(dot, idents[i]!, node, last ? args : [], last ? final : NO_VALUE, last && hasFinal, v, scope);
    }
    return v;
  }

  evalField(dot: unknown, name: string, node: Arg, args: Arg[], final: unknown, hasFinal: boolean, receiver: unknown, scope: Scope): unknown {
    const ctx = argText(node);
    if (receiver === null || receiver === undefined || receiver === NO_VALUE) {
      return this.errorf(node.pos, ctx, `nil pointer evaluating interface {}.${name}`);
    }
    if (isTemplateObject(receiver)) {
      const member = receiver[name];
      if (typeof member === 'function') {
        const argv = args.map((a) => this.evalArg(a, dot, scope));
        if (hasFinal) argv.push(final);
        const fn = member as (...a: unknown[]) => unknown;
        if (fn.length !== argv.length) {
          this.errorf(node.pos, ctx, `wrong number of args for ${name}: want ${fn.length} got ${argv.length}`);
        }
        try {
          return fn.apply(receiver, argv);
        } catch (err) {
          return this.errorf(node.pos, ctx, `error calling ${name}: ${(err as Error).message}`);
        }
      }
      if (GO_MAP in receiver) {
        if (args.length > 0 || hasFinal) this.errorf(node.pos, ctx, `${name} is not a method but has arguments`);
        return name in receiver ? receiver[name] : NO_VALUE;
      }
      return this.errorf(node.pos, ctx, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
    }
    if (isPlainObject(receiver)) {
      if (args.length > 0 || hasFinal) this.errorf(node.pos, ctx, `${name} is not a method but has arguments`);
      if (Object.hasOwn(receiver, name)) return receiver[name];
      if (this.opts.missingKey === 'error' && looksLikeStruct(receiver) && /^[A-Z]/.test(name)) {
        return this.errorf(node.pos, ctx, `map has no entry for key ${JSON.stringify(name)}`);
      }
      return NO_VALUE;
    }
    return this.errorf(node.pos, ctx, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  /** `cmd` is the command the call stands in: Go reports a failed call at the whole command (<index .A 3>). */
  evalFunction(name: string, node: Arg, args: Arg[], dot: unknown, scope: Scope, final: unknown, hasFinal: boolean, cmd?: Cmd): unknown {
    if (name === 'and' || name === 'or') {
      // short-circuit evaluation
      const all = [...args];
      let v: unknown = NO_VALUE;
      for (const a of all) {
        v = this.evalArg(a, dot, scope);
        if (name === 'and' ? !truth(v) : truth(v)) return v;
      }
      if (hasFinal) v = final;
      return v;
    }
    const fn = this.opts.funcs[name];
    if (!fn) return this.errorf(node.pos, name, `"${name}" is not a defined function`);
    const argv = args.map((a) => this.evalArg(a, dot, scope));
    if (hasFinal) argv.push(final);
    try {
      return fn(...argv);
    } catch (err) {
      const at = cmd ? cmd.args.map(argText).join(' ') : name;
      return this.errorf(cmd?.pos ?? node.pos, at, `error calling ${name}: ${(err as Error).message}`);
    }
  }
}

export { GO_MAP };
