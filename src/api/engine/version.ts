export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
export const ENGINE_VERSION = '0.1.0';

/** "1.41" → 1.41 as a comparable number (minor < 100). */
export function parseApiVersion(v: string): number {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) return Number.NaN;
  return Number(m[1]) + Number(m[2]) / 100;
}

export const MAX_VERSION_NUM = parseApiVersion(API_VERSION);
export const MIN_VERSION_NUM = parseApiVersion(MIN_API_VERSION);
