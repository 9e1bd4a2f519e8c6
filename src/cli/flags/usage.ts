/** pflag's FlagUsagesWrapped: the "Options:" block of `--help`, sorted by name, wrapped to the terminal width. */
import type { FlagSpec } from './spec.ts';
import { goQuote } from './spec.ts';

function unquoteUsage(f: FlagSpec): { name: string; usage: string } {
  const usage = f.usage;
  const i = usage.indexOf('`');
  if (i >= 0) {
    const j = usage.indexOf('`', i + 1);
    if (j > i) {
      const name = usage.slice(i + 1, j);
      return { name, usage: usage.slice(0, i) + name + usage.slice(j + 1) };
    }
  }
  let name = f.type;
  switch (name) {
    case 'bool':
      name = '';
      break;
    case 'float64':
      name = 'float';
      break;
    case 'int64':
      name = 'int';
      break;
    case 'uint64':
      name = 'uint';
      break;
    case 'stringSlice':
      name = 'strings';
      break;
  }
  return { name, usage };
}

function isZeroDefault(f: FlagSpec): boolean {
  switch (f.type) {
    case 'bool':
      return f.defText === 'false';
    case 'duration':
      return f.defText === '0' || f.defText === '0s';
    case 'int':
    case 'int64':
    case 'int32':
    case 'int16':
    case 'uint':
    case 'uint16':
    case 'uint64':
    case 'float64':
      return f.defText === '0';
    case 'string':
      return f.defText === '';
    case 'stringSlice':
    case 'strings':
      return f.defText === '[]';
    default:
      return ['false', '<nil>', '', '0'].includes(f.defText);
  }
}

function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

function wrap(i: number, w: number, s: string): string {
  if (w === 0) return s.replaceAll('\n', `\n${' '.repeat(i)}`);
  let width = w - i;
  let r = '';
  if (width < 24) {
    i = 16;
    width = w - i;
    r += `\n${' '.repeat(i)}`;
  }
  if (width < 24) return s.replaceAll('\n', r);
  const slop = 5;
  width -= slop;
  let l: string;
  [l, s] = wrapN(width, slop, s);
  r += l.replaceAll('\n', `\n${' '.repeat(i)}`);
  while (s !== '') {
    let t: string;
    [t, s] = wrapN(width, slop, s);
    r += `\n${' '.repeat(i)}${t.replaceAll('\n', `\n${' '.repeat(i)}`)}`;
  }
  return r;
}

export function flagUsagesWrapped(specs: FlagSpec[], cols: number): string {
  const visible = specs.filter((f) => !f.hidden).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [];
  let maxlen = 0;
  for (const f of visible) {
    let line = f.short && !f.shorthandDeprecated ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
    const { name, usage } = unquoteUsage(f);
    if (name !== '') line += ` ${name}`;
    if (f.noOptDefVal !== undefined && f.type !== 'bool') line += `[=${f.noOptDefVal}]`;
    else if (f.type === 'bool' && f.noOptDefVal !== undefined && f.noOptDefVal !== 'true') line += `[=${f.noOptDefVal}]`;
    line += '\x00';
    if (line.length > maxlen) maxlen = line.length;
    line += usage;
    if (!isZeroDefault(f)) line += f.type === 'string' ? ` (default ${goQuote(f.defText)})` : ` (default ${f.defText})`;
    lines.push(line);
  }
  let out = '';
  for (const line of lines) {
    const sidx = line.indexOf('\x00');
    const spacing = ' '.repeat(maxlen - sidx);
    out += `${line.slice(0, sidx)} ${spacing} ${wrap(maxlen + 2, cols, line.slice(sidx + 1))}\n`;
  }
  return out;
}
