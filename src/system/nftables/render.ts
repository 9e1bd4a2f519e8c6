import type { NftOp, NftTable } from './port.ts';

/** One line of an `nft -f` script (pure; unit-tested). */
export function renderNftOp(t: NftTable, o: NftOp): string {
  const tn = `${t.family} ${t.name}`;
  switch (o.op) {
    case 'add-table':
      return `add table ${tn}`;
    case 'delete-table':
      return `delete table ${tn}`;
    case 'add-set':
      return `add ${o.map ? 'map' : 'set'} ${tn} ${o.name} { ${o.spec} }`;
    case 'add-chain':
      return o.base ? `add chain ${tn} ${o.chain} { ${o.base} }` : `add chain ${tn} ${o.chain}`;
    case 'flush-chain':
      return `flush chain ${tn} ${o.chain}`;
    case 'add-rule':
      return `add rule ${tn} ${o.chain} ${o.rule}`;
    case 'add-element':
      return `add element ${tn} ${o.set} { ${o.elements.join(', ')} }`;
    case 'delete-element':
      return `delete element ${tn} ${o.set} { ${o.elements.join(', ')} }`;
  }
}

/** The whole transaction; element ops with no elements are dropped (nft refuses empty braces). */
export function renderNftScript(t: NftTable, ops: readonly NftOp[]): string {
  return ops
    .filter((o) => !((o.op === 'add-element' || o.op === 'delete-element') && o.elements.length === 0))
    .map((o) => renderNftOp(t, o) + '\n')
    .join('');
}

/**
 * Extracts the elements of `nft list set|map` output: the text between `elements = {` and its `}`, split on the
 * top-level commas (pure).
 */
export function parseListedElements(listing: string): string[] {
  const start = listing.indexOf('elements = {');
  if (start < 0) return [];
  let depth = 0;
  let cur = '';
  const out: string[] = [];
  for (const ch of listing.slice(start + 'elements = {'.length)) {
    if (ch === '{') depth++;
    if (ch === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((e) => e.replace(/\s+/g, ' ').trim()).filter((e) => e !== '');
}

/** Extracts the rule lines of `nft list chain` output (declaration lines of base chains left out). */
export function parseListedRules(listing: string): string[] {
  const lines = listing.split('\n').map((l) => l.trim());
  const i = lines.findIndex((l) => l.startsWith('chain '));
  if (i < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(i + 1)) {
    if (l === '}') break;
    if (l === '' || l.startsWith('type ')) continue;
    out.push(l);
  }
  return out;
}
