/**
 * docker's inspect.Inspect: the raw JSON of each object, as an indented array by default, compacted for
 * `-f json`, or through a Go template (raw data, missing struct fields are errors as in docker's raw fallback).
 */
import type { CliContext } from './context.ts';
import { StatusError } from './errors.ts';
import { jsonCompact, jsonIndent } from './format/json-indent.ts';
import type { Template } from './format/template.ts';
import { parse, parseJsonUseNumber } from './format/template.ts';

export type GetRaw = (ref: string) => Promise<string>;

export async function inspectRefs(ctx: CliContext, refs: string[], format: string, getRaw: GetRaw): Promise<void> {
  let tmpl: Template | undefined;
  if (format !== '' && format !== 'json') {
    try {
      tmpl = parse(format);
    } catch (err) {
      throw new StatusError(`template parsing error: ${(err as Error).message}`, 64);
    }
  }
  const errs: string[] = [];
  const raws: string[] = [];
  let buf = '';
  for (const ref of refs) {
    let raw: string;
    try {
      raw = await getRaw(ref);
    } catch (err) {
      errs.push(err instanceof Error ? err.message : String(err));
      continue;
    }
    if (!tmpl) {
      raws.push(raw.trim());
      continue;
    }
    try {
      buf += `${tmpl.execute(parseJsonUseNumber(raw), { missingKey: 'error' })}\n`;
    } catch (err) {
      errs.push(`template parsing error: ${(err as Error).message}`);
    }
  }
  if (tmpl) {
    ctx.out.write(buf === '' ? '\n' : buf);
  } else if (raws.length === 0) {
    ctx.out.write('[]\n');
  } else {
    const arr = `[${raws.join(',')}]`;
    ctx.out.write(`${format === 'json' ? jsonCompact(arr) : jsonIndent(arr, '', '    ')}\n`);
  }
  if (errs.length) throw new StatusError(errs.join('\n'), 1);
}
