import { InvalidArgumentError } from '../../common/errors.ts';
import { ALL_CAPABILITIES } from './defaults.ts';

/**
 * Upper-cases and prefixes `CAP_` (Docker accepts `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN`); `ALL` passes through.
 * Throws Docker's `unknown capability: "CAP_X"` for a name the kernel does not know.
 */
export function normalizeCapabilities(caps: readonly string[]): string[] {
  return caps.map((raw) => {
    let c = raw.toUpperCase();
    if (c === 'ALL') return c;
    if (!c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!ALL_CAPABILITIES.includes(c)) throw new InvalidArgumentError(`unknown capability: ${JSON.stringify(c)}`);
    return c;
  });
}

/**
 * Docker's TweakCapabilities: privileged gets every capability; `--cap-add ALL` adds all but the dropped ones;
 * `--cap-drop ALL` keeps only the added ones; otherwise drop from the basics, then add.
 */
export function tweakCapabilities(
  basics: readonly string[],
  adds: readonly string[] = [],
  drops: readonly string[] = [],
  privileged = false,
): string[] {
  if (privileged) return [...ALL_CAPABILITIES];
  if (adds.length === 0 && drops.length === 0) return [...basics];
  const capDrop = normalizeCapabilities(drops);
  const capAdd = normalizeCapabilities(adds);
  let caps: string[];
  if (capAdd.includes('ALL')) {
    caps = ALL_CAPABILITIES.filter((c) => !capDrop.includes(c));
  } else if (capDrop.includes('ALL')) {
    caps = [...capAdd];
  } else {
    caps = basics.filter((c) => !capDrop.includes(c));
    caps.push(...capAdd);
  }
  return [...new Set(caps)];
}
