import type { Duplex } from 'node:stream';
import type { AttachStreams } from '../../../../drivers/runtime/contract.ts';
import { frame } from '../../streams/mux.ts';

export interface PumpOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Close the container's stdin when the client half-closes (Config.StdinOnce, or always for exec). */
  closeStdinOnEnd: boolean;
  /** Detach key sequence (bytes); empty disables. */
  detachKeys: number[];
  /** When the streams close, end the connection only after this settles (exec: its exit code is recorded). */
  endAfter?: Promise<unknown>;
}

/** Parses docker's --detach-keys ("ctrl-p,ctrl-q", "a,ctrl-@"). */
export function parseDetachKeys(s: string | null | undefined): number[] {
  if (s === null || s === undefined) return [0x10, 0x11];
  if (s === '') return [];
  return s.split(',').map((k) => {
    const key = k.trim();
    const m = /^ctrl-(.)$/.exec(key);
    if (m) {
      const c = m[1]!;
      if (c === '@') return 0;
      if (c === '[') return 27;
      if (c === '\\') return 28;
      if (c === ']') return 29;
      if (c === '^') return 30;
      if (c === '_') return 31;
      const code = c.toLowerCase().charCodeAt(0);
      if (code >= 97 && code <= 122) return code - 96;
      throw new Error(`Unknown character: '${key}'`);
    }
    if (key.length === 1) return key.charCodeAt(0);
    throw new Error(`Unknown character: '${key}'`);
  });
}

/**
 * Connects a hijacked client socket to a container's (or exec's) streams: framing for non-TTY output, stdin with
 * the detach-key escape proxy, half-close handling. Resolves when the session ends ('exit' when the process
 * closed its streams, 'detach' on the detach keys, 'client' when the client went away).
 */
export function pump(sock: Duplex, streams: AttachStreams, o: PumpOptions): Promise<'exit' | 'detach' | 'client'> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (why: 'exit' | 'detach' | 'client') => {
      if (done) return;
      done = true;
      if (why !== 'exit') streams.close();
      if (why === 'client') sock.destroy();
      else if (why === 'exit' && o.endAfter) {
        const end = () => {
          sock.end();
          resolve(why);
        };
        o.endAfter.then(end, end);
        return;
      } else sock.end();
      resolve(why);
    };
    streams.onData((s, d) => {
      if (done) return;
      if (s === 1 && !o.stdout) return;
      if (s === 2 && !o.stderr) return;
      sock.write(o.tty ? d : frame(s, d));
    });
    streams.onClose(() => finish('exit'));
    let matched = 0;
    sock.on('data', (chunk: Buffer) => {
      if (!o.stdin || done) return;
      if (o.detachKeys.length === 0) {
        streams.write(chunk);
        return;
      }
      // escape proxy: hold back bytes that may be the start of the detach sequence
      const out: number[] = [];
      for (const b of chunk) {
        if (b === o.detachKeys[matched]) {
          matched++;
          if (matched === o.detachKeys.length) {
            if (out.length) streams.write(Buffer.from(out));
            finish('detach');
            return;
          }
          continue;
        }
        if (matched > 0) {
          out.push(...o.detachKeys.slice(0, matched));
          matched = 0;
        }
        if (b === o.detachKeys[0]) {
          matched = 1;
          continue;
        }
        out.push(b);
      }
      if (out.length) streams.write(Buffer.from(out));
    });
    sock.on('end', () => {
      if (o.stdin && o.closeStdinOnEnd) streams.closeStdin();
      if (!o.stdin && !o.stdout && !o.stderr) finish('client');
    });
    sock.on('error', () => finish('client'));
    sock.on('close', () => finish('client'));
  });
}
