/** Small helpers for Go-style maps in request bodies (Go marshals map keys sorted). */

export function sorted<V>(m: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(m).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** opts.ConvertKVStringsToMap: "k=v" items → sorted map ("k" alone → ""). */
export function kvMap(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    out[i >= 0 ? v.slice(0, i) : v] = i >= 0 ? v.slice(i + 1) : '';
  }
  return sorted(out);
}
