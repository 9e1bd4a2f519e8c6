/** The fields `ps --format` exposes (docker's formatter.ContainerContext), and the default formats. */
import { familiarString, parseNormalizedNamed, truncateId } from '../../../client/reference.ts';
import type { ContainerSummary, Port } from '../../../client/types.ts';
import { ellipsis } from '../ellipsis.ts';
import { headerContext } from '../formatter.ts';
import { GO_TYPE } from '../template.ts';
import { unixString } from '../time.ts';
import { humanSizeWithPrecision, sinceAgo } from '../units.ts';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export function containerFormat(source: string, quiet: boolean, size: boolean): string {
  switch (source) {
    case 'table':
    case '': {
      if (quiet) return '{{.ID}}';
      return size ? `${DEFAULT_TABLE}\\t{{.Size}}` : DEFAULT_TABLE;
    }
    case 'raw': {
      if (quiet) return 'container_id: {{.ID}}';
      let f =
        'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n';
      if (size) f += 'size: {{.Size}}\\n';
      return f;
    }
    default:
      return quiet ? '{{.ID}}' : source;
  }
}

export function containerHeader(): object {
  return headerContext({
    ID: 'CONTAINER ID',
    Names: 'NAMES',
    Image: 'IMAGE',
    Command: 'COMMAND',
    CreatedAt: 'CREATED AT',
    RunningFor: 'CREATED',
    Ports: 'PORTS',
    State: 'STATE',
    Status: 'STATUS',
    Size: 'SIZE',
    Labels: 'LABELS',
    Mounts: 'MOUNTS',
    LocalVolumes: 'LOCAL VOLUMES',
    Networks: 'NETWORKS',
    Platform: 'PLATFORM',
  });
}

/** strconv.Quote */
function goStrconvQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u([0-9a-f]{4})/g, (m, h: string) => {
    const c = Number.parseInt(h, 16);
    return c < 0x20 || c === 0x7f ? `\\x${h.slice(2)}` : m;
  });
}

export class ContainerContext {
  readonly [GO_TYPE] = '*formatter.ContainerContext';
  readonly #c: ContainerSummary;
  readonly #trunc: boolean;
  /** Set when the template reads .Size (ps then asks the daemon for sizes). */
  sizeUsed = false;

  constructor(c: ContainerSummary, trunc: boolean) {
    this.#c = c;
    this.#trunc = trunc;
  }

  ID(): string {
    return this.#trunc ? truncateId(this.#c.Id ?? '') : (this.#c.Id ?? '');
  }

  Names(): string {
    let names = (this.#c.Names ?? []).map((n) => n.slice(1));
    if (this.#trunc) {
      const plain = names.find((n) => n.split('/').length === 1);
      if (plain !== undefined) names = [plain];
    }
    return names.join(',');
  }

  Image(): string {
    const image = this.#c.Image ?? '';
    if (image === '') return '<no image>';
    if (this.#trunc) {
      const t = truncateId(this.#c.ImageID ?? '');
      if (t === truncateId(image)) return t;
      try {
        const r = parseNormalizedNamed(image);
        return familiarString(r.tag !== undefined ? { ...r, digest: undefined } : { ...r, digest: undefined });
      } catch {
        // not a reference: shown as is
      }
    }
    return image;
  }

  Command(): string {
    let cmd = this.#c.Command ?? '';
    if (this.#trunc) cmd = ellipsis(cmd, 20);
    return goStrconvQuote(cmd);
  }

  CreatedAt(): string {
    return unixString(this.#c.Created ?? 0);
  }

  RunningFor(): string {
    return sinceAgo(this.#c.Created ?? 0);
  }

  Platform(): null {
    return null;
  }

  Ports(): string {
    return displayablePorts(this.#c.Ports ?? []);
  }

  State(): string {
    return this.#c.State ?? '';
  }

  Status(): string {
    return this.#c.Status ?? '';
  }

  Size(): string {
    this.sizeUsed = true;
    const srw = humanSizeWithPrecision(this.#c.SizeRw ?? 0, 3);
    const sv = humanSizeWithPrecision(this.#c.SizeRootFs ?? 0, 3);
    return (this.#c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${sv})` : srw;
  }

  Labels(): string {
    const l = this.#c.Labels;
    if (!l) return '';
    return Object.entries(l)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',');
  }

  Label(name: string): string {
    return this.#c.Labels?.[name] ?? '';
  }

  Mounts(): string {
    return (this.#c.Mounts ?? [])
      .map((m) => {
        const name = m.Name ? m.Name : (m.Source ?? '');
        return this.#trunc ? ellipsis(name, 15) : name;
      })
      .join(',');
  }

  LocalVolumes(): string {
    return String((this.#c.Mounts ?? []).filter((m) => m.Driver === 'local').length);
  }

  Networks(): string {
    const n = this.#c.NetworkSettings?.Networks;
    if (!n) return '';
    return Object.keys(n).sort().join(',');
  }
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function comparePorts(a: Port, b: Port): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  const ai = a.IP ?? '';
  const bi = b.IP ?? '';
  if (ai !== bi) return ai < bi ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(key: string, start: number, last: number): string {
  const parts = key.split('/');
  let type = parts[0]!;
  let ip = '';
  if (parts.length > 1) {
    ip = parts[0]!;
    type = parts[1]!;
  }
  let group = String(start);
  if (start !== last) group = `${group}-${last}`;
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}

/** formatter.DisplayablePorts: "0.0.0.0:8080->80/tcp, 443/tcp". */
export function displayablePorts(input: Port[]): string {
  const ports = [...input].sort(comparePorts);
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const p of ports) {
    const current = p.PrivatePort;
    let key = p.Type;
    if (p.IP) {
      if ((p.PublicPort ?? 0) !== current) {
        hostMappings.push(`${joinHostPort(p.IP, String(p.PublicPort ?? 0))}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === g.last + 1) {
      g.last = current;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: current, last: current });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  result.push(...hostMappings);
  return result.join(', ');
}
