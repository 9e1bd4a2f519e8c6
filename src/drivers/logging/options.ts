import { InvalidArgumentError } from '../../common/errors.ts';
import type { LogConfig } from './contract.ts';

/** berth's default: capped (dockerd's json-file default is unlimited). */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = { maxSize: 10_000_000, maxFile: 3 };

/**
 * docker/go-units FromHumanSize: decimal units ("10m" = 10,000,000 bytes), an optional "b", any case,
 * optional space, fractions allowed ("1.5k").
 */
export function parseHumanSize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid size: '${s}'`);
  const mult: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
  return Math.floor(Number(m[1]) * mult[m[2]!.toLowerCase()]!);
}
