/** Summaries of repeated measurements and the goal check, kept free of I/O so they can be unit-tested. */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new RangeError('summary of no samples');
  return { n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** A goal on the ratio berth/docker: met when the ratio is at most `num/den`. */
export interface Goal {
  num: number;
  den: number;
}

export function goalText(g: Goal): string {
  return g.den === 1 ? `≤ ${g.num}×` : `≤ ${g.num}/${g.den}`;
}

/** berth/docker, or undefined when either side is missing or docker's is not positive. */
export function ratio(berth: number | undefined, docker: number | undefined): number | undefined {
  if (berth === undefined || docker === undefined || !Number.isFinite(berth) || !Number.isFinite(docker) || docker <= 0) return undefined;
  return berth / docker;
}

/** Whether the ratio meets the goal; compared as ratio·den ≤ num so that 1/3 is not lost to rounding. */
export function goalMet(r: number | undefined, g: Goal): boolean | undefined {
  if (r === undefined) return undefined;
  return r * g.den <= g.num + 1e-9;
}

/** Per-container overhead: (with n − idle)/n, in the unit of the inputs. */
export function perContainer(idle: number | undefined, loaded: number | undefined, n: number): number | undefined {
  if (idle === undefined || loaded === undefined || n <= 0) return undefined;
  return (loaded - idle) / n;
}
