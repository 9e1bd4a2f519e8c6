/** Detach key sequences (moby/term ToBytes and the escape proxy that watches typed keys for them). */

const CTRL = ['ctrl-@', ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `ctrl-${c}`), 'ctrl-[', 'ctrl-\\', 'ctrl-]', 'ctrl-^', 'ctrl-_'];

/** Default: ctrl-p, ctrl-q. */
export const DEFAULT_DETACH_KEYS = Buffer.from([16, 17]);

/** term.ToBytes: "ctrl-p,ctrl-q" → [16, 17]; single characters stand for themselves. */
export function detachKeysToBytes(keys: string): Buffer {
  const codes: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length !== 1) {
      const i = CTRL.indexOf(key);
      if (i >= 0) codes.push(i);
      else if (key === 'DEL') codes.push(127);
      else throw new Error(`Unknown character: '${key}'`);
    } else {
      codes.push(key.charCodeAt(0));
    }
  }
  return Buffer.from(codes);
}

export class EscapeError extends Error {
  override name = 'EscapeError';
  constructor() {
    super('read escape sequence');
  }
}

/**
 * moby/term's escape proxy (as vendored by docker CLI 28): scans every read for the detach sequence; bytes
 * before it are still forwarded, a partial match at the end of a read is held back and given back if the
 * sequence breaks in the next read.
 */
export class EscapeMatcher {
  readonly #keys: Buffer;
  #pos = 0;
  constructor(keys: Buffer) {
    this.#keys = keys;
  }
  /** Returns the bytes to forward; `detached` is set when the full sequence was typed. */
  scan(chunk: Buffer): { out: Buffer; detached: boolean } {
    const keys = this.#keys;
    if (keys.length === 0) return { out: chunk, detached: false };
    if (this.#pos === keys.length) return { out: Buffer.alloc(0), detached: true };
    let buf = Buffer.from(chunk);
    let n = buf.length;
    for (let i = 0; i < n; i++) {
      if (buf[i] === keys[this.#pos]) {
        this.#pos++;
        if (this.#pos === keys.length) {
          const m = Math.max(i + 1 - this.#pos, 0);
          return { out: buf.subarray(0, m), detached: true };
        }
        continue;
      }
      if (i < this.#pos) {
        buf = Buffer.concat([keys.subarray(0, this.#pos), buf.subarray(0, n)]);
        n = buf.length;
        i += this.#pos;
      }
      this.#pos = 0;
    }
    n = Math.max(n - this.#pos, 0);
    return { out: buf.subarray(0, n), detached: false };
  }
  /** scan() that throws EscapeError on detach (the forwarded prefix is lost, as it is tiny). */
  feed(chunk: Buffer): Buffer {
    const r = this.scan(chunk);
    if (r.detached) throw new EscapeError();
    return r.out;
  }
}
