/** `berth network create`: builds the NetworkCreateRequest exactly as docker does (IPAM from --subnet & co). */
import { networkCreate } from '../../../client/api/networks.ts';
import { defineCommand, exactArgs } from '../../command.ts';
import { boolFlag, customFlag, listFlag, stringFlag, stringSliceFlag } from '../../flags/spec.ts';
import { subnetMatches } from '../../opts/cidr.ts';
import { validateLabel } from '../../opts/validators.ts';

interface Opts {
  driver: string;
  opt: Record<string, string>;
  label: string[];
  internal: boolean;
  ipv4: boolean;
  ipv6: boolean;
  attachable: boolean;
  ingress: boolean;
  scope: string;
  configOnly: boolean;
  configFrom: string;
  ipamDriver: string;
  subnet: string[];
  ipRange: string[];
  gateway: string[];
  auxAddress: Record<string, string>;
  ipamOpt: Record<string, string>;
}

function mapFlag(name: string, usage: string, short?: string) {
  return customFlag<Record<string, string>>(
    name,
    usage,
    'map',
    {},
    (v, cur) => {
      const i = v.indexOf('=');
      return { ...cur, [i >= 0 ? v.slice(0, i) : v]: i >= 0 ? v.slice(i + 1) : '' };
    },
    { short, defText: 'map[]' },
  );
}

function sorted(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

function ipamConfig(o: Opts): IpamConfig[] {
  if (o.subnet.length < o.ipRange.length || o.subnet.length < o.gateway.length) throw new Error('every ip-range or gateway must have a corresponding subnet');
  const data = new Map<string, { Subnet: string; IPRange: string; Gateway: string; Aux: Record<string, string> }>();
  for (const s of o.subnet) {
    for (const k of data.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    data.set(s, { Subnet: s, IPRange: '', Gateway: '', Aux: {} });
  }
  for (const r of o.ipRange) {
    let match = false;
    for (const s of o.subnet) {
      if (!subnetMatches(s, r)) continue;
      const d = data.get(s)!;
      if (d.IPRange !== '') throw new Error(`cannot configure multiple ranges (${r}, ${d.IPRange}) on the same subnet (${s})`);
      d.IPRange = r;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for range ${r}`);
  }
  for (const g of o.gateway) {
    let match = false;
    for (const s of o.subnet) {
      if (!subnetMatches(s, g)) continue;
      const d = data.get(s)!;
      if (d.Gateway !== '') throw new Error(`cannot configure multiple gateways (${g}, ${d.Gateway}) for the same subnet (${s})`);
      d.Gateway = g;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for gateway ${g}`);
  }
  for (const [key, aa] of Object.entries(o.auxAddress)) {
    let match = false;
    for (const s of o.subnet) {
      if (!subnetMatches(s, aa)) continue;
      data.get(s)!.Aux[key] = aa;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${aa}`);
  }
  return [...data.values()].map((d) => {
    const c: IpamConfig = { Subnet: d.Subnet };
    if (d.IPRange) c.IPRange = d.IPRange;
    if (d.Gateway) c.Gateway = d.Gateway;
    if (Object.keys(d.Aux).length) c.AuxiliaryAddresses = sorted(d.Aux);
    return c;
  });
}

export default defineCommand<Opts>({
  usage: '[OPTIONS] NETWORK',
  short: 'Create a network',
  args: exactArgs(1),
  flags: [
    boolFlag('attachable', 'Enable manual container attachment'),
    mapFlag('aux-address', 'Auxiliary IPv4 or IPv6 addresses used by Network driver'),
    stringFlag('config-from', 'The network from which to copy the configuration'),
    boolFlag('config-only', 'Create a configuration only network'),
    stringFlag('driver', 'Driver to manage the Network', { short: 'd', def: 'bridge' }),
    stringSliceFlag('gateway', 'IPv4 or IPv6 Gateway for the master subnet'),
    boolFlag('ingress', 'Create swarm routing-mesh network'),
    boolFlag('internal', 'Restrict external access to the network'),
    stringSliceFlag('ip-range', 'Allocate container ip from a sub-range'),
    stringFlag('ipam-driver', 'IP Address Management Driver', { def: 'default' }),
    mapFlag('ipam-opt', 'Set IPAM driver specific options'),
    boolFlag('ipv4', 'Enable or disable IPv4 address assignment', { def: true }),
    boolFlag('ipv6', 'Enable or disable IPv6 address assignment'),
    listFlag('label', 'Set metadata on a network', { validate: validateLabel }),
    mapFlag('opt', 'Set driver specific options', 'o'),
    stringFlag('scope', "Control the network's scope"),
    stringSliceFlag('subnet', 'Subnet in CIDR format that represents a network segment'),
  ],
  async run(ctx, o, args, info) {
    const configs = ipamConfig(o);
    const labels: Record<string, string> = {};
    for (const l of o.label) {
      const i = l.indexOf('=');
      labels[i >= 0 ? l.slice(0, i) : l] = i >= 0 ? l.slice(i + 1) : '';
    }
    const body: Record<string, unknown> = { Driver: o.driver, Scope: o.scope };
    if (info.changed.has('ipv4')) body.EnableIPv4 = o.ipv4;
    if (info.changed.has('ipv6')) body.EnableIPv6 = o.ipv6;
    Object.assign(body, {
      IPAM: { Driver: o.ipamDriver, Options: sorted(o.ipamOpt), Config: configs },
      Internal: o.internal,
      Attachable: o.attachable,
      Ingress: o.ingress,
      ConfigOnly: o.configOnly,
      ConfigFrom: o.configFrom ? { Network: o.configFrom } : null,
      Options: sorted(o.opt),
      Labels: sorted(labels),
      Name: args[0],
    });
    const client = await ctx.client();
    await client.negotiate();
    if (!client.atLeast('1.44')) body.CheckDuplicate = true;
    const r = await networkCreate(client, body);
    ctx.out.write(`${r.Id}\n`);
  },
});
