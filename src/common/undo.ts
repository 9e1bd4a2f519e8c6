import type { Logger } from './log.ts';

/**
 * Every multi-step host change registers an undo step after each successful step; on failure the stack is unwound
 * in reverse order, so a failed operation leaves nothing behind. Errors during unwinding are logged, not thrown.
 */
export class UndoStack {
  readonly #steps: { what: string; fn: () => unknown }[] = [];
  push(what: string, fn: () => unknown): void {
    this.#steps.push({ what, fn });
  }
  /** Forget the steps: the operation succeeded. */
  commit(): void {
    this.#steps.length = 0;
  }
  async unwind(log?: Logger): Promise<void> {
    while (this.#steps.length > 0) {
      const s = this.#steps.pop()!;
      try {
        await s.fn();
      } catch (err) {
        log?.warn('undo step failed', { step: s.what, error: String(err) });
      }
    }
  }
}
