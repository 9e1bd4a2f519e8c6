import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Ctx } from '../../common/ctx.ts';
import { run } from '../exec/exec.ts';
import type { AddrInfo, BatchOptions, IpCmd, IpRoute, LinkInfo, RouteInfo, Where } from './port.ts';
import { parseProcRoute } from './proc-route.ts';
import { renderBatch } from './render.ts';

/** Runs `ip` in the daemon's network namespace, or `nsenter -t <pid> -n ip` in a process's. */
function ipArgv(where: Where | undefined, args: string[]): [string, string[]] {
  if (where?.pid !== undefined) return ['nsenter', ['-t', String(where.pid), '-n', 'ip', ...args]];
  return ['ip', args];
}

interface IpJsonLink {
  ifname: string;
  flags?: string[];
  master?: string;
  address?: string;
  mtu?: number;
  operstate?: string;
  linkinfo?: { info_kind?: string };
}

/** The real iproute2 adapter (iproute2 ≥ 5.x: `-batch`, `-json`). */
export class IpRouteCli implements IpRoute {
  async batch(ctx: Ctx, cmds: readonly IpCmd[], opts: BatchOptions = {}): Promise<void> {
    if (cmds.length === 0) return;
    const [cmd, argv] = ipArgv(opts, opts.force ? ['-force', '-batch', '-'] : ['-batch', '-']);
    await run(ctx, cmd, argv, { input: renderBatch(cmds), allowFail: opts.force });
  }

  async links(ctx: Ctx, where?: Where): Promise<LinkInfo[]> {
    const [cmd, argv] = ipArgv(where, ['-j', '-d', 'link', 'show']);
    const res = await run(ctx, cmd, argv);
    const list = JSON.parse(res.stdout || '[]') as IpJsonLink[];
    return list.map((l) => {
      const info: LinkInfo = {
        name: l.ifname,
        kind: l.linkinfo?.info_kind ?? '',
        up: (l.flags ?? []).includes('UP'),
        mac: l.address ?? '',
        mtu: l.mtu ?? 0,
      };
      if (l.master) info.master = l.master;
      return info;
    });
  }

  async linkNames(ctx: Ctx, where?: Where): Promise<string[]> {
    if (where?.pid !== undefined) return (await this.links(ctx, where)).map((l) => l.name);
    // "  berth0: 1234 …" after two header lines; the daemon's own namespace, no program to run
    const text = await readFile('/proc/self/net/dev', 'utf8');
    return text
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]!.trim())
      .filter(Boolean);
  }

  async addrs(ctx: Ctx, where?: Where): Promise<AddrInfo[]> {
    const [cmd, argv] = ipArgv(where, ['-j', 'addr', 'show']);
    const res = await run(ctx, cmd, argv);
    const list = JSON.parse(res.stdout || '[]') as { ifname: string; addr_info?: { family: string; local: string; prefixlen: number; scope?: string }[] }[];
    return list.flatMap((l) =>
      (l.addr_info ?? []).filter((a) => !(a.family === 'inet6' && a.scope === 'link')).map((a) => ({ dev: l.ifname, cidr: `${a.local}/${a.prefixlen}` })),
    );
  }

  async routes(ctx: Ctx, where?: Where): Promise<RouteInfo[]> {
    // the daemon's own main table: /proc/net/route holds the same list, without running `ip`
    if (where?.pid === undefined) return parseProcRoute(await readFile('/proc/self/net/route', 'utf8'), endianness() === 'LE');
    const [cmd, argv] = ipArgv(where, ['-j', '-4', 'route', 'show']);
    const res = await run(ctx, cmd, argv);
    const list = JSON.parse(res.stdout || '[]') as { dst: string; dev?: string; gateway?: string }[];
    return list.map((r) => {
      const out: RouteInfo = { dst: r.dst === 'default' || r.dst.includes('/') ? r.dst : `${r.dst}/32` };
      if (r.dev) out.dev = r.dev;
      if (r.gateway) out.via = r.gateway;
      return out;
    });
  }
}
