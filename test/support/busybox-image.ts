import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCmd } from './proc.ts';

/**
 * A tiny image made from Debian's busybox-static: /bin/busybox, one symlink per applet, /etc/passwd and
 * /etc/group, empty /tmp, /root, /www. As a tar stream it is what `docker import` takes.
 */
export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

export function findBusybox(): string {
  const found = BUSYBOX_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('busybox not found: install busybox-static (scripts/setup.sh does)');
  return found;
}

/** Lays out the rootfs in `dir` (which must not exist yet or be empty). */
export async function makeBusyboxRootfs(dir: string): Promise<void> {
  const bb = findBusybox();
  const list = await runCmd([bb, '--list']);
  if (list.code !== 0) throw new Error(`${bb} --list failed: ${list.stderr}`);
  for (const d of ['bin', 'etc', 'tmp', 'root', 'www', 'proc', 'sys', 'dev', 'var/log']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(bb, join(dir, 'bin/busybox'));
  for (const applet of list.stdout.split('\n').map((s) => s.trim())) {
    if (!applet || applet === 'busybox' || applet.includes('/')) continue;
    symlinkSync('busybox', join(dir, 'bin', applet));
  }
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'www/index.html'), '<h1>hello from berth</h1>\n');
}

/** The rootfs as an uncompressed tar, owned by root. */
export async function busyboxTar(dir: string): Promise<Buffer> {
  await makeBusyboxRootfs(dir);
  const chunks: Buffer[] = [];
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    tar.stdout.on('data', (b: Buffer) => chunks.push(b));
    tar.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}: ${err}`))));
  });
  return Buffer.concat(chunks);
}
