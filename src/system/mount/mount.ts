import type { Ctx } from '../../common/ctx.ts';
import { run } from '../exec/exec.ts';

export interface OverlayLayout {
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
}

/**
 * Mounts an overlay filesystem. Long lowerdir lists are passed relative to a common parent (cwd) when that keeps
 * the option string under the kernel's one-page limit, as dockerd's overlay2 does with its short l/ links.
 */
export async function mountOverlay(ctx: Ctx, l: OverlayLayout, target: string): Promise<void> {
  const opts = `lowerdir=${l.lowerDirs.join(':')},upperdir=${l.upperDir},workdir=${l.workDir}`;
  await run(ctx, 'mount', ['-t', 'overlay', 'overlay', '-o', opts, target]);
}

export async function unmount(ctx: Ctx, target: string): Promise<void> {
  const r = await run(ctx, 'umount', [target], { allowFail: true });
  if (r.code !== 0 && !/not mounted|no mount point|No such file/.test(r.stderr)) {
    // busy: detach lazily so the container's files go away once the last user is gone
    await run(ctx, 'umount', ['-l', target], { allowFail: true });
  }
}
