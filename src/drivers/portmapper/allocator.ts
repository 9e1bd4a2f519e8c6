import type { Ctx } from '../../common/ctx.ts';
import { ConflictError, SystemError, UnavailableError } from '../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import { canonicalIPv6 } from '../../domain/net/ipv6.ts';
import type { PortProto } from '../../domain/net/ports.ts';
import type { BoundSocket, SocketProbe } from '../../system/iproute/port.ts';
import type { Sysctl } from '../../system/sysctl/port.ts';
import type { PortAllocation, PortMapper, PortRequest } from './contract.ts';

interface Held extends PortAllocation {
  owner: string;
}

interface State {
  version: 1;
  last: Partial<Record<PortProto, number>>;
  held: Held[];
}

/** dockerd's default when /proc/sys/net/ipv4/ip_local_port_range cannot be read: the kernel's default range. */
export const DEFAULT_EPHEMERAL_RANGE: [number, number] = [32768, 60999];

/** The daemon namespace's ephemeral port range (net.ipv4.ip_local_port_range, "32768\t60999"), as dockerd reads it. */
export async function ephemeralRange(ctx: Ctx, sysctl: Sysctl): Promise<[number, number]> {
  const v = await sysctl.get(ctx, 'net.ipv4.ip_local_port_range').catch(() => undefined);
  const m = /^(\d+)\s+(\d+)$/.exec(v?.trim() ?? '');
  if (!m) return DEFAULT_EPHEMERAL_RANGE;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  return lo > 0 && hi >= lo && hi <= 65535 ? [lo, hi] : DEFAULT_EPHEMERAL_RANGE;
}

const v6 = (ip: string) => ip.includes(':');
const isAnyAddress = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';
/** An address as Go's net.JoinHostPort writes it: IPv6 in brackets. */
const hostText = (ip: string) => (v6(ip) ? `[${ip}]` : ip);

/** Two bindings clash on the same address, or when one is the wildcard of the other's family (0.0.0.0, ::). */
function ipsClash(a: string, b: string): boolean {
  if (v6(a) !== v6(b)) return false;
  return a === b || a === '0.0.0.0' || b === '0.0.0.0' || a === '::' || b === '::';
}

function socketClash(s: BoundSocket, proto: PortProto, ip: string, port: number): boolean {
  if (s.port !== port || s.proto !== proto) return false;
  // a socket on :: also takes IPv4 (dual-stack, the default for programs that listen on ::); otherwise the
  // families are separate
  if (v6(s.ip) !== v6(ip)) return s.ip === '::';
  return ipsClash(s.ip, ip);
}

/**
 * The default port mapper: a persisted table of host ports, serial allocation from the ephemeral range (the next
 * port after the last one handed out, wrapping), skipping ports held by berth or bound by a host socket.
 */
