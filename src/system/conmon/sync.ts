/** A message conmon writes on its sync (or attach) pipe: `{"data": N}` or `{"data": -1, "message": "…"}`. */
export interface SyncMessage {
  data: number;
  message?: string;
}

/**
 * Splits conmon's newline-delimited JSON messages out of a byte stream. Feed it chunks; it returns the complete
 * messages and keeps a partial line for the next chunk.
 */
export class SyncParser {
  #buf = '';
  push(chunk: Buffer | string): SyncMessage[] {
    this.#buf += chunk.toString();
    const out: SyncMessage[] = [];
    let nl = this.#buf.indexOf('\n');
    while (nl >= 0) {
      const line = this.#buf.slice(0, nl).trim();
      this.#buf = this.#buf.slice(nl + 1);
      if (line !== '') out.push(parseSyncLine(line));
      nl = this.#buf.indexOf('\n');
    }
    return out;
  }
  /** What is left without a newline (conmon always ends a message with one). */
  rest(): string {
    return this.#buf;
  }
}

export function parseSyncLine(line: string): SyncMessage {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`conmon: malformed sync message: ${line}`);
  }
  const o = v as { data?: unknown; message?: unknown; pid?: unknown; exit_code?: unknown };
  const data = typeof o.data === 'number' ? o.data : typeof o.pid === 'number' ? o.pid : typeof o.exit_code === 'number' ? o.exit_code : undefined;
  if (data === undefined) throw new Error(`conmon: malformed sync message: ${line}`);
  return typeof o.message === 'string' ? { data, message: o.message } : { data };
}
