/** `berth import`: a tarball from a file, stdin ("-") or URL becomes an image (POST /images/create?fromSrc=…). */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { imageImport } from '../../../client/api/images.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { listFlag, stringFlag } from '../../flags/spec.ts';
import { displayJsonMessages } from '../../format/jsonmessage.ts';
import { openFile } from '../../input-file.ts';

export default defineCommand<{ change: string[]; message: string; platform: string }>({
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball to create a filesystem image',
  aliases: '{bin} image import, {bin} import',
  args: minArgs(1),
  flags: [
    listFlag('change', 'Apply Dockerfile instruction to the created image', { short: 'c' }),
    stringFlag('message', 'Set commit message for imported image', { short: 'm' }),
    stringFlag('platform', 'Set platform if server is multi-platform capable', { def: process.env.BERTH_DEFAULT_PLATFORM ?? process.env.DOCKER_DEFAULT_PLATFORM ?? '' }),
  ],
  async run(ctx, o, args) {
    const src = args[0]!;
    let body: Readable | undefined;
    let srcName = src;
    if (src === '-') body = ctx.in.stream as Readable;
    else if (!src.startsWith('https://') && !src.startsWith('http://')) {
      body = await openFile(src, createReadStream);
      srcName = '-';
    }
    const client = await ctx.client();
    const res = await imageImport(client, { src: srcName, body }, { repo: args[1], message: o.message, changes: o.change, platform: o.platform });
    await displayJsonMessages(res, ctx.out);
  },
});
