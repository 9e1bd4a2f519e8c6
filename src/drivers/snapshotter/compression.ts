import { spawn } from 'node:child_process';
import { PassThrough, pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';
import { InvalidArgumentError } from '../../common/errors.ts';

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2';

/**
 * Output chunk size of the decompressors, and the read size layer blobs are streamed with. zlib's 16 KiB default
 * made unpacking a 40 MB layer cost twice the CPU (measured: 5 layers of 40 MB, 3.3 s against 1.4 s).
 */
export const DECOMPRESS_CHUNK = 1 << 20;

/** Detects the compression of a layer or archive from its first bytes (as moby's archive.DetectCompression). */
export function detectCompression(head: Uint8Array): Compression {
  const starts = (sig: number[]): boolean => head.length >= sig.length && sig.every((b, i) => head[i] === b);
  if (starts([0x1f, 0x8b, 0x08])) return 'gzip';
  if (starts([0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (starts([0x42, 0x5a, 0x68])) return 'bzip2';
  return 'none';
}

/** Spawns a decompressor program (xz, bzip2) as a stream transform. */
function programStream(src: Readable, cmd: string, args: string[]): Readable {
  const out = new PassThrough();
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.on('error', (e) => out.destroy(new InvalidArgumentError(`${cmd}: ${e.message}`)));
  child.stdin.on('error', () => {});
  src.on('error', (e) => {
    child.kill();
    out.destroy(e);
  });
  src.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new InvalidArgumentError(`${cmd}: ${Buffer.concat(err).toString().trim() || `exit status ${code}`}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}

/**
 * Returns the uncompressed bytes of `input` (gzip and zstd through node:zlib, xz and bzip2 through the system
 * programs, anything else passed through), plus what compression was found.
 */
export async function decompress(input: AsyncIterable<Uint8Array> | Readable): Promise<{ stream: Readable; compression: Compression }> {
  const it = (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < 6) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.from(r.value);
    chunks.push(b);
    len += b.length;
  }
  const head = Buffer.concat(chunks);
  const compression = detectCompression(head);
  async function* source(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield Buffer.from(r.value);
    }
  }
  const raw = Readable.from(source(), { objectMode: false });
  if (compression === 'none') return { stream: raw, compression };
  if (compression === 'xz') return { stream: programStream(raw, 'xz', ['-d', '-c', '-q']), compression };
  if (compression === 'bzip2') return { stream: programStream(raw, 'bzip2', ['-d', '-c', '-q']), compression };
  // large output chunks: every chunk costs a hash update, a tar parse step and a file write downstream
  const d = compression === 'gzip' ? zlib.createGunzip({ chunkSize: DECOMPRESS_CHUNK }) : zlib.createZstdDecompress({ chunkSize: DECOMPRESS_CHUNK });
  const out = pipeline(raw, d, () => {});
  return { stream: out, compression };
}
