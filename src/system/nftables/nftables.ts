import type { Ctx } from '../../common/ctx.ts';
import { run } from '../exec/exec.ts';
import type { Nftables, NftOp, NftTable, NftWhere } from './port.ts';
import { parseListedElements, parseListedRules, renderNftScript } from './render.ts';

/**
 * The real nftables adapter: transactions as text on stdin (`nft -f -`; `nft -j -f -` cannot read Node's
 * socketpair stdin), reads through `nft list`. Acts on the calling process's network namespace.
 */
export class NftablesCli implements Nftables {
  async apply(ctx: Ctx, table: NftTable, ops: readonly NftOp[], where?: NftWhere): Promise<void> {
    const script = renderNftScript(table, ops);
    if (script === '') return;
    if (where?.pid !== undefined) await run(ctx, 'nsenter', ['-t', String(where.pid), '-n', 'nft', '-f', '-'], { input: script });
    else await run(ctx, 'nft', ['-f', '-'], { input: script });
  }

  async tables(ctx: Ctx): Promise<string[]> {
    const res = await run(ctx, 'nft', ['list', 'tables']);
    return res.stdout
      .split('\n')
      .map((l) => /^table (\S+) (\S+)/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1]} ${m[2]}`);
  }

  async elements(ctx: Ctx, table: NftTable, set: string): Promise<string[] | undefined> {
    for (const kind of ['set', 'map']) {
      const res = await run(ctx, 'nft', ['list', kind, table.family, table.name, set], { allowFail: true });
      if (res.code === 0) return parseListedElements(res.stdout);
    }
    return undefined;
  }

  async rules(ctx: Ctx, table: NftTable, chain: string): Promise<string[] | undefined> {
    const res = await run(ctx, 'nft', ['list', 'chain', table.family, table.name, chain], { allowFail: true });
    return res.code === 0 ? parseListedRules(res.stdout) : undefined;
  }
}
