import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../common/errors.ts';
import { mustIPv4 } from './ipv4.ts';

/** Docker's MAC for an IPv4 endpoint: 02:42 followed by the four address bytes (libnetwork netutils.GenerateMACFromIP). */
export function macFromIPv4(ip: string): string {
  const n = mustIPv4(ip);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const MAC_RE = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

/** Validates a user-given MAC (`--mac-address`) and returns it in lower-case colon form. */
export function normalizeMac(mac: string): string {
  if (!MAC_RE.test(mac)) throw new InvalidArgumentError(`${mac} is not a valid mac address`);
  return mac.toLowerCase().replace(/-/g, ':');
}

/** A random locally administered unicast MAC (for endpoints without an IPv4 address, as libnetwork). */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
