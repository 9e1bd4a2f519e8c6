/**
 * Docker's stream framing (moby's stdcopy) for non-TTY attach, exec and logs: an 8-byte header
 * [stream, 0, 0, 0, size uint32 BE] then the payload. Shared by the API server (framing) and the client (demux).
 */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;

/** Incremental demultiplexer of [type, 0, 0, 0, size uint32 BE] + payload frames (stdcopy). */
export class Demuxer {
  #buf: Buffer = Buffer.alloc(0);
  readonly #onFrame: (stream: number, payload: Buffer) => void;
  constructor(onFrame: (stream: number, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }
  push(chunk: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    while (this.#buf.length >= 8) {
      const type = this.#buf[0]!;
      if (type > 3) throw new Error(`Unrecognized input header: ${type}`);
      const size = this.#buf.readUInt32BE(4);
      if (this.#buf.length < 8 + size) break;
      this.#onFrame(type, this.#buf.subarray(8, 8 + size));
      this.#buf = this.#buf.subarray(8 + size);
    }
  }
  /** Bytes of an incomplete frame left at the end. */
  get pending(): number {
    return this.#buf.length;
  }
}

export function frame(stream: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}
