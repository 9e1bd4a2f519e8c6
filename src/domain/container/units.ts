import { InvalidArgumentError } from '../../common/errors.ts';

const RAM_RE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const BINARY: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** go-units RAMInBytes: "64m", "1.5g", "512 KiB", "1024" → bytes (binary multiples). */
export function parseRamBytes(s: string): number {
  const m = RAM_RE.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid size: '${s}'`);
  const n = Number.parseFloat(m[1]!);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`invalid size: '${s}'`);
  const mult = m[2] ? BINARY[m[2].toLowerCase()]! : 1;
  return Math.floor(n * mult);
}

/** go-units BytesSize: 1536 → "1.5KiB" (binary, 4 significant digits), as `docker stats` prints. */
export function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}
