/** `berth images` / `berth image ls` */
import { imageList } from '../../../client/api/images.ts';
import { defineCommand, maxArgs } from '../../command.ts';
import type { Filters } from '../../flags/common.ts';
import { filterFlag, formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { imageFormat, imageHeader, imageRows } from '../../format/contexts/image.ts';
import { renderList } from '../../format/formatter.ts';

interface Opts {
  quiet: boolean;
  all: boolean;
  noTrunc: boolean;
  digests: boolean;
  format: string;
  filter: Filters;
  tree: boolean;
}

const AMBIGUOUS = ['build', 'history', 'import', 'inspect', 'list', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag'];

export default defineCommand<Opts>({
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  aliases: '{bin} image ls, {bin} image list, {bin} images',
  args: maxArgs(1),
  flags: [
    boolFlag('all', 'Show all images (default hides intermediate images)', { short: 'a' }),
    boolFlag('digests', 'Show digests'),
    filterFlag(),
    formatFlag(),
    boolFlag('no-trunc', "Don't truncate output"),
    boolFlag('quiet', 'Only show image IDs', { short: 'q' }),
    boolFlag('tree', 'List multi-platform images as a tree (EXPERIMENTAL)'),
  ],
  async run(ctx, o, args, info) {
    const filters: Filters = [...o.filter];
    const match = args[0] ?? '';
    if (match) filters.push(['reference', match]);
    if (o.tree) {
      if (o.quiet) throw new Error('--quiet is not yet supported with --tree');
      if (o.noTrunc) throw new Error('--no-trunc is not yet supported with --tree');
      if (o.digests) throw new Error('--show-digest is not yet supported with --tree');
      if (o.format) throw new Error('--format is not yet supported with --tree');
      throw new Error('--tree is not supported by berth yet');
    }
    const client = await ctx.client();
    const images = await imageList(client, { all: o.all, filters });
    let format = o.format;
    if (format === '') format = ctx.config().imagesFormat && !o.quiet ? ctx.config().imagesFormat! : 'table';
    const f = imageFormat(format, o.quiet, o.digests);
    ctx.out.write(renderList(f, imageHeader(), imageRows(images, !o.noTrunc, o.digests, f)));
    if (match && images.length === 0 && info.calledAs === 'images' && AMBIGUOUS.includes(match)) {
      ctx.err.write(`\nNo images found matching ${JSON.stringify(match)}: did you mean "${ctx.bin} image ${match}"?\n`);
    }
  },
});
