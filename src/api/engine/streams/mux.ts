/** Docker's stream framing for non-TTY attach/exec/logs: [type, 0, 0, 0, size uint32 BE] + payload. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;

export function frame(stream: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

/** Incremental demultiplexer (used by the client and by tests). */
export class Demuxer {
  #buf: Buffer = Buffer.alloc(0);
  readonly #onFrame: (stream: number, payload: Buffer) => void;
  constructor(onFrame: (stream: number, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }
  push(chunk: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    while (this.#buf.length >= 8) {
      const size = this.#buf.readUInt32BE(4);
      if (this.#buf.length < 8 + size) break;
      this.#onFrame(this.#buf[0]!, this.#buf.subarray(8, 8 + size));
      this.#buf = this.#buf.subarray(8 + size);
    }
  }
}

/** The Content-Type of an attach/exec/logs stream at the request's API version (≥1.42 distinguishes). */
export function streamContentType(version: number, tty: boolean): string {
  if (version >= 1.42 && !tty) return 'application/vnd.docker.multiplexed-stream';
  return 'application/vnd.docker.raw-stream';
}
