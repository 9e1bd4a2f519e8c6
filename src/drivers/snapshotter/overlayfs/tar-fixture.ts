import tar from 'tar-stream';
import type { TarHeader } from './tar-writer.ts';

/** For tests: a fixed mtime, so that layers built twice are byte for byte the same. */
export const FIXTURE_MTIME = new Date('2024-05-01T10:00:00Z');

/** For tests: an uncompressed layer tar of the given entries (header, body). */
export async function makeTar(entries: [TarHeader, string?][]): Promise<Buffer> {
  const p = tar.pack();
  for (const [h, body] of entries) p.entry({ mtime: FIXTURE_MTIME, ...h }, body ?? '');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
