import { readFile, stat } from 'node:fs/promises';
import tar from 'tar-stream';
import { backgroundCtx, type Ctx } from '../../../common/ctx.ts';
import { parseNormalizedNamed } from '../../../domain/image/reference.ts';
import { run } from '../../../system/exec/exec.ts';
import type { ImageService } from '../image-service.ts';
import type { ImageRecord } from '../image-store.ts';

/**
 * A tiny test image made from the host's static busybox (Debian busybox-static): /bin/busybox, one symlink per
 * applet, the usual top-level dirs and a minimal /etc/passwd and /etc/group. Used by tests and the demo.
 */
export interface BusyboxImageOptions {
  /** Path of a statically linked busybox. */
  busybox?: string;
  /** Applets to link (default: everything `busybox --list` prints). */
  applets?: string[];
  /** Extra files: path (no leading slash) → content. */
  files?: Record<string, string>;
}

/** Dockerfile instructions that complete the image (as `docker import -c`). */
export const BUSYBOX_CHANGES = ['CMD ["sh"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

const MTIME = new Date('2024-01-01T00:00:00Z');

/** The rootfs as an uncompressed tar. */
export async function busyboxRootfsTar(opts: BusyboxImageOptions = {}, ctx: Ctx = backgroundCtx): Promise<Buffer> {
  const bin = opts.busybox ?? '/bin/busybox';
  const st = await stat(bin).catch(() => undefined);
  if (!st?.isFile()) throw new Error(`${bin} not found: install busybox-static`);
  const applets = opts.applets ?? (await run(ctx, bin, ['--list'])).stdout.split('\n').filter((a) => a && a !== 'busybox');
  const p = tar.pack();
  const dir = (name: string, mode = 0o755): void => {
    p.entry({ name, type: 'directory', mode: 0o40000 | mode, mtime: MTIME });
  };
  const file = (name: string, body: string | Buffer, mode = 0o644): void => {
    p.entry({ name, type: 'file', mode: 0o100000 | mode, mtime: MTIME }, body);
  };
  for (const d of ['bin', 'dev', 'etc', 'home', 'proc', 'sys', 'usr', 'usr/bin', 'usr/sbin', 'var', 'var/log']) dir(d);
  dir('root', 0o700);
  dir('tmp', 0o1777);
  dir('var/tmp', 0o1777);
  file('bin/busybox', await readFile(bin), 0o755);
  for (const a of applets) p.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mode: 0o120777, mtime: MTIME });
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  file('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  for (const [name, body] of Object.entries(opts.files ?? {})) file(name, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Imports the busybox rootfs as `ref` (default bb:latest) with CMD ["sh"]. */
export async function importBusyboxImage(images: ImageService, ref = 'bb:latest', opts: BusyboxImageOptions = {}, ctx: Ctx = backgroundCtx): Promise<ImageRecord> {
  const tarball = await busyboxRootfsTar(opts, ctx);
  const r = parseNormalizedNamed(ref);
  return images.import(ctx, [tarball], { ref: r.tag === undefined ? { ...r, tag: 'latest' } : r, changes: BUSYBOX_CHANGES });
}
