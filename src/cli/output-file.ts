/** Copies a response stream to stdout or to a file written atomically (temp file + rename, mode 0600). */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CliContext } from './context.ts';

export async function writeStreamTo(ctx: CliContext, output: string, errPrefix: string, open: () => Promise<Readable>): Promise<void> {
  if (output === '') {
    const body = await open();
    // keep at most about one pipe's worth queued: a slow reader (tar -t) must not make us buffer the whole archive
    for await (const chunk of body) {
      ctx.out.write(chunk as Buffer);
      if ((ctx.out.stream as NodeJS.WriteStream).writableLength > 1 << 20) await ctx.out.drain();
    }
    await ctx.out.drain();
    return;
  }
  const tmp = join(dirname(output), `.tmp-${basename(output)}${process.pid}`);
  let file: ReturnType<typeof createWriteStream>;
  try {
    file = createWriteStream(tmp, { mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    });
  } catch (err) {
    throw new Error(`${errPrefix}: ${(err as Error).message}`);
  }
  try {
    const body = await open();
    await pipeline(body, file);
    renameSync(tmp, output);
  } catch (err) {
    file.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
}
