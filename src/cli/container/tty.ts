/** Terminal handling for attached TTY sessions: raw mode and keeping the container's TTY size in sync. */
import { spawn } from 'node:child_process';
import type { CliContext } from '../context.ts';

export interface RawMode {
  restore(): void;
}

/**
 * Puts the terminal in raw mode like docker (moby/term MakeRaw): libuv's raw mode plus output post-processing
 * off (libuv keeps ONLCR, docker clears OPOST; `stty -opost` does that part). setRawMode(false) restores the
 * whole saved state, OPOST included, because libuv saved it before any change. restore() is idempotent.
 */
export async function setRawTerminal(ctx: CliContext): Promise<RawMode> {
  const stdin = ctx.in.stream;
  if (!ctx.in.isTTY || typeof stdin.setRawMode !== 'function') return { restore() {} };
  stdin.setRawMode(true);
  await new Promise<void>((resolve) => {
    try {
      const p = spawn('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
      p.on('error', () => resolve());
      p.on('close', () => resolve());
    } catch {
      resolve();
    }
  });
  let done = false;
  return {
    restore() {
      if (done) return;
      done = true;
      try {
        stdin.setRawMode?.(false);
      } catch {
        // the terminal may be gone
      }
    },
  };
}

type Resize = (h: number, w: number) => Promise<unknown>;

/** Initial resize (retried like docker: 10 tries with growing pauses), then one per SIGWINCH. Returns a stop fn. */
export function monitorTtySize(ctx: CliContext, resize: Resize): () => void {
  const size = () => ctx.out.size();
  const resizeNow = async () => {
    const [h, w] = size();
    if (h === 0 && w === 0) return;
    await resize(h, w);
  };
  void (async () => {
    try {
      await resizeNow();
    } catch {
      for (let retry = 0; retry < 10; retry++) {
        await new Promise((r) => setTimeout(r, (retry + 1) * 10));
        try {
          await resizeNow();
          return;
        } catch {
          // try again
        }
      }
      ctx.err.write('failed to resize tty, using default size\n');
    }
  })();
  const onWinch = () => void resizeNow().catch(() => {});
  process.on('SIGWINCH', onWinch);
  return () => process.off('SIGWINCH', onWinch);
}

/** docker's In().CheckTty */
export function checkTty(ctx: CliContext, attachStdin: boolean, tty: boolean): void {
  if (tty && attachStdin && !ctx.in.isTTY) throw new Error('the input device is not a TTY');
}
