/**
 * A counting semaphore for transfers (dockerd's transfer manager concurrency limit): `max-concurrent-downloads`
 * and `max-concurrent-uploads` are each one Limiter shared by every pull or push of the daemon.
 */
export class Limiter {
  #max: number;
  #active = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(max: number) {
    this.#max = Math.max(1, Math.trunc(max));
  }

  set max(n: number) {
    this.#max = Math.max(1, Math.trunc(n));
    this.#wake();
  }

  get max(): number {
    return this.#max;
  }

  get active(): number {
    return this.#active;
  }

  /** Takes a slot if one is free now. */
  tryAcquire(): boolean {
    if (this.#active >= this.#max) return false;
    this.#active++;
    return true;
  }

  /** Waits for a slot (rejects with the signal's reason when aborted while waiting). */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  release(): void {
    this.#active = Math.max(0, this.#active - 1);
    this.#wake();
  }

  #wake(): void {
    while (this.#active < this.#max && this.#waiters.length > 0) {
      this.#active++;
      this.#waiters.shift()!();
    }
  }

  /** Runs `fn` in a slot; `onWait` is called first when no slot is free right away. */
  async run<T>(fn: () => Promise<T>, onWait?: () => void, signal?: AbortSignal): Promise<T> {
    if (!this.tryAcquire()) {
      onWait?.();
      await this.acquire(signal);
    }
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
