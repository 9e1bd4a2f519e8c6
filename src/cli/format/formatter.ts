/**
 * docker/cli's formatter.Context.Write: renders list items through a Go template; "table …" formats get a header
 * row (the template run over the header names with header functions) and tabwriter alignment; "json" is
 * {{json .}}; literal "\t" and "\n" in the format are turned into tab and newline.
 */
import { StatusError } from '../errors.ts';
import { TabWriter } from './tabwriter.ts';
import type { Template } from './template.ts';
import { GO_MAP, GO_TYPE, parse } from './template.ts';

export function isTable(format: string): boolean {
  return format.startsWith('table');
}

function finalFormat(format: string): string {
  let f = format;
  if (isTable(f)) f = f.slice('table'.length);
  else if (f === 'json') f = '{{json .}}';
  return f.replace(/^ +| +$/g, '').replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

/** The header row data: field name → column title (formatter.SubHeaderContext). */
export function headerContext(names: Record<string, string>): object {
  const h: Record<string | symbol, unknown> = {
    ...names,
    [GO_TYPE]: 'formatter.SubHeaderContext',
    [GO_MAP]: true,
    Label(name: string): string {
      const parts = name.split('.');
      return parts[parts.length - 1]!.replace(/[-_]/g, ' ');
    },
  };
  Object.defineProperty(h, 'Label', { enumerable: false });
  return h;
}

export function parseFormat(format: string): Template {
  try {
    return parse(finalFormat(format));
  } catch (err) {
    throw new StatusError(`template parsing error: ${(err as Error).message}`, 1);
  }
}

/** Renders items; returns the text to print. */
export function renderList(format: string, header: object, items: object[]): string {
  const tmpl = parseFormat(format);
  let buf = '';
  for (const item of items) {
    try {
      buf += `${tmpl.execute(item)}\n`;
    } catch (err) {
      throw new StatusError(`template parsing error: ${(err as Error).message}`, 1);
    }
  }
  if (!isTable(format)) return buf;
  const w = new TabWriter(10, 3, ' ');
  let head: string;
  try {
    head = tmpl.executeHeader(header);
  } catch {
    head = '';
  }
  w.write(head);
  w.write('\n');
  w.write(buf);
  return w.flush();
}
