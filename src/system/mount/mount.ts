import type { Ctx } from '../../common/ctx.ts';
import { run } from '../exec/exec.ts';

export interface OverlayLayout {
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  /** The lower dirs relative to baseDir (short l/ links), used when the absolute option string gets long. */
  relativeLowerDirs?: string[];
  baseDir?: string;
}

/** The kernel takes mount options of at most one page. */
const MAX_OPTS = 4000;

/**
 * Mounts an overlay filesystem. Long lowerdir lists are passed relative to a common parent (cwd) when that keeps
 * the option string under the kernel's one-page limit, as dockerd's overlay2 does with its short l/ links.
 */
export async function mountOverlay(ctx: Ctx, l: OverlayLayout, target: string): Promise<void> {
  const opts = `lowerdir=${l.lowerDirs.join(':')},upperdir=${l.upperDir},workdir=${l.workDir}`;
  if (opts.length > MAX_OPTS && l.relativeLowerDirs && l.baseDir) {
    const rel = `lowerdir=${l.relativeLowerDirs.join(':')},upperdir=${l.upperDir},workdir=${l.workDir}`;
    await run(ctx, 'mount', ['-t', 'overlay', 'overlay', '-o', rel, target], { cwd: l.baseDir });
    return;
  }
  await run(ctx, 'mount', ['-t', 'overlay', 'overlay', '-o', opts, target]);
}

export async function unmount(ctx: Ctx, target: string): Promise<void> {
  const r = await run(ctx, 'umount', [target], { allowFail: true });
  if (r.code !== 0 && !/not mounted|no mount point|No such file/.test(r.stderr)) {
    // busy: detach lazily so the container's files go away once the last user is gone
    await run(ctx, 'umount', ['-l', target], { allowFail: true });
  }
}
