import type { Ctx } from '../../common/ctx.ts';
import { SystemError } from '../../common/errors.ts';
import { renderIpCmd } from './render.ts';
import type { AddrInfo, BatchOptions, BoundSocket, IpCmd, IpRoute, LinkInfo, RouteInfo, SocketProbe, Where } from './port.ts';

interface FakeLink extends LinkInfo {
  addrs: string[];
  hairpin?: boolean;
  /** The other end of a veth: namespace key and name. */
  peer?: { ns: string; name: string };
}

interface FakeNs {
  links: Map<string, FakeLink>;
  routes: RouteInfo[];
}

const DAEMON = 'daemon';

function newNs(): FakeNs {
  return { links: new Map([['lo', { name: 'lo', kind: '', up: false, mac: '00:00:00:00:00:00', mtu: 65536, addrs: [] }]]), routes: [] };
}

/**
 * A stateful in-memory iproute2: namespaces (the daemon's, and one per registered process), links, addresses,
 * routes, with the kernel's errors for the common mistakes (existing name, missing device or master, unknown
 * process). `exit(pid)` plays a container's exit: its namespace goes, and the veth peers with it.
 */
export class FakeIpRoute implements IpRoute {
  readonly #ns = new Map<string, FakeNs>([[DAEMON, newNs()]]);
  /** Every batch run, as rendered text with its namespace: for assertions on batching. */
  readonly history: { where: string; script: string }[] = [];
  /** Link kinds this "kernel" lacks (e.g. ["vlan", "dummy"] as on berth's CI machines). */
  unsupportedKinds: string[] = [];
  /** Makes a command fail (as the kernel would) when it returns true. */
  failOn: ((cmd: IpCmd, where: string) => boolean) | undefined;
  #mac = 0;

  /** Registers a process with a fresh network namespace (an OCI runtime's "network" namespace). */
  spawn(pid: number): void {
    this.#ns.set(`pid:${pid}`, newNs());
  }

  /** Registers a process that shares another process's namespace (container:X). */
  share(pid: number, withPid: number): void {
    const ns = this.#ns.get(`pid:${withPid}`);
    if (!ns) throw new Error(`no process ${withPid}`);
    this.#ns.set(`pid:${pid}`, ns);
  }

  /** The process exits: its namespace disappears with its veth ends, whose peers go too. */
  exit(pid: number): void {
    const key = `pid:${pid}`;
    const ns = this.#ns.get(key);
    this.#ns.delete(key);
    if (!ns || [...this.#ns.values()].includes(ns)) return;
    for (const l of ns.links.values()) if (l.peer) this.#ns.get(l.peer.ns)?.links.delete(l.peer.name);
  }

  /** Adds an existing route to the daemon's namespace (e.g. a subnet already in use on the host). */
  addRoute(r: RouteInfo): void {
    this.#ns.get(DAEMON)!.routes.push(r);
  }

  #key(where?: Where): string {
    return where?.pid !== undefined ? `pid:${where.pid}` : DAEMON;
  }

  #get(where?: Where): FakeNs {
    const ns = this.#ns.get(this.#key(where));
    if (!ns) throw new SystemError(`nsenter: can't open '/proc/${where?.pid}/ns/net': No such file or directory`);
    return ns;
  }

  async batch(_ctx: Ctx, cmds: readonly IpCmd[], opts: BatchOptions = {}): Promise<void> {
    if (cmds.length === 0) return;
    const ns = this.#get(opts);
    const where = this.#key(opts);
    this.history.push({ where, script: cmds.map(renderIpCmd).join('\n') });
    for (const c of cmds) {
      try {
        if (this.failOn?.(c, where)) throw new SystemError(`ip: ${renderIpCmd(c)}: RTNETLINK answers: Operation not permitted`);
        this.#apply(ns, where, c);
      } catch (err) {
        if (!opts.force) throw err;
      }
    }
  }

