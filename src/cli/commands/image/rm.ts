/** `berth rmi` / `berth image rm`: prints Untagged:/Deleted: lines per image. */
import { imageRemove } from '../../../client/api/images.ts';
import { ApiError } from '../../../client/errors.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { joinErrors } from '../../container/parallel.ts';
import { boolFlag, stringSliceFlag } from '../../flags/spec.ts';

export default defineCommand<{ force: boolean; noPrune: boolean; platform: string[] }>({
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  aliases: '{bin} image rm, {bin} image remove, {bin} rmi',
  args: minArgs(1),
  flags: [
    boolFlag('force', 'Force removal of the image', { short: 'f' }),
    boolFlag('no-prune', 'Do not delete untagged parents'),
    stringSliceFlag('platform', 'Remove only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    let fatal = false;
    const errs: unknown[] = [];
    for (const img of args) {
      try {
        const dels = (await imageRemove(client, img, { force: o.force, noPrune: o.noPrune })) ?? [];
        for (const d of dels) ctx.out.write(d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged}\n`);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) fatal = true;
        errs.push(err);
      }
    }
    const err = joinErrors(errs);
    if (err) {
      if (!o.force || fatal) throw err;
      ctx.err.write(`${err.message}\n`);
    }
  },
});
