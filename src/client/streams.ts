/** Reading Engine API response bodies: whole bodies, JSON-lines streams and the multiplexed stdout/stderr framing. */
import type { Readable } from 'node:stream';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

/**
 * Yields one parsed JSON value per message. Accepts newline-separated values (\n or \r\n) as the daemon sends
 * them, and also values that follow each other without a separator (Go's json.Decoder accepts both).
 */
export type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

export async function* jsonMessages<T = unknown>(stream: Readable, reviver?: Reviver): AsyncGenerator<T> {
  let buf = '';
  for await (const c of stream) {
    buf += typeof c === 'string' ? c : (c as Buffer).toString('utf8');
    let end: number;
    while ((end = completeValueEnd(buf)) > 0) {
      const text = buf.slice(0, end).trim();
      buf = buf.slice(end);
      if (text) yield JSON.parse(text, reviver as never) as T;
    }
  }
  const rest = buf.trim();
  if (rest) yield JSON.parse(rest, reviver as never) as T;
}

/** Index just past the first complete top-level JSON value in s (0 if none is complete yet). */
function completeValueEnd(s: string): number {
  let i = 0;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  if (i >= s.length) return 0;
  const first = s[i];
  if (first !== '{' && first !== '[') {
    const nl = s.indexOf('\n', i);
    return nl < 0 ? 0 : nl + 1;
  }
  let depth = 0;
  let inStr = false;
  for (; i < s.length; i++) {
    const ch = s[i];
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return 0;
}

export { Demuxer, STDERR, STDIN, STDOUT } from '../wire/stdcopy.ts';
