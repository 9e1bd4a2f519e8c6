import { randomBytes } from 'node:crypto';

/** A 64-hex-character id, as Docker's container, exec and network ids. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function isHexId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
