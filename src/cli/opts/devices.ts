/** --device (linux path mappings and CDI names) and --gpus, as docker parses them. */
import { kvMap } from './kv.ts';

function validDeviceMode(mode: string): boolean {
  if (mode === '') return false;
  const seen = new Set<string>();
  for (const c of mode) {
    if (!'rwm'.includes(c) || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!abs) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const s = (abs ? '/' : '') + parts.join('/');
  return s === '' ? '.' : s;
}

/** validateLinuxPath + parseLinuxDevice */
export function parseDevice(val: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  if ((val.match(/:/g) ?? []).length > 2) throw new Error(`bad format for path: ${val}`);
  const split = val.split(':');
  if (split[0] === '') throw new Error(`bad format for path: ${val}`);
  let containerPath: string;
  let validated: string;
  if (split.length === 1) {
    containerPath = split[0]!;
    validated = cleanPath(containerPath);
  } else if (split.length === 2) {
    if (validDeviceMode(split[1]!)) {
      containerPath = split[0]!;
      validated = `${cleanPath(containerPath)}:${split[1]}`;
    } else {
      containerPath = split[1]!;
      validated = `${split[0]}:${cleanPath(containerPath)}`;
    }
  } else {
    containerPath = split[1]!;
    if (!validDeviceMode(split[2]!)) throw new Error(`bad mode specified: ${split[2]}`);
    validated = val;
  }
  if (!containerPath.startsWith('/')) throw new Error(`${containerPath} is not an absolute path`);
  const arr = validated.split(':');
  let src = '';
  let dst = '';
  let permissions = 'rwm';
  if (arr.length === 3) permissions = arr[2]!;
  if (arr.length >= 2) {
    if (validDeviceMode(arr[1]!)) permissions = arr[1]!;
    else dst = arr[1]!;
  }
  src = arr[0]!;
  if (dst === '') dst = src;
  return { PathOnHost: src, PathInContainer: dst, CgroupPermissions: permissions };
}

const CDI_RE = /^[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z]+(?:[.-][a-z0-9]+)*\/[a-zA-Z0-9]+(?:[._-][a-zA-Z0-9]+)*=[a-zA-Z0-9_.:-]+$/;


export function isCdiDevice(d: string): boolean {
  return CDI_RE.test(d);
}

/** opts.GpuOpts.Set for one --gpus value. */
export function parseGpuRequest(value: string): Record<string, unknown> {
  const req: { Driver: string; Count: number; DeviceIDs: string[] | null; Capabilities: string[][] | null; Options: Record<string, string> | null } = {
    Driver: '',
    Count: 0,
    DeviceIDs: null,
    Capabilities: null,
    Options: null,
  };
  const seen = new Set<string>();
  const count = (v: string) => {
    if (v === 'all') return -1;
    if (!/^[+-]?\d+$/.test(v)) throw new Error(`invalid count (${v}): value must be either "all" or an integer`);
    return Number(v);
  };
  for (const field of value.split(',')) {
    const i = field.indexOf('=');
    const key = i >= 0 ? field.slice(0, i) : field;
    const val = i >= 0 ? field.slice(i + 1) : '';
    if (seen.has(key)) throw new Error(`gpu request key '${key}' can be specified only once`);
    seen.add(key);
    if (i < 0) {
      seen.add('count');
      req.Count = count(key);
      continue;
    }
    switch (key) {
      case 'driver':
        req.Driver = val;
        break;
      case 'count':
        req.Count = count(val);
        break;
      case 'device':
        req.DeviceIDs = val.split(',');
        break;
      case 'capabilities':
        req.Capabilities = [[...val.split(','), 'gpu']];
        break;
      case 'options':
        req.Options = kvMap(val.split(','));
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!seen.has('count') && req.DeviceIDs === null) req.Count = 1;
  req.Options ??= {};
  req.Capabilities ??= [['gpu']];
  return req;
}

