/** docker's parallelOperation: runs an operation on many containers (≤ 50 at once), results in input order. */
export async function parallel<T>(items: string[], op: (item: string) => Promise<T>, limit = 50): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await op(items[i]!) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** errors.Join: one message per line; nothing when there are no errors. */
export function joinErrors(errs: unknown[]): Error | undefined {
  if (errs.length === 0) return undefined;
  return new Error(errs.map((e) => (e instanceof Error ? e.message : String(e))).join('\n'));
}
