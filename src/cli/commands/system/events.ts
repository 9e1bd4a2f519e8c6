/** `berth events`: streams GET /events until interrupted; one line per event (or per template result). */
import { systemEvents } from '../../../client/api/system.ts';
import type { Reviver } from '../../../client/streams.ts';
import { jsonMessages } from '../../../client/streams.ts';
import type { EventMessage } from '../../../client/types.ts';
import { defineCommand, noArgs } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import type { Filters } from '../../flags/common.ts';
import { INSPECT_FORMAT_HELP, filterFlag, formatFlag } from '../../flags/common.ts';
import { stringFlag } from '../../flags/spec.ts';
import type { Template } from '../../format/template.ts';
import { GO_MAP, GO_TYPE, GoNumber, parse } from '../../format/template.ts';
import { parseTimestamp } from '../../opts/timestamp.ts';

/** time.Unix(0, ns).Format("2006-01-02T15:04:05.000000000Z07:00") in the local zone. */
export function rfc3339NanoFixed(ns: bigint): string {
  const ms = Number(ns / 1000000n);
  const frac = String(ns % 1000000000n).padStart(9, '0');
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const local = new Date(ms + off * 60000).toISOString().slice(0, 19);
  if (off === 0) return `${local}.${frac}Z`;
  const a = Math.abs(off);
  return `${local}.${frac}${off > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function pretty(e: Omit<EventMessage, 'timeNano'>, timeNanoText: string | undefined): string {
  let s = '';
  if (timeNanoText && timeNanoText !== '0') s += `${rfc3339NanoFixed(BigInt(timeNanoText))} `;
  else if (e.time) s += `${rfc3339NanoFixed(BigInt(e.time) * 1000000000n)} `;
  s += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length) s += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${s}\n`;
}

/** An event as Go's events.Message: templates see its field names, {{json .}} gets its tags, order and omitempty. */
export class EventView {
  readonly [GO_TYPE] = 'events.Message';
  readonly #e: EventMessage & { timeNano?: GoNumber; status?: string; id?: string; from?: string; scope?: string };
  readonly #actor: { ID: string; Attributes: Record<string, string> };
  constructor(e: EventMessage & { timeNano?: GoNumber }) {
    this.#e = e;
    const attrs: Record<string, string> = {};
    const raw = e.Actor?.Attributes ?? {};
    for (const k of Object.keys(raw).sort()) attrs[k] = raw[k]!;
    Object.defineProperty(attrs, GO_MAP, { value: true });
    this.#actor = { ID: e.Actor?.ID ?? '', Attributes: attrs };
  }
  Status(): string {
    return this.#e.status ?? '';
  }
  ID(): string {
    return this.#e.id ?? '';
  }
  From(): string {
    return this.#e.from ?? '';
  }
  Type(): string {
    return this.#e.Type ?? '';
  }
  Action(): string {
    return this.#e.Action ?? '';
  }
  Actor(): { ID: string; Attributes: Record<string, string> } {
    return this.#actor;
  }
  Scope(): string {
    return this.#e.scope ?? '';
  }
  Time(): number {
    return this.#e.time ?? 0;
  }
  TimeNano(): GoNumber {
    return this.#e.timeNano ?? new GoNumber('0');
  }
  MarshalJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.Status()) out.status = this.Status();
    if (this.ID()) out.id = this.ID();
    if (this.From()) out.from = this.From();
    out.Type = this.Type();
    out.Action = this.Action();
    out.Actor = this.#actor;
    if (this.Scope()) out.scope = this.Scope();
    if (this.Time()) out.time = this.Time();
    if (this.TimeNano().text !== '0') out.timeNano = this.TimeNano();
    return out;
  }
}

export default defineCommand<{ since: string; until: string; filter: Filters; format: string }>({
  usage: '[OPTIONS]',
  short: 'Get real time events from the server',
  aliases: '{bin} system events, {bin} events',
  args: noArgs,
  flags: [
    filterFlag(),
    formatFlag(INSPECT_FORMAT_HELP),
    stringFlag('since', 'Show all events created since timestamp'),
    stringFlag('until', 'Stream events until this timestamp'),
  ],
  async run(ctx, o) {
    let tmpl: Template | undefined;
    if (o.format !== '') {
      try {
        tmpl = parse(o.format === 'json' ? '{{json .}}' : o.format);
      } catch (err) {
        throw new StatusError(`Error parsing format: ${(err as Error).message}`, 64);
      }
    }
    const now = Date.now();
    const client = await ctx.client();
    const res = await systemEvents(client, {
      since: o.since ? parseTimestamp(o.since, now) : undefined,
      until: o.until ? parseTimestamp(o.until, now) : undefined,
      filters: o.filter,
    });
    // timeNano does not fit a double: keep its digits (for printing) alongside the parsed event.
    const keepNano: Reviver = (key, value, c) => {
      if (key === 'timeNano' && typeof value === 'number') return new GoNumber(c?.source ?? String(value));
      return value;
    };
    for await (const e of jsonMessages<EventMessage & { timeNano?: GoNumber }>(res, keepNano)) {
      if (tmpl) {
        ctx.out.write(`${tmpl.execute(new EventView(e))}\n`);
        continue;
      }
      ctx.out.write(pretty(e, e.timeNano?.text));
    }
  },
});
