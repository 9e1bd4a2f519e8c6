import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { SystemError } from '../../common/errors.ts';
import type { CgroupCaps, Resources } from '../../domain/container/resources.ts';

/**
 * The host's cgroups as the container service needs them: what the controllers support (for dockerd's
 * warnings), a container's OOM kills, its raw statistics, and live resource updates (`docker update`). Reads and
 * writes the cgroup files directly — v1 hierarchies (one mount per controller, as on this kind of host, whatever
 * other hierarchies exist unmounted) or the v2 unified tree. A container's cgroup is `<root>[/<controller>]<path>`
 * where `path` is the OCI cgroupsPath ("/berth/<id>").
 */
export interface RawStats {
  cpu: { total: number; percpu: number[]; user: number; system: number; periods: number; throttledPeriods: number; throttledTime: number };
  memory: { usage: number; maxUsage: number; limit: number; failcnt: number; stats: Record<string, number> } | undefined;
  pids: { current: number; limit: number } | undefined;
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } | undefined;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** Limits written by `docker update` (undefined = unchanged); bytes, µs, shares. -1 = unlimited. */
export interface CgroupUpdate {
  memory?: number;
  memorySwap?: number;
  memoryReservation?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
  blkioWeight?: number;
}

const V1_UNLIMITED = '-1';

