/**
 * Callbacks waiting for something of a container (its exit, its next start), by container id. An entry added with
 * a signal (the client's connection) is dropped when the signal aborts, so a client that went away leaves nothing
 * behind.
 */
export class WaitList<T> {
  readonly #byId = new Map<string, T[]>();

  /** Adds `item` for `id`; `onAbort` runs after it was dropped because `signal` aborted. */
  add(id: string, item: T, signal?: AbortSignal, onAbort?: () => void): void {
    const list = this.#byId.get(id) ?? [];
    list.push(item);
    this.#byId.set(id, list);
    signal?.addEventListener(
      'abort',
      () => {
        this.#remove(id, (x) => x === item);
        onAbort?.();
      },
      { once: true },
    );
  }

  /** Removes and returns the entries of `id` that `pick` accepts (all of them without it). */
  take(id: string, pick: (item: T) => boolean = () => true): T[] {
    return this.#remove(id, pick);
  }

  /** How many entries wait for `id` (for tests). */
  count(id: string): number {
    return this.#byId.get(id)?.length ?? 0;
  }

  #remove(id: string, pick: (item: T) => boolean): T[] {
    const list = this.#byId.get(id);
    if (!list) return [];
    const taken = list.filter(pick);
    const rest = list.filter((x) => !pick(x));
    if (rest.length > 0) this.#byId.set(id, rest);
    else this.#byId.delete(id);
    return taken;
  }
}
