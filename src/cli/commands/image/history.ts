/** `berth history` */
import { imageHistory } from '../../../client/api/images.ts';
import { truncateId } from '../../../client/reference.ts';
import type { HistoryItem } from '../../../client/types.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { formatFlag } from '../../flags/common.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { ellipsis } from '../../format/ellipsis.ts';
import { headerContext, renderList } from '../../format/formatter.ts';
import { GO_TYPE } from '../../format/template.ts';
import { humanDuration, humanSizeWithPrecision } from '../../format/units.ts';

const EPOCH_2000 = Date.UTC(2000, 0, 1) / 1000;

function rfc3339Local(sec: number): string {
  const d = new Date(sec * 1000);
  const off = -d.getTimezoneOffset();
  const t = new Date(sec * 1000 + off * 60000).toISOString().slice(0, 19);
  if (off === 0) return `${t}Z`;
  const a = Math.abs(off);
  return `${t}${off > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

class HistoryContext {
  readonly [GO_TYPE] = '*image.historyContext';
  readonly #h: HistoryItem;
  readonly #trunc: boolean;
  readonly #human: boolean;
  constructor(h: HistoryItem, trunc: boolean, human: boolean) {
    this.#h = h;
    this.#trunc = trunc;
    this.#human = human;
  }
  ID(): string {
    return this.#trunc ? truncateId(this.#h.Id) : this.#h.Id;
  }
  CreatedAt(): string {
    return rfc3339Local(this.#h.Created);
  }
  CreatedSince(): string {
    if (!this.#human) return this.CreatedAt();
    if (this.#h.Created <= EPOCH_2000) return 'N/A';
    return `${humanDuration(Date.now() - this.#h.Created * 1000)} ago`;
  }
  CreatedBy(): string {
    const s = (this.#h.CreatedBy ?? '').replaceAll('\t', ' ');
    return this.#trunc ? ellipsis(s, 45) : s;
  }
  Size(): string {
    return this.#human ? humanSizeWithPrecision(this.#h.Size, 3) : String(this.#h.Size);
  }
  Comment(): string {
    return this.#h.Comment ?? '';
  }
}

export default defineCommand<{ human: boolean; quiet: boolean; noTrunc: boolean; format: string; platform: string }>({
  usage: '[OPTIONS] IMAGE',
  short: 'Show the history of an image',
  aliases: '{bin} image history, {bin} history',
  args: exactArgs(1),
  flags: [
    formatFlag(),
    boolFlag('human', 'Print sizes and dates in human readable format', { short: 'H', def: true }),
    boolFlag('no-trunc', "Don't truncate output"),
    stringFlag('platform', 'Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
    boolFlag('quiet', 'Only show image IDs', { short: 'q' }),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    const history = await imageHistory(client, args[0]!);
    let format = o.format || 'table';
    if (format === 'table') {
      format = o.quiet
        ? '{{.ID}}'
        : o.human
          ? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
          : 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
    }
    const header = headerContext({ ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' });
    ctx.out.write(renderList(format, header, history.map((h) => new HistoryContext(h, !o.noTrunc, o.human))));
  },
});
