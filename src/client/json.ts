/** JSON encoding as Go's encoding/json (json.Encoder) produces it, so request bodies match the docker CLI's. */

/** JSON.stringify + Go's HTML-safe escapes (<, >, &, U+2028, U+2029) + the encoder's trailing newline. */
export function goJson(v: unknown): string {
  return `${goMarshal(v)}\n`;
}

/** Like goJson without the trailing newline (json.Marshal). */
export function goMarshal(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go marshals maps with sorted keys; build such an object (null for a nil map). */
export function sortedMap<V>(m: Record<string, V> | Map<string, V> | undefined | null): Record<string, V> | null {
  if (!m) return null;
  const entries = m instanceof Map ? [...m.entries()] : Object.entries(m);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Record<string, V> = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}
