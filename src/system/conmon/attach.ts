import { open } from 'node:fs/promises';
import { SeqpacketSocket } from 'node-unix-socket';

/** conmon's pipe ids on the attach socket (ctr_stdio.c): the first byte of every message. */
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
/** conmon reads at most CONN_SOCK_BUF_SIZE - 1 bytes per message; a longer SEQPACKET message would be cut. */
const MAX_STDIN_MESSAGE = 32767;

export interface AttachConnection {
  onData(cb: (stream: 1 | 2, data: Buffer) => void): void;
  onClose(cb: () => void): void;
  write(data: Buffer): void;
  closeStdin(): void;
  close(): void;
}

/**
 * node-unix-socket calls its listeners straight from a libuv poll callback, outside Node's MakeCallback: promise
 * jobs queued there do not run until something else wakes the loop (measured: a connect resolved 30 s late), and
 * destroying the socket inside a listener aborts the process ("emitter already unreferenced"). So every event is
 * handed on with setImmediate, in order.
 */
const later = (fn: () => void) => setImmediate(fn);

/**
 * A client of conmon's attach socket (AF_UNIX SOCK_SEQPACKET, `<dir>/attach`). Every message from conmon is
 * `[pipe id][bytes]` (2 = stdout, 3 = stderr; with a TTY everything is stdout); every message we send is stdin.
 * `closeStdin` half-closes the socket: conmon then closes the container's stdin, unless it was started with
 * --leave-stdin-open. The socket is reached through /proc/self/fd/<dirfd>/attach, so the directory's path may be
 * longer than sun_path allows. Output that arrives before `onData` is called is kept and delivered then.
 */
export async function connectAttach(dir: string): Promise<AttachConnection> {
  const dirHandle = await open(dir, 'r');
  const sock = new SeqpacketSocket();
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => later(() => reject(err));
      sock.once('error', onError);
      try {
        sock.connect(`/proc/self/fd/${dirHandle.fd}/attach`, () => {
          sock.off('error', onError);
          later(resolve);
        });
      } catch (err) {
        reject(err);
      }
    });
  } catch (err) {
    later(() => sock.destroy());
    throw new Error(`cannot connect to the attach socket in ${dir}: ${(err as Error).message}`, { cause: err });
  } finally {
    await dirHandle.close();
  }
  return new SeqpacketAttach(sock);
}

class SeqpacketAttach implements AttachConnection {
  readonly #sock: SeqpacketSocket;
  #dataCb: ((stream: 1 | 2, data: Buffer) => void) | undefined;
  #pending: [1 | 2, Buffer][] = [];
  readonly #closeCbs: (() => void)[] = [];
  /** No more data is delivered (the peer closed, or close() was called). */
  #closed = false;
  /** The close callbacks have run. */
  #done = false;
  #stdinClosed = false;

  constructor(sock: SeqpacketSocket) {
    this.#sock = sock;
    sock.on('data', (buf: Buffer) => {
      if (buf.length < 1 || (buf[0] !== STDOUT_PIPE && buf[0] !== STDERR_PIPE)) return;
      const stream: 1 | 2 = buf[0] === STDERR_PIPE ? 2 : 1;
      const data = Buffer.from(buf.subarray(1));
      later(() => {
        if (this.#closed) return;
        if (this.#dataCb) this.#dataCb(stream, data);
        else this.#pending.push([stream, data]);
      });
    });
    // queued behind the data events, so all output is delivered before the close
    sock.on('end', () => later(() => this.#finish()));
    sock.on('close', () => later(() => this.#finish()));
    sock.on('error', () => later(() => this.#finish()));
  }

  /** Marks the stream closed at once, then destroys the socket and runs the close callbacks outside its listeners. */
  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    later(() => {
      this.#sock.destroy();
      this.#runClose();
    });
  }

  #runClose(): void {
    this.#done = true;
    for (const cb of this.#closeCbs.splice(0)) cb();
  }

  onData(cb: (stream: 1 | 2, data: Buffer) => void): void {
    this.#dataCb = cb;
    const pending = this.#pending;
    this.#pending = [];
    for (const [s, d] of pending) cb(s, d);
  }

  onClose(cb: () => void): void {
    this.#closeCbs.push(cb);
    if (this.#done) later(() => this.#runClose());
  }

  write(data: Buffer): void {
    if (this.#closed || this.#stdinClosed) return;
    for (let off = 0; off < data.length; off += MAX_STDIN_MESSAGE) {
      try {
        this.#sock.write(Buffer.from(data.subarray(off, Math.min(off + MAX_STDIN_MESSAGE, data.length))));
      } catch {
        this.#finish();
        return;
      }
    }
  }

  closeStdin(): void {
    if (this.#closed || this.#stdinClosed) return;
    this.#stdinClosed = true;
    try {
      this.#sock.end();
    } catch {
      this.#finish();
    }
  }

  close(): void {
    this.#finish();
  }
}
