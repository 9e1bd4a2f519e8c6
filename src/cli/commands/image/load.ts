/** `berth load`: streams a tar (file or stdin) to POST /images/load; quiet=1 unless stdout is a terminal. */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { imageLoad } from '../../../client/api/images.ts';
import { defineCommand, noArgs } from '../../command.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { displayJsonMessages } from '../../format/jsonmessage.ts';
import { openFile } from '../../input-file.ts';

export default defineCommand<{ input: string; quiet: boolean; platform: string }>({
  usage: '[OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  aliases: '{bin} image load, {bin} load',
  args: noArgs,
  flags: [
    stringFlag('input', 'Read from tar archive file, instead of STDIN', { short: 'i' }),
    stringFlag('platform', 'Load only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
    boolFlag('quiet', 'Suppress the load output', { short: 'q' }),
  ],
  async run(ctx, o) {
    let input: Readable;
    if (o.input === '') {
      if (ctx.in.isTTY) throw new Error('requested load from stdin, but stdin is empty');
      input = ctx.in.stream as Readable;
    } else {
      input = await openFile(o.input, createReadStream);
    }
    const client = await ctx.client();
    const res = await imageLoad(client, input, o.quiet || !ctx.out.isTTY);
    if (res.headers['content-type'] === 'application/json') await displayJsonMessages(res, ctx.out);
    else for await (const chunk of res) ctx.out.write(chunk as Buffer);
  },
});
