import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import type { Nftables, NftOp, NftTable, NftWhere } from './port.ts';
import { renderNftOp, renderNftScript } from './render.ts';

interface FakeSet {
  map: boolean;
  spec: string;
  /** key → full element text */
  elements: Map<string, string>;
}

interface FakeTable {
  sets: Map<string, FakeSet>;
  chains: Map<string, { base?: string; rules: string[] }>;
}

function cloneTable(t: FakeTable): FakeTable {
  return {
    sets: new Map([...t.sets].map(([k, s]) => [k, { ...s, elements: new Map(s.elements) }])),
    chains: new Map([...t.chains].map(([k, c]) => [k, { ...c, rules: [...c.rules] }])),
  };
}

function keyOf(el: string, map: boolean): string {
  return map ? el.split(' : ')[0]!.trim() : el.trim();
}

/**
 * A stateful in-memory nftables: tables, sets/maps with their elements, chains with their rules; transactions are
 * atomic (a failing op leaves the state as it was) and fail like nft does (missing table/set/chain, deleting an
 * element that is not there, a map key added twice with another value, a jump to a missing chain).
 */
export class FakeNftables implements Nftables {
  #tables = new Map<string, FakeTable>();
  /** The tables of other processes' namespaces (apply with `where.pid`), by pid. */
  readonly #others = new Map<number, Map<string, FakeTable>>();
  /** Every applied script (rendered text): for assertions on batching. */
  readonly history: string[] = [];
  failNext: string | undefined;

  async apply(_ctx: Ctx, table: NftTable, ops: readonly NftOp[], where?: NftWhere): Promise<void> {
    const script = renderNftScript(table, ops);
    if (script === '') return;
    if (this.failNext !== undefined) {
      const msg = this.failNext;
      this.failNext = undefined;
      throw new SystemError(`nft -f -: ${msg}`);
    }
    const current = where?.pid !== undefined ? (this.#others.get(where.pid) ?? new Map<string, FakeTable>()) : this.#tables;
    const tables = new Map([...current].map(([k, t]) => [k, cloneTable(t)]));
    const tn = `${table.family} ${table.name}`;
    for (const o of ops) {
      const fail = (why: string): never => {
        throw new SystemError(`nft -f -: Error: ${why}\n${renderNftOp(table, o)}`);
      };
      if (o.op === 'add-table') {
        if (!tables.has(tn)) tables.set(tn, { sets: new Map(), chains: new Map() });
        continue;
      }
      const t = tables.get(tn) ?? fail('No such file or directory');
      switch (o.op) {
        case 'delete-table':
          tables.delete(tn);
          break;
        case 'add-set':
          if (!t.sets.has(o.name)) t.sets.set(o.name, { map: !!o.map, spec: o.spec, elements: new Map() });
          break;
        case 'add-chain':
          if (!t.chains.has(o.chain)) t.chains.set(o.chain, o.base ? { base: o.base, rules: [] } : { rules: [] });
          break;
        case 'flush-chain':
          (t.chains.get(o.chain) ?? fail('No such file or directory')).rules = [];
          break;
        case 'add-rule': {
          const c = t.chains.get(o.chain) ?? fail('No such file or directory');
          for (const ref of o.rule.matchAll(/@([\w-]+)/g)) if (!t.sets.has(ref[1]!)) fail(`Set '${ref[1]}' does not exist`);
          const jump = /(?:jump|goto) ([\w-]+)/.exec(o.rule);
          if (jump && !t.chains.has(jump[1]!)) fail(`Could not process rule: No such file or directory`);
          c.rules.push(o.rule);
          break;
        }
        case 'add-element': {
          const s = t.sets.get(o.set) ?? fail('No such file or directory');
          for (const el of o.elements) {
            const k = keyOf(el, s.map);
            const prev = s.elements.get(k);
            if (prev !== undefined && prev !== el.trim()) fail('Could not process rule: File exists');
            s.elements.set(k, el.trim());
          }
          break;
        }
        case 'delete-element': {
          const s = t.sets.get(o.set) ?? fail('No such file or directory');
          for (const el of o.elements) {
            const k = keyOf(el, s.map);
            if (!s.elements.delete(k)) fail('Could not process rule: No such file or directory');
          }
          break;
        }
      }
    }
    if (where?.pid !== undefined) this.#others.set(where.pid, tables);
    else this.#tables = tables;
    this.history.push(where?.pid !== undefined ? `# pid ${where.pid}\n${script}` : script);
  }

  /** The rules of every chain of a table in a process's namespace ("chain: rule"), for assertions. */
  rulesIn(pid: number, table: NftTable): string[] | undefined {
    const t = this.#others.get(pid)?.get(`${table.family} ${table.name}`);
    return t ? [...t.chains].flatMap(([name, c]) => c.rules.map((r) => `${name}: ${r}`)) : undefined;
  }

  /** A process exits: the tables of its namespace go with it. */
  exit(pid: number): void {
    this.#others.delete(pid);
  }

  async tables(_ctx: Ctx): Promise<string[]> {
    return [...this.#tables.keys()];
  }

  async elements(_ctx: Ctx, table: NftTable, set: string): Promise<string[] | undefined> {
    const s = this.#tables.get(`${table.family} ${table.name}`)?.sets.get(set);
    return s ? [...s.elements.values()] : undefined;
  }

  async rules(_ctx: Ctx, table: NftTable, chain: string): Promise<string[] | undefined> {
    const c = this.#tables.get(`${table.family} ${table.name}`)?.chains.get(chain);
    return c ? [...c.rules] : undefined;
  }
}
