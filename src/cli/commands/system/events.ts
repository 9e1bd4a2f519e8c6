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
import { GoNumber, parse } from '../../format/template.ts';
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
        ctx.out.write(`${tmpl.execute(e)}\n`);
        continue;
      }
      ctx.out.write(pretty(e, e.timeNano?.text));
    }
  },
});
