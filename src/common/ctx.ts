import type { Logger } from './log.ts';
import { nullLogger } from './log.ts';

/** Passed to every I/O call: cancellation and the logger to use. */
export interface Ctx {
  signal?: AbortSignal;
  log: Logger;
}

export const backgroundCtx: Ctx = { log: nullLogger };
