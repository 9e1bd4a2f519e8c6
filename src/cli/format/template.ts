/**
 * Go text/template for `--format` and `inspect -f`, with docker's extra functions (json, split, join, title,
 * lower, upper, pad, truncate). parse() once, then execute() per item, like docker's formatter does.
 */
import type { TemplateFunc } from './template/exec.ts';

export type { TemplateFunc };
import { execute } from './template/exec.ts';
import { builtinFuncs, dockerFuncs, headerFuncs } from './template/funcs.ts';
import type { Tree } from './template/parse.ts';
import { parseTemplate } from './template/parse.ts';

export { TemplateError } from './template/lex.ts';
export { GO_MAP, GO_TYPE, GoNumber, goJsonEncode, goPrint, parseJsonUseNumber } from './template/value.ts';

export interface Template {
  /** Executes with docker's function set. */
  execute(data: unknown, opts?: { missingKey?: 'default' | 'error' }): string;
  /** Executes with docker's header functions (table headers). */
  executeHeader(data: unknown): string;
}

const FUNCS: Record<string, TemplateFunc> = { ...builtinFuncs, ...dockerFuncs };
const HEADER_FUNCS: Record<string, TemplateFunc> = { ...FUNCS, ...headerFuncs };

/** `name` is the template's name in messages (docker names only `version`'s). */
export function parse(src: string, extra?: Record<string, TemplateFunc>, name = ''): Template {
  const tree: Tree = parseTemplate(src, name);
  const funcs = extra ? { ...FUNCS, ...extra } : FUNCS;
  checkFunctions(tree, funcs);
  return {
    execute: (data, opts) => execute(tree, data, { funcs, missingKey: opts?.missingKey }),
    executeHeader: (data) => execute(tree, data, { funcs: extra ? { ...HEADER_FUNCS, ...extra } : HEADER_FUNCS }),
  };
}

/** Go rejects calls to unknown functions at parse time: `template: :1: function "foo" not defined`. */
function checkFunctions(tree: Tree, funcs: Record<string, TemplateFunc>): void {
  for (const f of tree.funcs) {
    if (f.name === 'and' || f.name === 'or' || f.name in funcs) continue;
    const line = tree.src.slice(0, f.pos).split('\n').length;
    throw new Error(`template: ${tree.name}:${line}: function "${f.name}" not defined`);
  }
}
