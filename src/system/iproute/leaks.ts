import type { Ctx } from '../../common/ctx.ts';
import { run } from '../exec/exec.ts';

/** What a network namespace holds: for leak checks at the end of integration tests. */
export interface NetnsInventory {
  /** Link names, "lo" included. */
  links: string[];
  /** "family name" of every nftables table. */
  nftTables: string[];
  /** IPv4 addresses as "dev cidr". */
  addrs: string[];
}

/** Lists links, addresses and nftables tables of a named network namespace (`ip netns add <name>`). */
export async function netnsInventory(ctx: Ctx, netns: string): Promise<NetnsInventory> {
  const links = JSON.parse((await run(ctx, 'ip', ['-n', netns, '-j', 'link', 'show'])).stdout || '[]') as { ifname: string }[];
  const addrs = JSON.parse((await run(ctx, 'ip', ['-n', netns, '-j', '-4', 'addr', 'show'])).stdout || '[]') as {
    ifname: string;
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  const tables = (await run(ctx, 'ip', ['netns', 'exec', netns, 'nft', 'list', 'tables'])).stdout;
  return {
    links: links.map((l) => l.ifname).sort(),
    addrs: addrs.flatMap((l) => (l.addr_info ?? []).map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`)).sort(),
    nftTables: tables
      .split('\n')
      .map((l) => /^table (\S+) (\S+)/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]} ${m[2]}`)
      .sort(),
  };
}
