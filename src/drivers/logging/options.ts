import { InvalidArgumentError } from '../../common/errors.ts';
import type { LogConfig } from './contract.ts';

/** berth's default: capped (dockerd's json-file default is unlimited). */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = { maxSize: 10_000_000, maxFile: 3 };

const KNOWN = new Set(['max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag']);

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

/**
 * Docker's json-file log options (`--log-opt max-size=… max-file=…`) with berth's defaults for what is not
 * given. `max-size=-1` means unlimited. Errors carry dockerd's wording.
 */
export function parseLogOpts(opts: Readonly<Record<string, string>> = {}): LogConfig {
  for (const k of Object.keys(opts)) {
    if (!KNOWN.has(k)) throw new InvalidArgumentError(`unknown log opt '${k}' for json-file log driver`);
  }
  const cfg: LogConfig = { ...DEFAULT_LOG_CONFIG };
  const size = opts['max-size'];
  if (size !== undefined) {
    if (size.trim() === '-1') cfg.maxSize = 0;
    else {
      cfg.maxSize = parseHumanSize(size);
      if (cfg.maxSize <= 0) throw new InvalidArgumentError('max-size must be a positive number');
    }
  }
  const files = opts['max-file'];
  if (files !== undefined) {
    if (!/^-?\d+$/.test(files.trim())) throw new InvalidArgumentError(`strconv.Atoi: parsing "${files}": invalid syntax`);
    cfg.maxFile = Number(files);
    if (cfg.maxFile < 1) throw new InvalidArgumentError('max-file cannot be less than 1');
  }
  return cfg;
}
