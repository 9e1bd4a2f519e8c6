/**
 * docker's hijackedIOStreamer: pumps the CLI's stdin into a hijacked attach/exec connection and the connection's
 * output to stdout/stderr (demultiplexed unless TTY). Without stdin the write side is half-closed at once, as the
 * docker CLI does; on a TTY, stdin is put in raw mode and watched for the detach keys.
 */
import type { Hijacked } from '../../client/http.ts';
import { Demuxer } from '../../client/streams.ts';
import type { CliContext, OutStream } from '../context.ts';
import { DEFAULT_DETACH_KEYS, EscapeError, EscapeMatcher, detachKeysToBytes } from './detach-keys.ts';
import { setRawTerminal } from './tty.ts';

export interface StreamOptions {
  input: boolean;
  stdout: OutStream | null;
  stderr: OutStream | null;
  tty: boolean;
  detachKeys: string;
}

function escapeKeys(ctx: CliContext, keys: string): Buffer {
  if (!keys) return DEFAULT_DETACH_KEYS;
  try {
    return detachKeysToBytes(keys);
  } catch (err) {
    ctx.err.write(`WARN[0000] invalid detach escape keys, using default: ${(err as Error).message}\n`);
    return DEFAULT_DETACH_KEYS;
  }
}

/** Resolves when the session ends; rejects with EscapeError when the user typed the detach keys. */
export async function streamHijacked(ctx: CliContext, h: Hijacked, o: StreamOptions): Promise<void> {
  const { socket } = h;
  socket.pause();
  const raw = o.input && o.tty ? await setRawTerminal(ctx) : { restore() {} };
  const matcher = o.input && o.tty ? new EscapeMatcher(escapeKeys(ctx, o.detachKeys)) : undefined;
  const hasOutput = o.stdout !== null || o.stderr !== null;
  const stdin = ctx.in.stream;

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let inputDone = false;
    let outputDone = false;
    const cleanup = () => {
      raw.restore();
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onEnd);
      if (o.input) stdin.pause();
    };
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (err) reject(err);
      else resolve();
    };

    // output
    const demux =
      o.tty || !hasOutput
        ? undefined
        : new Demuxer((stream, payload) => {
            if (stream === 2) o.stderr?.write(payload);
            else o.stdout?.write(payload);
          });
    const onOutput = (chunk: Buffer) => {
      if (!hasOutput) return;
      if (demux) {
        try {
          demux.push(chunk);
        } catch (err) {
          finish(err as Error);
        }
      } else {
        o.stdout?.write(chunk);
      }
    };
    const onOutputEnd = () => {
      if (outputDone) return;
      outputDone = true;
      if (o.tty) raw.restore();
      if (hasOutput) finish();
      else if (inputDone) finish();
    };
    if (h.head.length) onOutput(h.head);
    socket.on('data', onOutput);
    socket.on('end', onOutputEnd);
    socket.on('close', onOutputEnd);
    socket.on('error', onOutputEnd);
    socket.resume();

    // input
    const endInput = () => {
      if (inputDone) return;
      inputDone = true;
      try {
        socket.end();
      } catch {
        // already closed
      }
      if (!hasOutput || outputDone) finish();
    };
    function onData(chunk: Buffer | string) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const r = matcher ? matcher.scan(buf) : { out: buf, detached: false };
      if (r.out.length) socket.write(r.out);
      if (r.detached) {
        inputDone = true;
        finish(new EscapeError());
      }
    }
    function onEnd() {
      raw.restore();
      endInput();
    }
    if (o.input) {
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.on('error', onEnd);
      stdin.resume();
    } else {
      endInput();
    }
  });
}
