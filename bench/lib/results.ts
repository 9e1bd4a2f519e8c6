import type { EngineMemory } from './memory.ts';
import type { SlotKey } from './slot.ts';
import type { Summary } from './stats.ts';

export type MeasureId =
  | 'run'
  | 'batch'
  | 'batchRun'
  | 'batchRm'
  | 'rssIdle'
  | 'rss50'
  | 'rssPer'
  | 'pssIdle'
  | 'pss50'
  | 'pssPer'
  | 'psCreate'
  | 'ps';

/** Times in ms, memory in kB. */
export class Results {
  readonly values: Partial<Record<MeasureId, Partial<Record<SlotKey, number>>>> = {};
  readonly spread: Partial<Record<MeasureId, Partial<Record<SlotKey, Summary>>>> = {};
  readonly errors: Partial<Record<MeasureId, Partial<Record<SlotKey, string>>>> = {};
  readonly memory: Partial<Record<'idle' | 'loaded', Partial<Record<SlotKey, EngineMemory>>>> = {};
  floor: Record<string, Summary> | undefined;
  floorError: string | undefined;
  readonly notes: string[] = [];

  set(id: MeasureId, key: SlotKey, v: number | undefined, spread?: Summary): void {
    if (v === undefined) return;
    (this.values[id] ??= {})[key] = v;
    if (spread) (this.spread[id] ??= {})[key] = spread;
  }

  get(id: MeasureId, key: SlotKey): number | undefined {
    return this.values[id]?.[key];
  }

  fail(id: MeasureId, key: SlotKey, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    (this.errors[id] ??= {})[key] ??= msg;
  }

  failed(id: MeasureId, key: SlotKey): boolean {
    return this.errors[id]?.[key] !== undefined;
  }
}
