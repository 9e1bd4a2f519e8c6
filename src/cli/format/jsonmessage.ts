/**
 * Renders a JSON progress stream (pull, push, load, import) like docker's jsonmessage.DisplayJSONMessagesStream:
 * on a terminal, one line per layer id updated in place with cursor moves; otherwise plain status lines without
 * the progress bars. An errorDetail line ends the stream with that error.
 */
import type { Readable } from 'node:stream';
import { jsonMessages } from '../../client/streams.ts';
import type { JsonMessage } from '../../client/types.ts';
import type { OutStream } from '../context.ts';
import { goDurationString, humanSize } from './units.ts';

export class JsonMessageError extends Error {
  override name = 'JsonMessageError';
  readonly code: number | undefined;
  constructor(message: string, code?: number) {
    super(message);
    this.code = code;
  }
}

function pad8(s: string): string {
  return s.length >= 8 ? s : ' '.repeat(8 - s.length) + s;
}

/** JSONProgress.String() */
export function progressString(p: NonNullable<JsonMessage['progressDetail']>, width: number, nowMs = Date.now()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${current} ${p.units}` : pad8(humanSize(current));
  let percentage = Math.trunc(Math.trunc((current / total) * 100) / 2);
  if (percentage > 50) percentage = 50;
  let pbBox = '';
  if (width > 110) {
    const spaces = Math.max(50 - percentage, 0);
    pbBox = `[${'='.repeat(percentage)}>${' '.repeat(spaces)}] `;
  }
  let numbersBox = '';
  if (!p.hidecounts) {
    if (!p.units) {
      numbersBox = current > total ? pad8(humanSize(current)) : `${pad8(humanSize(current))}/${humanSize(total)}`;
    } else {
      numbersBox = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
    }
  }
  let timeLeft = '';
  if (width > 50 && current > 0 && (p.start ?? 0) > 0 && percentage < 50) {
    const fromStartNs = (nowMs - p.start! * 1000) * 1e6;
    const perEntry = Math.trunc(fromStartNs / current);
    const leftNs = (total - current) * perEntry;
    timeLeft = ` ${goDurationString(Math.round(leftNs / 1e9) * 1e9)}`;
  }
  return pbBox + numbersBox + timeLeft;
}

function rfc3339NanoFixed(ns: number): string {
  const d = new Date(Math.trunc(ns / 1e6));
  const frac = String(Math.trunc(ns % 1e9)).padStart(9, '0');
  return `${d.toISOString().slice(0, 19)}.${frac}Z`;
}

/** Writes one message; returns false for a progress line skipped on a non-terminal. */
function display(jm: JsonMessage, out: OutStream, isTerminal: boolean, width: number): void {
  if (jm.errorDetail) throw new JsonMessageError(jm.errorDetail.message, jm.errorDetail.code);
  let endl = '';
  const progress = jm.progressDetail ? progressString(jm.progressDetail, width) : '';
  if (isTerminal && !jm.stream && jm.progressDetail) {
    out.write('\x1b[2K\r');
    endl = '\r';
  } else if (jm.progressDetail && progress !== '') {
    return;
  }
  let s = '';
  if (jm.timeNano) s += `${rfc3339NanoFixed(jm.timeNano)} `;
  else if (jm.time) s += `${rfc3339NanoFixed(jm.time * 1e9)} `;
  if (jm.id) s += `${jm.id}: `;
  if (jm.from) s += `(from ${jm.from}) `;
  const status = jm.status ?? '';
  if (jm.progressDetail && isTerminal) s += `${status} ${progress}${endl}`;
  else if (jm.progress) s += `${status} ${jm.progress}${endl}`;
  else if (jm.stream) s += `${jm.stream}${endl}`;
  else s += `${status}${endl}\n`;
  out.write(s);
}

/** Where a `--quiet` command sends its progress: nowhere (it still reads the stream to its end for errors). */
export function discard(out: OutStream): OutStream {
  return { ...out, write() {}, isTTY: false };
}

export async function displayJsonMessages(
  body: Readable,
  out: OutStream,
  o: { isTerminal?: boolean; onAux?: (aux: unknown) => void } = {},
): Promise<void> {
  const isTerminal = o.isTerminal ?? out.isTTY;
  const width = out.size()[1] || 200;
  const ids = new Map<string, number>();
  for await (const jm of jsonMessages<JsonMessage>(body)) {
    if (jm.aux !== undefined && jm.aux !== null) {
      o.onAux?.(jm.aux);
      continue;
    }
    let diff = 0;
    if (jm.id && (jm.progressDetail || jm.progress)) {
      let line = ids.get(jm.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(jm.id, line);
        if (isTerminal) out.write('\n');
      }
      diff = ids.size - line;
      if (isTerminal && diff > 0) out.write(`\x1b[${diff}A`);
    } else {
      ids.clear();
    }
    try {
      display(jm, out, isTerminal, width);
    } finally {
      if (jm.id && isTerminal && diff > 0) out.write(`\x1b[${diff}B`);
    }
  }
}
