/**
 * The daemon's event bus: every service emits here; GET /events streams from here. Keeps a bounded history so
 * `--since` can replay past events, as dockerd does (its buffer holds 256; we keep more).
 */
export type EventType = 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin' | 'service' | 'node' | 'secret' | 'config' | 'builder';

export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local' | 'swarm';
  time: number;
  timeNano: number;
  /** Legacy fields, container and image events only. */
  status?: string;
  id?: string;
  from?: string;
}

export interface EmitInput {
  type: EventType;
  action: string;
  id: string;
  attributes?: Record<string, string>;
  /** For container events: the image name (legacy `from`). */
  from?: string;
}

type Listener = (e: EngineEvent) => void;

export class EventsService {
  readonly #history: EngineEvent[] = [];
  readonly #listeners = new Set<Listener>();
  readonly #max: number;

  constructor(max = 1024) {
    this.#max = max;
  }

  emit(input: EmitInput): EngineEvent {
    const ns = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    const e: EngineEvent = {
      Type: input.type,
      Action: input.action,
      Actor: { ID: input.id, Attributes: { ...(input.attributes ?? {}) } },
      scope: 'local',
      time: Number(ns / 1_000_000_000n),
      timeNano: Number(ns),
    };
    if (input.type === 'container' || input.type === 'image') {
      const legacy: Partial<EngineEvent> = { status: input.action, id: input.id };
      if (input.from !== undefined) legacy.from = input.from;
      Object.assign(e, legacy);
      // keep Docker's key order: status, id, from first
      const ordered = { ...legacy, ...e };
      this.#push(ordered);
      return ordered;
    }
    this.#push(e);
    return e;
  }

  #push(e: EngineEvent): void {
    this.#history.push(e);
    if (this.#history.length > this.#max) this.#history.splice(0, this.#history.length - this.#max);
    for (const l of this.#listeners) l(e);
  }

  /** Past events with timeNano in [sinceNs, untilNs]. */
  history(sinceNs: bigint, untilNs?: bigint): EngineEvent[] {
    return this.#history.filter((e) => BigInt(e.timeNano) >= sinceNs && (untilNs === undefined || BigInt(e.timeNano) <= untilNs));
  }

  subscribe(l: Listener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
}