async function readNum(path: string): Promise<number | undefined> {
  try {
    const s = (await readFile(path, 'utf8')).trim();
    if (s === 'max') return 0;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

async function readKV(path: string): Promise<Record<string, number> | undefined> {
  try {
    const out: Record<string, number> = {};
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      const [k, v] = line.trim().split(/\s+/);
      if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
    }
    return out;
  } catch {
    return undefined;
  }
}

export class CgroupHost {
  readonly root: string;
  readonly caps: CgroupCaps;
  /** Bytes of RAM on the host: the memory "limit" of an unlimited container, as dockerd reports it. */
  readonly machineMemory = os.totalmem();

  private constructor(root: string, caps: CgroupCaps) {
    this.root = root;
    this.caps = caps;
  }

  /** Looks at the mounted hierarchies once (daemon start). */
  static detect(root = '/sys/fs/cgroup'): CgroupHost {
    const has = (p: string) => existsSync(join(root, p));
    const ncpu = os.availableParallelism();
    const read = (p: string) => {
      try {
        return readFileSync(join(root, p), 'utf8').trim();
      } catch {
        return '';
      }
    };
    if (has('cgroup.controllers')) {
      const ctl = read('cgroup.subtree_control').split(/\s+/);
      const avail = read('cgroup.controllers').split(/\s+/);
      const on = (c: string) => avail.includes(c) || ctl.includes(c);
      return new CgroupHost(root, {
        version: 2,
        memory: on('memory'),
        swap: on('memory'),
        swappiness: false,
        reservation: on('memory'),
        oomKillDisable: false,
        pids: on('pids'),
        cpuShares: on('cpu'),
        cpuCfs: on('cpu'),
        cpuRealtime: false,
        cpuset: on('cpuset'),
        cpus: read('cpuset.cpus.effective') || `0-${ncpu - 1}`,
        mems: read('cpuset.mems.effective') || '0',
        blkioWeight: on('io') && has('io.weight'),
        blkioWeightDevice: on('io') && has('io.weight'),
        blkioThrottle: on('io'),
        ncpu,
      });
    }
    return new CgroupHost(root, {
      version: 1,
      memory: has('memory/memory.limit_in_bytes'),
      swap: has('memory/memory.memsw.limit_in_bytes'),
      swappiness: has('memory/memory.swappiness'),
      reservation: has('memory/memory.soft_limit_in_bytes'),
      oomKillDisable: has('memory/memory.oom_control'),
      pids: has('pids/cgroup.procs'),
      cpuShares: has('cpu/cpu.shares'),
      cpuCfs: has('cpu/cpu.cfs_quota_us'),
      cpuRealtime: has('cpu/cpu.rt_runtime_us'),
      cpuset: has('cpuset/cpuset.cpus'),
      cpus: read('cpuset/cpuset.cpus') || `0-${ncpu - 1}`,
      mems: read('cpuset/cpuset.mems') || '0',
      blkioWeight: has('blkio/blkio.weight'),
      blkioWeightDevice: has('blkio/blkio.weight_device'),
      blkioThrottle: has('blkio/blkio.throttle.read_bps_device'),
      ncpu,
    });
  }

  /** The directory of `path` in a v1 controller's hierarchy, or in the unified tree. */
  dir(controller: string, path: string): string {
    return this.caps.version === 2 ? join(this.root, path) : join(this.root, controller, path);
  }

  /** How many processes the kernel's OOM killer killed in the cgroup (v1 memory.oom_control, v2 memory.events). */
  async oomKills(path: string): Promise<number> {
    const kv = this.caps.version === 2 ? await readKV(join(this.dir('memory', path), 'memory.events')) : await readKV(join(this.dir('memory', path), 'memory.oom_control'));
    return kv?.oom_kill ?? 0;
  }

  /** The pids in the container's cgroup. */
  async procs(path: string): Promise<number[]> {
    for (const c of this.caps.version === 2 ? [''] : ['pids', 'memory', 'cpu']) {
      try {
        const text = await readFile(join(this.dir(c, path), 'cgroup.procs'), 'utf8');
        return text.split('\n').filter(Boolean).map(Number);
      } catch {
        // next controller
      }
    }
    return [];
  }

  async stats(path: string): Promise<RawStats> {
    return this.caps.version === 2 ? this.#statsV2(path) : this.#statsV1(path);
  }

  async #statsV1(path: string): Promise<RawStats> {
    const cpuacct = this.dir('cpuacct', path);
    const cpu = this.dir('cpu', path);
    const mem = this.dir('memory', path);
    const pids = this.dir('pids', path);
    const blk = this.dir('blkio', path);
    const hz = 100;
    const [total, percpuText, cstat, throttle, usage, maxUsage, limit, failcnt, mstat, pcur, pmax, sbytes, sios] = await Promise.all([
      readNum(join(cpuacct, 'cpuacct.usage')),
      readFile(join(cpuacct, 'cpuacct.usage_percpu'), 'utf8').catch(() => ''),
      readKV(join(cpuacct, 'cpuacct.stat')),
      readKV(join(cpu, 'cpu.stat')),
      readNum(join(mem, 'memory.usage_in_bytes')),
      readNum(join(mem, 'memory.max_usage_in_bytes')),
      readNum(join(mem, 'memory.limit_in_bytes')),
      readNum(join(mem, 'memory.failcnt')),
      readKV(join(mem, 'memory.stat')),
      readNum(join(pids, 'pids.current')),
      readNum(join(pids, 'pids.max')),
      readFile(join(blk, 'blkio.throttle.io_service_bytes_recursive'), 'utf8').catch(() => undefined),
      readFile(join(blk, 'blkio.throttle.io_serviced_recursive'), 'utf8').catch(() => undefined),
    ]);
    return {
      cpu: {
        total: total ?? 0,
        percpu: percpuText.trim().split(/\s+/).filter(Boolean).map(Number),
        user: ((cstat?.user ?? 0) * 1e9) / hz,
        system: ((cstat?.system ?? 0) * 1e9) / hz,
        periods: throttle?.nr_periods ?? 0,
        throttledPeriods: throttle?.nr_throttled ?? 0,
        throttledTime: throttle?.throttled_time ?? 0,
      },
      memory: usage === undefined ? undefined : { usage, maxUsage: maxUsage ?? 0, limit: limit ?? 0, failcnt: failcnt ?? 0, stats: mstat ?? {} },
      pids: pcur === undefined ? undefined : { current: pcur, limit: pmax ?? 0 },
      blkio: sbytes === undefined ? undefined : { serviceBytes: blkioEntries(sbytes), serviced: blkioEntries(sios ?? '') },
    };
  }

  async #statsV2(path: string): Promise<RawStats> {
    const d = join(this.root, path);
    const [cstat, cur, peak, max, mstat, events, pcur, pmax, io] = await Promise.all([
      readKV(join(d, 'cpu.stat')),
      readNum(join(d, 'memory.current')),
      readNum(join(d, 'memory.peak')),
      readNum(join(d, 'memory.max')),
      readKV(join(d, 'memory.stat')),
      readKV(join(d, 'memory.events')),
      readNum(join(d, 'pids.current')),
      readNum(join(d, 'pids.max')),
      readFile(join(d, 'io.stat'), 'utf8').catch(() => undefined),
    ]);
    const serviceBytes: BlkioEntry[] = [];
    const serviced: BlkioEntry[] = [];
    for (const line of (io ?? '').split('\n')) {
      const [dev, ...kvs] = line.trim().split(/\s+/);
      const m = /^(\d+):(\d+)$/.exec(dev ?? '');
      if (!m) continue;
      const kv = Object.fromEntries(kvs.map((x) => x.split('=')).map(([k, v]) => [k, Number(v)]));
      const major = Number(m[1]);
      const minor = Number(m[2]);
      serviceBytes.push({ major, minor, op: 'read', value: kv.rbytes ?? 0 }, { major, minor, op: 'write', value: kv.wbytes ?? 0 });
      serviced.push({ major, minor, op: 'read', value: kv.rios ?? 0 }, { major, minor, op: 'write', value: kv.wios ?? 0 });
    }
    return {
      cpu: {
        total: (cstat?.usage_usec ?? 0) * 1000,
        percpu: [],
        user: (cstat?.user_usec ?? 0) * 1000,
        system: (cstat?.system_usec ?? 0) * 1000,
        periods: cstat?.nr_periods ?? 0,
        throttledPeriods: cstat?.nr_throttled ?? 0,
        throttledTime: (cstat?.throttled_usec ?? 0) * 1000,
      },
      memory: cur === undefined ? undefined : { usage: cur, maxUsage: peak ?? 0, limit: max ?? 0, failcnt: events?.max ?? 0, stats: mstat ?? {} },
      pids: pcur === undefined ? undefined : { current: pcur, limit: pmax ?? 0 },
      blkio: io === undefined ? undefined : { serviceBytes, serviced },
    };
  }

  /**
   * Applies new limits to a running container's cgroup, in an order the kernel accepts (v1: memory and
   * memory+swap are raised swap first, lowered memory first). Throws SystemError with the file and errno.
   */
  async update(path: string, u: CgroupUpdate): Promise<void> {
    const w = async (controller: string, file: string, value: string | number) => {
      const p = join(this.dir(controller, path), file);
      try {
        await writeFile(p, String(value));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new SystemError(`failed to write ${JSON.stringify(String(value))} to ${JSON.stringify(p)}: ${e.code === 'EINVAL' ? 'invalid argument' : e.code === 'EBUSY' ? 'device or resource busy' : e.message}`);
      }
    };
    if (this.caps.version === 2) {
      if (u.memory !== undefined) await w('', 'memory.max', u.memory > 0 ? u.memory : 'max');
      if (u.memorySwap !== undefined) await w('', 'memory.swap.max', u.memorySwap > 0 && u.memory ? Math.max(u.memorySwap - u.memory, 0) : 'max');
      if (u.memoryReservation !== undefined) await w('', 'memory.low', u.memoryReservation);
      if (u.cpuShares !== undefined) await w('', 'cpu.weight', Math.max(1, Math.min(10000, Math.round(1 + ((u.cpuShares - 2) * 9999) / 262142))));
      if (u.cpuQuota !== undefined || u.cpuPeriod !== undefined) await w('', 'cpu.max', `${u.cpuQuota && u.cpuQuota > 0 ? u.cpuQuota : 'max'} ${u.cpuPeriod || 100000}`);
      if (u.cpusetCpus !== undefined) await w('', 'cpuset.cpus', u.cpusetCpus);
      if (u.cpusetMems !== undefined) await w('', 'cpuset.mems', u.cpusetMems);
      if (u.pidsLimit !== undefined) await w('', 'pids.max', u.pidsLimit > 0 ? u.pidsLimit : 'max');
      if (u.blkioWeight !== undefined) await w('', 'io.weight', u.blkioWeight);
      return;
    }
    if (u.memory !== undefined || u.memorySwap !== undefined) {
      const mem = u.memory !== undefined ? (u.memory > 0 ? String(u.memory) : V1_UNLIMITED) : undefined;
      const sw = u.memorySwap !== undefined && this.caps.swap ? (u.memorySwap > 0 ? String(u.memorySwap) : V1_UNLIMITED) : undefined;
      const curSwap = this.caps.swap ? await readNum(join(this.dir('memory', path), 'memory.memsw.limit_in_bytes')) : undefined;
      const raising = sw !== undefined && (sw === V1_UNLIMITED || curSwap === undefined || Number(sw) > curSwap);
      if (raising) {
        await w('memory', 'memory.memsw.limit_in_bytes', sw);
        if (mem !== undefined) await w('memory', 'memory.limit_in_bytes', mem);
      } else {
        if (mem !== undefined) await w('memory', 'memory.limit_in_bytes', mem);
        if (sw !== undefined) await w('memory', 'memory.memsw.limit_in_bytes', sw);
      }
    }
    if (u.memoryReservation !== undefined) await w('memory', 'memory.soft_limit_in_bytes', u.memoryReservation > 0 ? u.memoryReservation : V1_UNLIMITED);
    if (u.cpuShares !== undefined) await w('cpu', 'cpu.shares', u.cpuShares);
    if (u.cpuPeriod !== undefined) await w('cpu', 'cpu.cfs_period_us', u.cpuPeriod);
    if (u.cpuQuota !== undefined) await w('cpu', 'cpu.cfs_quota_us', u.cpuQuota);
    if (u.cpusetCpus !== undefined) await w('cpuset', 'cpuset.cpus', u.cpusetCpus);
    if (u.cpusetMems !== undefined) await w('cpuset', 'cpuset.mems', u.cpusetMems);
    if (u.pidsLimit !== undefined) await w('pids', 'pids.max', u.pidsLimit > 0 ? u.pidsLimit : 'max');
    if (u.blkioWeight !== undefined && this.caps.blkioWeight) await w('blkio', 'blkio.weight', u.blkioWeight);
  }
}

