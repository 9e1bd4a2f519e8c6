/** `berth network connect` */
import { networkConnect } from '../../../client/api/networks.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { intFlag, listFlag, stringFlag, stringSliceFlag } from '../../flags/spec.ts';
import { sorted } from '../../opts/kv.ts';
import { ENDPOINT_STATE, ipamConfig } from '../../opts/network-config.ts';
import { validateLink } from '../../opts/validators.ts';

interface Opts {
  ip: string;
  ip6: string;
  link: string[];
  alias: string[];
  linkLocalIp: string[];
  driverOpt: string[];
  gwPriority: number;
}

export default defineCommand<Opts>({
  usage: '[OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  args: exactArgs(2),
  flags: [
    stringSliceFlag('alias', 'Add network-scoped alias for the container'),
    stringSliceFlag('driver-opt', 'driver options for the network'),
    intFlag('gw-priority', 'Highest gw-priority provides the default gateway. Accepts positive and negative values.'),
    stringFlag('ip', 'IPv4 address (e.g., "172.30.100.104")'),
    stringFlag('ip6', 'IPv6 address (e.g., "2001:db8::33")'),
    listFlag('link', 'Add link to another container', { validate: validateLink }),
    stringSliceFlag('link-local-ip', 'Add a link-local address for the container'),
  ],
  async run(ctx, o, args) {
    const driverOpts: Record<string, string> = {};
    for (const opt of o.driverOpt) {
      const i = opt.indexOf('=');
      const k = (i >= 0 ? opt.slice(0, i) : opt).trim();
      if (i < 0 || k === '') throw new Error('invalid key/value pair format in driver options');
      driverOpts[k] = opt.slice(i + 1).trim();
    }
    const ipam = ipamConfig(o.ip, o.ip6, o.linkLocalIp);
    const client = await ctx.client();
    await networkConnect(client, args[0]!, {
      Container: args[1],
      EndpointConfig: {
        IPAMConfig: ipam,
        Links: o.link.length ? o.link : null,
        Aliases: o.alias,
        MacAddress: '',
        DriverOpts: sorted(driverOpts),
        GwPriority: o.gwPriority,
        ...ENDPOINT_STATE,
      },
    });
  },
});
