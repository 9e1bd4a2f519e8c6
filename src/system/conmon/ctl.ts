import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** conmon's control message types on the `ctl` FIFO (config.h). */
export const WIN_RESIZE_EVENT = 1;
export const REOPEN_LOGS_EVENT = 2;

/**
 * Writes one message to conmon's `ctl` FIFO in `dir` (the bundle or exec dir): `"<type> <height> <width>\n"`.
 * Type 1 resizes the TTY (conmon passes "<h> <w>" on to its `winsz` FIFO and ioctl(TIOCSWINSZ)s the pty);
 * type 2 makes conmon re-open its k8s-file log. Opened non-blocking: if conmon is gone (no reader) this fails
 * with ENXIO/ENOENT instead of hanging.
 */
function message(type: number, height: number, width: number): string {
  return `${type} ${Math.trunc(height)} ${Math.trunc(width)}\n`;
}

export async function writeCtl(dir: string, type: number, height = 0, width = 0): Promise<void> {
  const fh = await open(`${dir}/ctl`, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await fh.write(message(type, height, width));
  } finally {
    await fh.close();
  }
}

/**
 * writeCtl without the thread pool: for the log rotation hot path, where a container writing fast fills its file
 * further with every trip through it (a few bytes to a non-blocking FIFO never block).
 */
export function writeCtlSync(dir: string, type: number, height = 0, width = 0): void {
  const fd = openSync(`${dir}/ctl`, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    writeSync(fd, message(type, height, width));
  } finally {
    closeSync(fd);
  }
}
