/** `berth port`: reads NetworkSettings.Ports from inspect. */
import { containerInspect } from '../../../client/api/containers.ts';
import { defineCommand, rangeArgs } from '../../command.ts';
import { naturalCompare } from '../../format/time.ts';

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export default defineCommand({
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  aliases: '{bin} container port, {bin} port',
  args: rangeArgs(1, 2),
  flags: [],
  async run(ctx, _o, args) {
    const client = await ctx.client();
    const c = await containerInspect(client, args[0]!);
    const ports = c.NetworkSettings?.Ports ?? {};
    const out: string[] = [];
    if (args[1] !== undefined) {
      const spec = args[1];
      const slash = spec.indexOf('/');
      const port = slash >= 0 ? spec.slice(0, slash) : spec;
      const proto = (slash >= 0 ? spec.slice(slash + 1) : '') || 'tcp';
      if (!/^\d+$/.test(port) || Number(port) > 65535) {
        const why = /^\d+$/.test(port) ? 'value out of range' : 'invalid syntax';
        throw new Error(`Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${why}`);
      }
      const frontends = ports[`${port}/${proto}`];
      if (!frontends || frontends.length === 0) throw new Error(`Error: No public port '${spec}' published for ${args[0]}`);
      for (const f of frontends) out.push(joinHostPort(f.HostIp, f.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports)) {
        for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
      }
    }
    if (out.length) ctx.out.write(`${out.sort(naturalCompare).join('\n')}\n`);
  },
});
