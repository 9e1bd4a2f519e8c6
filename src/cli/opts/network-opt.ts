/** `--network` values (opts.NetworkOpt): a name, or the advanced CSV form `name=n,alias=a,ip=…,driver-opt=k=v`. */
import { csvFields } from './validators.ts';

export interface NetworkAttachment {
  Target: string;
  Aliases?: string[];
  DriverOpts?: Record<string, string>;
  Links?: string[];
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
  MacAddress?: string;
  GwPriority?: number;
}

export function parseNetworkOpt(value: string): NetworkAttachment {
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return { Target: value };
  const n: NetworkAttachment = { Target: '', Aliases: [] };
  for (const field of csvFields(value)) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw new Error(`invalid field ${field}`);
    const key = lower.slice(0, eq).trim();
    const val = lower.slice(eq + 1).trim();
    switch (key) {
      case 'name':
        n.Target = val;
        break;
      case 'alias':
        n.Aliases!.push(val);
        break;
      case 'ip':
        n.IPv4Address = val;
        break;
      case 'ip6':
        n.IPv6Address = val;
        break;
      case 'mac-address':
        n.MacAddress = val;
        break;
      case 'link-local-ip':
        (n.LinkLocalIPs ??= []).push(val);
        break;
      case 'driver-opt': {
        const i = val.indexOf('=');
        if (i <= 0) throw new Error('invalid key value pair format in driver options');
        (n.DriverOpts ??= {})[val.slice(0, i).trim()] = val.slice(i + 1).trim();
        break;
      }
      case 'gw-priority':
        if (!/^[+-]?\d+$/.test(val)) throw new Error(`invalid gw-priority (${val}): invalid syntax`);
        n.GwPriority = Number(val);
        break;
      default:
        throw new Error(`invalid field key ${key}`);
    }
  }
  if (n.Target.length === 0) throw new Error('network name/id is not specified');
  return n;
}
