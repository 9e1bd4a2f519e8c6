import { InvalidArgumentError } from '../../common/errors.ts';
import { ALL_CAPABILITIES } from './defaults.ts';

/**
 * Upper-cases and prefixes `CAP_` (Docker accepts `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN`); `ALL` passes through.
 * Throws Docker's `unknown capability: "CAP_X"` for a name the kernel does not know, and
 * `capability not supported by your kernel or not available in the current environment: "CAP_X"` for one the
 * daemon itself does not hold (`available`, default: all).
 */
export function normalizeCapabilities(caps: readonly string[], available: readonly string[] = ALL_CAPABILITIES): string[] {
  return caps.map((raw) => {
    let c = raw.toUpperCase();
    if (c === 'ALL') return c;
    if (!c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!ALL_CAPABILITIES.includes(c)) throw new InvalidArgumentError(`unknown capability: ${JSON.stringify(c)}`);
    if (!available.includes(c)) throw new InvalidArgumentError(`capability not supported by your kernel or not available in the current environment: ${JSON.stringify(c)}`);
    return c;
  });
}

/**
 * Docker's TweakCapabilities: privileged gets every capability available (those the daemon holds: dockerd ≥ 23
 * does the same, so a host whose bounding set lacks one still runs privileged containers); `--cap-add ALL` adds
 * all available but the dropped ones; `--cap-drop ALL` keeps only the added ones; otherwise drop from the basics,
 * then add.
 */
export function tweakCapabilities(
  basics: readonly string[],
  adds: readonly string[] = [],
  drops: readonly string[] = [],
  privileged = false,
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  if (privileged) return [...available];
  if (adds.length === 0 && drops.length === 0) return [...basics];
  const capDrop = normalizeCapabilities(drops, available);
  const capAdd = normalizeCapabilities(adds, available);
  let caps: string[];
  if (capAdd.includes('ALL')) {
    caps = available.filter((c) => !capDrop.includes(c));
  } else if (capDrop.includes('ALL')) {
    caps = [...capAdd];
  } else {
    caps = basics.filter((c) => !capDrop.includes(c));
    caps.push(...capAdd);
  }
  return [...new Set(caps)];
}

/** Capability names of a /proc/<pid>/status mask ("000001fffeffffff"), in the kernel's order. */
export function capabilitiesOfMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return ALL_CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}
