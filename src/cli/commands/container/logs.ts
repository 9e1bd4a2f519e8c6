/** `berth logs`: inspect (for Config.Tty) then GET /logs, demultiplexed unless the container has a TTY. */
import { containerInspect, containerLogs } from '../../../client/api/containers.ts';
import { Demuxer } from '../../../client/streams.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { parseTimestamp } from '../../opts/timestamp.ts';

interface Opts {
  follow: boolean;
  since: string;
  until: string;
  timestamps: boolean;
  details: boolean;
  tail: string;
}

export default defineCommand<Opts>({
  usage: '[OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  aliases: '{bin} container logs, {bin} logs',
  args: exactArgs(1),
  flags: [
    boolFlag('details', 'Show extra details provided to logs'),
    boolFlag('follow', 'Follow log output', { short: 'f' }),
    stringFlag('since', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
    stringFlag('tail', 'Number of lines to show from the end of the logs', { short: 'n', def: 'all' }),
    boolFlag('timestamps', 'Show timestamps', { short: 't' }),
    stringFlag('until', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
  ],
  async run(ctx, o, args) {
    const client = await ctx.client();
    const c = await containerInspect(client, args[0]!);
    const now = Date.now();
    const since = o.since ? parseTimestamp(o.since, now) : undefined;
    const until = o.until ? parseTimestamp(o.until, now) : undefined;
    const res = await containerLogs(client, c.Id, {
      stdout: true,
      stderr: true,
      since,
      until,
      timestamps: o.timestamps,
      follow: o.follow,
      tail: o.tail,
      details: o.details,
    });
    if (c.Config.Tty) {
      for await (const chunk of res) ctx.out.write(chunk as Buffer);
      return;
    }
    const demux = new Demuxer((stream, payload) => (stream === 2 ? ctx.err : ctx.out).write(payload));
    for await (const chunk of res) demux.push(chunk as Buffer);
  },
});