  #link(ns: FakeNs, dev: string, c: IpCmd): FakeLink {
    const l = ns.links.get(dev);
    if (!l) throw new SystemError(`ip: ${renderIpCmd(c)}: Cannot find device "${dev}"`);
    return l;
  }

  #newMac(): string {
    this.#mac++;
    return `02:00:00:00:${((this.#mac >> 8) & 255).toString(16).padStart(2, '0')}:${(this.#mac & 255).toString(16).padStart(2, '0')}`;
  }

  #apply(ns: FakeNs, where: string, c: IpCmd): void {
    const exists = (n: FakeNs, name: string) => {
      if (n.links.has(name)) throw new SystemError(`ip: ${renderIpCmd(c)}: RTNETLINK answers: File exists`);
    };
    switch (c.op) {
      case 'bridge-add':
        exists(ns, c.name);
        ns.links.set(c.name, { name: c.name, kind: 'bridge', up: false, mac: c.mac ?? this.#newMac(), mtu: c.mtu ?? 1500, addrs: [] });
        return;
      case 'veth-add': {
        const peerKey = c.peerNetnsPid !== undefined ? `pid:${c.peerNetnsPid}` : where;
        const peerNs = this.#ns.get(peerKey);
        if (!peerNs) throw new SystemError(`ip: ${renderIpCmd(c)}: Invalid "netns" value "${c.peerNetnsPid}"`);
        exists(ns, c.name);
        exists(peerNs, c.peer);
        ns.links.set(c.name, { name: c.name, kind: 'veth', up: false, mac: this.#newMac(), mtu: c.mtu ?? 1500, addrs: [], peer: { ns: peerKey, name: c.peer } });
        peerNs.links.set(c.peer, { name: c.peer, kind: 'veth', up: false, mac: this.#newMac(), mtu: c.mtu ?? 1500, addrs: [], peer: { ns: where, name: c.name } });
        return;
      }
      case 'macvlan-add': {
        this.#link(ns, c.parent, c);
        const target = c.netnsPid !== undefined ? this.#ns.get(`pid:${c.netnsPid}`) : ns;
        if (!target) throw new SystemError(`ip: ${renderIpCmd(c)}: Invalid "netns" value "${c.netnsPid}"`);
        exists(target, c.name);
        target.links.set(c.name, { name: c.name, kind: 'macvlan', up: false, mac: this.#newMac(), mtu: c.mtu ?? 1500, addrs: [] });
        return;
      }
      case 'vlan-add':
      case 'dummy-add': {
        const kind = c.op === 'vlan-add' ? 'vlan' : 'dummy';
        if (this.unsupportedKinds.includes(kind)) throw new SystemError(`ip: ${renderIpCmd(c)}: Error: Unknown device type.`);
        if (c.op === 'vlan-add') this.#link(ns, c.parent, c);
        exists(ns, c.name);
        ns.links.set(c.name, { name: c.name, kind, up: false, mac: this.#newMac(), mtu: 1500, addrs: [] });
        return;
      }
      case 'link-set': {
        let l = this.#link(ns, c.dev, c);
        if (c.name !== undefined && c.name !== c.dev) {
          exists(ns, c.name);
          ns.links.delete(c.dev);
          l = { ...l, name: c.name };
          ns.links.set(c.name, l);
        }
        if (c.master !== undefined) {
          const m = ns.links.get(c.master);
          if (m?.kind !== 'bridge') throw new SystemError(`ip: ${renderIpCmd(c)}: Device does not exist`);
          l.master = c.master;
        }
        if (c.mac !== undefined) l.mac = c.mac;
        if (c.mtu !== undefined) l.mtu = c.mtu;
        if (c.up !== undefined) l.up = c.up;
        return;
      }
      case 'bridge-port': {
        const l = this.#link(ns, c.dev, c);
        if (!l.master) throw new SystemError(`ip: ${renderIpCmd(c)}: Error: Device is not a bridge port`);
        l.hairpin = c.hairpin;
        return;
      }
      case 'link-del': {
        const l = this.#link(ns, c.dev, c);
        ns.links.delete(c.dev);
        if (l.peer) this.#ns.get(l.peer.ns)?.links.delete(l.peer.name);
        for (const o of ns.links.values()) if (o.master === c.dev) delete o.master;
        ns.routes = ns.routes.filter((r) => r.dev !== c.dev);
        return;
      }
      case 'addr-add': {
        const l = this.#link(ns, c.dev, c);
        if (l.addrs.includes(c.cidr)) throw new SystemError(`ip: ${renderIpCmd(c)}: RTNETLINK answers: File exists`);
        l.addrs.push(c.cidr);
        return;
      }
      case 'addr-del': {
        const l = this.#link(ns, c.dev, c);
        if (!l.addrs.includes(c.cidr)) throw new SystemError(`ip: ${renderIpCmd(c)}: RTNETLINK answers: Cannot assign requested address`);
        l.addrs = l.addrs.filter((a) => a !== c.cidr);
        return;
      }
      case 'route-add': {
        if (c.dev !== undefined) this.#link(ns, c.dev, c);
        // one table per family: "default" via an IPv6 gateway does not clash with the IPv4 default
        const v6 = (x: { dst: string; via?: string }) => x.dst.includes(':') || (x.via ?? '').includes(':');
        if (ns.routes.some((r) => r.dst === c.dst && v6(r) === v6(c))) throw new SystemError(`ip: ${renderIpCmd(c)}: RTNETLINK answers: File exists`);
        const r: RouteInfo = { dst: c.dst };
        if (c.dev) r.dev = c.dev;
        if (c.via) r.via = c.via;
        ns.routes.push(r);
        return;
      }
    }
  }

  async links(_ctx: Ctx, where?: Where): Promise<LinkInfo[]> {
    return [...this.#get(where).links.values()].map(({ addrs: _a, peer: _p, ...l }) => ({ ...l }));
  }

  async linkNames(_ctx: Ctx, where?: Where): Promise<string[]> {
    return [...this.#get(where).links.keys()];
  }

  async addrs(_ctx: Ctx, where?: Where): Promise<AddrInfo[]> {
    return [...this.#get(where).links.values()].flatMap((l) => l.addrs.map((cidr) => ({ dev: l.name, cidr })));
  }

  async routes(_ctx: Ctx, where?: Where): Promise<RouteInfo[]> {
    const ns = this.#get(where);
    // connected routes of addresses on links that are up, as the kernel adds them
    const connected: RouteInfo[] = [];
    for (const l of ns.links.values()) {
      if (!l.up) continue;
      for (const a of l.addrs) {
        const [ip, bits] = a.split('/') as [string, string];
        const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
        const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
        const base = (n & mask) >>> 0;
        connected.push({ dst: `${[base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.')}/${bits}`, dev: l.name });
      }
    }
    return [...connected, ...ns.routes.map((r) => ({ ...r }))];
  }
}

/** A SocketProbe answering from a list the test controls. */
export class FakeSocketProbe implements SocketProbe {
  sockets: BoundSocket[] = [];
  async bound(_ctx: Ctx): Promise<BoundSocket[]> {
    return [...this.sockets];
  }
}
