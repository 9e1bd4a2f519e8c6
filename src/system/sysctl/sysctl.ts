import { readFile, writeFile } from 'node:fs/promises';
import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import { type Sysctl, sysctlPath } from './port.ts';

/** Reads and writes /proc/sys of the calling process (its network namespace for net.* keys). */
export class ProcSysctl implements Sysctl {
  readonly #root: string;
  constructor(root = '/proc/sys') {
    this.#root = root;
  }
  async get(_ctx: Ctx, key: string): Promise<string | undefined> {
    try {
      return (await readFile(sysctlPath(key, this.#root), 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  async set(ctx: Ctx, key: string, value: string): Promise<void> {
    if ((await this.get(ctx, key)) === value) return;
    try {
      await writeFile(sysctlPath(key, this.#root), value);
    } catch (err) {
      throw new SystemError(`sysctl ${key}=${value}: ${(err as Error).message}`, { cause: err });
    }
    ctx.log.debug('sysctl', { key, value });
  }
}
