/** `berth stats`: a live table of container resource usage, or one sample with --no-stream (docker's RunStats). */
import type { Readable } from 'node:stream';
import { containerList, containerPath, filtersJson } from '../../../client/api/containers.ts';
import type { EngineClient } from '../../../client/client.ts';
import { defineCommand } from '../../command.ts';
import type { CliContext } from '../../context.ts';
import { formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { headerContext, renderList } from '../../format/formatter.ts';
import { STATS_HEADER, STATS_TABLE, type StatsEntry, type StatsJson, StatsRow, emptyEntry, toEntry } from './stats-calc.ts';

interface Opts {
  all: boolean;
  noStream: boolean;
  noTrunc: boolean;
  format: string;
}

const FIRST_TIMEOUT_MS = 2000;
const REDRAW_MS = 500;

/** Newline-delimited JSON objects of a response body. */
async function* jsonLines<T>(res: Readable): AsyncGenerator<T> {
  let buf = '';
  for await (const chunk of res) {
    buf += (chunk as Buffer).toString('utf8');
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) yield JSON.parse(line) as T;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as T;
}

/** One container's statistics as they arrive (docker's Stats + collect). */
class Collector {
  readonly container: string;
  entry: StatsEntry;
  error: Error | undefined;
  readonly first: Promise<void>;
  #firstDone!: () => void;
  readonly #ac = new AbortController();

  constructor(container: string) {
    this.container = container;
    this.entry = emptyEntry(container);
    this.first = new Promise((resolve) => (this.#firstDone = resolve));
  }

  start(client: EngineClient, stream: boolean): void {
    const timer = setInterval(() => {
      if (this.#ac.signal.aborted) return;
      // no sample for 2 s: shown as "--" (docker's "timeout waiting for stats")
      this.entry = { ...emptyEntry(this.container), name: this.entry.name, id: this.entry.id, invalid: true };
      this.error = new Error('timeout waiting for stats');
      this.#firstDone();
    }, FIRST_TIMEOUT_MS);
    const run = async () => {
      const res = await client.request('GET', containerPath(this.container, '/stats'), { query: { stream: stream ? '1' : '0' }, signal: this.#ac.signal });
      for await (const v of jsonLines<StatsJson>(res)) {
        this.entry = toEntry(this.container, v);
        this.error = undefined;
        timer.refresh();
        this.#firstDone();
        if (!stream) break;
      }
      // the daemon ended the stream (the container is gone or stopped): "--" from now on
      if (stream && !this.#ac.signal.aborted) this.entry = { ...this.entry, invalid: true };
    };
    run()
      .catch((err: Error) => {
        if (this.#ac.signal.aborted) return;
        this.error = err;
        this.entry = { ...this.entry, invalid: true };
      })
      .finally(() => {
        clearInterval(timer);
        this.#firstDone();
      });
  }

  stop(): void {
    this.#ac.abort();
  }
}

class Collectors {
  readonly list: Collector[] = [];
  add(client: EngineClient, id: string, stream: boolean): Collector | undefined {
    if (this.list.some((c) => c.container === id)) return undefined;
    const c = new Collector(id);
    this.list.push(c);
    c.start(client, stream);
    return c;
  }
  remove(id: string): void {
    const i = this.list.findIndex((c) => c.container === id);
    if (i < 0) return;
    this.list[i]!.stop();
    this.list.splice(i, 1);
  }
}

/** Container events (start, die, create) while streaming everything: containers come and go from the table. */
function watchEvents(ctx: CliContext, client: EngineClient, o: Opts, cs: Collectors, signal: AbortSignal): void {
  const run = async () => {
    const res = await client.request('GET', '/events', { query: { filters: filtersJson([['type', 'container']]) }, signal });
    for await (const e of jsonLines<{ Action?: string; Actor?: { ID?: string } }>(res)) {
      const id = e.Actor?.ID?.slice(0, 12);
      if (!id) continue;
      if (e.Action === 'start' || (o.all && e.Action === 'create')) cs.add(client, id, !o.noStream);
      else if (e.Action === 'die' && !o.all) cs.remove(id);
    }
  };
  run().catch((err: Error) => {
    if (!signal.aborted) ctx.err.write(`${err.message}\n`);
  });
}

export default defineCommand<Opts>({
  usage: '[OPTIONS] [CONTAINER...]',
  short: 'Display a live stream of container(s) resource usage statistics',
  aliases: '{bin} container stats, {bin} stats',
  flags: [
    boolFlag('all', 'Show all containers (default shows just running)', { short: 'a' }),
    formatFlag(),
    boolFlag('no-stream', 'Disable streaming stats and only pull the first result'),
    boolFlag('no-trunc', 'Do not truncate output'),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    const cs = new Collectors();
    const showAll = args.length === 0;
    const events = new AbortController();
    if (showAll) {
      if (!o.noStream) watchEvents(ctx, client, o, cs, events.signal);
      const list = await containerList(client, { all: o.all });
      for (const c of list) cs.add(client, (c.Id ?? '').slice(0, 12), !o.noStream);
      await Promise.all(cs.list.map((c) => c.first));
    } else {
      for (const id of args) cs.add(client, id, !o.noStream);
      await Promise.all(cs.list.map((c) => c.first));
      const errors = cs.list.filter((c) => c.error).map((c) => c.error!.message);
      if (errors.length) {
        for (const c of cs.list) c.stop();
        throw new Error(errors.join('\n'));
      }
    }
    const configured = (ctx.config() as { statsFormat?: string }).statsFormat;
    let format = o.format || configured || 'table';
    if (format === 'table') format = STATS_TABLE;
    const header = headerContext(STATS_HEADER);
    const draw = (): string => renderList(format, header, cs.list.map((c) => new StatsRow(c.entry, !o.noTrunc)));
    try {
      if (o.noStream) {
        ctx.out.write(draw());
        return;
      }
      for (;;) {
        const text = draw();
        // home, each line cleared to its end, the rest of the screen cleared
        ctx.out.write(`\x1b[H${text.split('\n').map((l) => `${l}\x1b[K`).join('\n')}\x1b[J`);
        if (cs.list.length === 0 && !showAll) break;
        await new Promise((r) => setTimeout(r, REDRAW_MS));
      }
    } finally {
      events.abort();
      for (const c of cs.list) c.stop();
    }
  },
});