function blkioEntries(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+) (\S+) (\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3]!, value: Number(m[4]) });
  }
  return out;
}

/** Host CPU time in ns (dockerd's getSystemCPUUsage: the first seven fields of /proc/stat's cpu line). */
export async function systemCpuUsage(): Promise<number> {
  const text = await readFile('/proc/stat', 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const f = line.trim().split(/\s+/).slice(1, 8).map(Number);
  return (f.reduce((a, b) => a + b, 0) * 1e9) / 100;
}

/** Per-interface counters of a process's network namespace (/proc/<pid>/net/dev), loopback excluded. */
export async function netDev(pid: number): Promise<Record<string, Record<string, number>> | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    if (name === 'lo') continue;
    const f = line.slice(i + 1).trim().split(/\s+/).map(Number);
    out[name] = { rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!, tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]! };
  }
  return out;
}

/** The cgroup writes of a `docker update` request: only the fields it sets (as containerd passes them to runc). */
export function cgroupUpdateOf(r: Resources): CgroupUpdate {
  const u: CgroupUpdate = {};
  if (r.Memory) u.memory = r.Memory;
  if (r.MemorySwap) u.memorySwap = r.MemorySwap;
  if (r.MemoryReservation) u.memoryReservation = r.MemoryReservation;
  if (r.CpuShares) u.cpuShares = r.CpuShares;
  if (r.NanoCpus) {
    u.cpuPeriod = 100000;
    u.cpuQuota = Math.floor((r.NanoCpus * 100000) / 1e9);
  }
  if (r.CpuPeriod) u.cpuPeriod = r.CpuPeriod;
  if (r.CpuQuota) u.cpuQuota = r.CpuQuota;
  if (r.CpusetCpus) u.cpusetCpus = r.CpusetCpus;
  if (r.CpusetMems) u.cpusetMems = r.CpusetMems;
  if (r.PidsLimit !== null && r.PidsLimit !== 0) u.pidsLimit = r.PidsLimit;
  if (r.BlkioWeight) u.blkioWeight = r.BlkioWeight;
  return u;
}
