/** Env/label files (`--env-file`, `--label-file`): docker's pkg/kvfile parser. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function parseKvFile(filename: string, lookup?: (key: string) => string | undefined, cwd?: string): string[] {
  let data: Buffer;
  try {
    data = readFileSync(cwd ? resolve(cwd, filename) : filename);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`open ${filename}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EISDIR' ? 'is a directory' : e.message}`);
  }
  const text = data.toString('utf8');
  if (text.includes('\ufffd') && !data.includes(Buffer.from('\ufffd'))) {
    const lineNo = text.slice(0, text.indexOf('\ufffd')).split('\n').length;
    throw new Error(`invalid env file (${filename}): invalid utf8 bytes at line ${lineNo}`);
  }
  const lines: string[] = [];
  const raw = text.split(/\r?\n/);
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  raw.forEach((l, idx) => {
    let line = idx === 0 ? l.replace(/^\ufeff/, '') : l;
    line = line.replace(/^\s+/, '');
    if (line.length === 0 || line[0] === '#') return;
    const eq = line.indexOf('=');
    const key = eq >= 0 ? line.slice(0, eq) : line;
    if (key.length === 0) throw new Error(`invalid env file (${filename}): no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw new Error(`invalid env file (${filename}): variable '${key}' contains whitespaces`);
    if (eq >= 0) {
      lines.push(line);
      return;
    }
    if (lookup) {
      const v = lookup(line);
      if (v !== undefined) lines.push(`${key}=${v}`);
    }
  });
  return lines;
}
