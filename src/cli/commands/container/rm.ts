/** `berth rm` */
import { containerRemove } from '../../../client/api/containers.ts';
import { isNotFound } from '../../../client/errors.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { joinErrors, parallel } from '../../container/parallel.ts';
import { boolFlag } from '../../flags/spec.ts';

export default defineCommand<{ volumes: boolean; link: boolean; force: boolean }>({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  aliases: '{bin} container rm, {bin} container remove, {bin} rm',
  args: minArgs(1),
  flags: [
    boolFlag('force', 'Force the removal of a running container (uses SIGKILL)', { short: 'f' }),
    boolFlag('link', 'Remove the specified link', { short: 'l' }),
    boolFlag('volumes', 'Remove anonymous volumes associated with the container', { short: 'v' }),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    const results = await parallel(args, async (name) => {
      const id = name.replace(/^\/+|\/+$/g, '');
      if (id === '') throw new Error('container name cannot be empty');
      return containerRemove(client, id, { force: o.force, volumes: o.volumes, link: o.link });
    });
    const errs: unknown[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') ctx.out.write(`${args[i]}\n`);
      else if (o.force && isNotFound(r.reason)) ctx.err.write(`${(r.reason as Error).message}\n`);
      else errs.push(r.reason);
    });
    const err = joinErrors(errs);
    if (err) throw err;
  },
});
