import type { Ctx } from '../../common/ctx.ts';

/** The table an operation applies to. */
export interface NftTable {
  family: 'ip' | 'ip6' | 'inet' | 'bridge';
  name: string;
}

/**
 * One nftables operation on a table. A list of them is applied as ONE atomic transaction (`nft -f -`): either all
 * apply or none. Elements are written in nft's own text form (`tcp . 8080 : 172.17.0.2 . 80`, `"berth0"`), which is
 * also how `elements()` reports them.
 */
export type NftOp =
  | { op: 'add-table' }
  | { op: 'delete-table' }
  /** `spec` is the body of the declaration: "type ifname;" or "type inet_proto . inet_service : ipv4_addr . inet_service;" */
  | { op: 'add-set'; name: string; spec: string; map?: boolean }
  /** `base` makes a base chain: "type nat hook prerouting priority -100; policy accept;" */
  | { op: 'add-chain'; chain: string; base?: string }
  | { op: 'flush-chain'; chain: string }
  | { op: 'add-rule'; chain: string; rule: string }
  | { op: 'add-element'; set: string; elements: string[] }
  | { op: 'delete-element'; set: string; elements: string[] };

/** Where a transaction runs: the daemon's own network namespace (default) or the one of a process. */
export interface NftWhere {
  pid?: number;
}

/** The nftables port: berth changes packet filtering and NAT only through it. */
export interface Nftables {
  /** Applies the ops as one transaction, in the daemon's namespace or (with `where.pid`) in a process's. */
  apply(ctx: Ctx, table: NftTable, ops: readonly NftOp[], where?: NftWhere): Promise<void>;
  /** Every table of the namespace, as "family name". */
  tables(ctx: Ctx): Promise<string[]>;
  /** The elements of a set or map; undefined when the table or set does not exist. */
  elements(ctx: Ctx, table: NftTable, set: string): Promise<string[] | undefined>;
  /** The rules of a chain as nft prints them; undefined when it does not exist. */
  rules(ctx: Ctx, table: NftTable, chain: string): Promise<string[] | undefined>;
}