export class PortAllocator implements PortMapper {
  readonly #path: string;
  readonly #probe: SocketProbe;
  readonly #range: [number, number];
  #state: State;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, state: State, probe: SocketProbe, range: [number, number]) {
    this.#path = path;
    this.#state = state;
    this.#probe = probe;
    this.#range = range;
  }

  static async open(path: string, probe: SocketProbe, range: [number, number] = DEFAULT_EPHEMERAL_RANGE): Promise<PortAllocator> {
    const state = (await readJson<State>(path)) ?? { version: 1, last: {}, held: [] };
    return new PortAllocator(path, state, probe, range);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(async () => {
      const before = structuredClone(this.#state);
      try {
        const out = await fn();
        await writeJsonAtomic(this.#path, this.#state);
        return out;
      } catch (err) {
        this.#state = before;
        throw err;
      }
    });
    this.#queue = p.catch(() => {});
    return p;
  }

  allocate(ctx: Ctx, owner: string, reqs: readonly PortRequest[]): Promise<PortAllocation[]> {
    if (reqs.length === 0) return Promise.resolve([]);
    return this.#serial(async () => {
      // a socket at an address and port berth holds is its own userland proxy (its [::] sockets are IPv6 only)
      const sockets = (await this.#probe.bound(ctx))
        .map((s) => (v6(s.ip) ? { ...s, ip: canonicalIPv6(s.ip) ?? s.ip } : s))
        .filter((s) => !this.#state.held.some((h) => h.proto === s.proto && h.hostPort === s.port && h.hostIp === s.ip));
      const out: PortAllocation[] = [];
      const heldBy = (proto: PortProto, ip: string, port: number) =>
        this.#state.held.find((h) => h.proto === proto && h.hostPort === port && ipsClash(h.hostIp, ip));
      const listening = (proto: PortProto, ip: string, port: number) => sockets.some((s) => socketClash(s, proto, ip, port));
      for (const [idx, r] of reqs.entries()) {
        let port: number;
        const twin = r.twinOf !== undefined && r.twinOf < idx ? out[r.twinOf] : undefined;
        if (r.hostPortStart !== 0 && r.hostPortEnd <= r.hostPortStart) {
          port = r.hostPortStart;
          if (heldBy(r.proto, r.hostIp, port)) throw new ConflictError(`Bind for ${hostText(r.hostIp)}:${port} failed: port is already allocated`);
          if (listening(r.proto, r.hostIp, port)) {
            throw new ConflictError(`Error starting userland proxy: listen ${r.proto}${v6(r.hostIp) ? '6' : '4'} ${hostText(r.hostIp)}:${port}: bind: address already in use`);
          }
        } else {
          const [lo, hi] = r.hostPortStart !== 0 ? [r.hostPortStart, r.hostPortEnd] : this.#range;
          const size = hi - lo + 1;
          const last = r.hostPortStart !== 0 ? lo - 1 : (this.#state.last[r.proto] ?? lo - 1);
          let found = 0;
          const free = (p: number) => !heldBy(r.proto, r.hostIp, p) && !listening(r.proto, r.hostIp, p);
          if (twin && twin.proto === r.proto && twin.hostPort >= lo && twin.hostPort <= hi && free(twin.hostPort)) found = twin.hostPort;
          for (let i = 1; i <= size && found === 0; i++) {
            let cand = last + i;
            if (cand > hi) cand -= size;
            if (free(cand)) {
              found = cand;
              break;
            }
          }
          if (found === 0) {
            // a host range with no free port left (or the ephemeral range): dockerd's words for both
            if (r.hostPortStart !== 0) throw new ConflictError('all ports are allocated');
            throw new UnavailableError('all ports are allocated');
          }
          port = found;
          if (r.hostPortStart === 0) this.#state.last[r.proto] = found;
        }
        // an address the host does not have cannot be listened on (dockerd's proxy fails so; berth's DNAT would
        // quietly publish nothing)
        if (!isAnyAddress(r.hostIp) && this.#probe.isLocal && !this.#probe.isLocal(r.hostIp)) {
          throw new SystemError(`Error starting userland proxy: listen ${r.proto}${v6(r.hostIp) ? '6' : '4'} ${hostText(r.hostIp)}:${port}: bind: cannot assign requested address`);
        }
        const a: PortAllocation = { proto: r.proto, containerPort: r.containerPort, hostIp: r.hostIp, hostPort: port };
        this.#state.held.push({ ...a, owner });
        out.push(a);
      }
      return out;
    });
  }

  release(_ctx: Ctx, owner: string): Promise<void> {
    if (!this.#state.held.some((h) => h.owner === owner)) return Promise.resolve();
    return this.#serial(async () => {
      this.#state.held = this.#state.held.filter((h) => h.owner !== owner);
    });
  }

  allocations(owner: string): PortAllocation[] {
    return this.#state.held.filter((h) => h.owner === owner).map(({ owner: _o, ...a }) => a);
  }

  owners(): string[] {
    return [...new Set(this.#state.held.map((h) => h.owner))];
  }
}
