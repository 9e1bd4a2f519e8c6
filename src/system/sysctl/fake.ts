import type { Ctx } from '../../common/ctx.ts';
import type { Sysctl } from './port.ts';

/** An in-memory sysctl table. */
export class FakeSysctl implements Sysctl {
  readonly values = new Map<string, string>();
  async get(_ctx: Ctx, key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async set(_ctx: Ctx, key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
}
