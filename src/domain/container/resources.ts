import { InvalidArgumentError } from '../../common/errors.ts';

/**
 * HostConfig resources (`-m`, `--cpus`, `--pids-limit`, blkio …): parsing, dockerd's validation and warnings
 * (verifyPlatformContainerResources), its defaults (adaptContainerSettings) and `docker update` merging. Pure: what
 * the host supports comes in as CgroupCaps.
 */

export interface WeightDevice {
  Path: string;
  Weight: number;
}
export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

export interface Resources {
  Memory: number;
  MemorySwap: number;
  MemoryReservation: number;
  MemorySwappiness: number | null;
  OomKillDisable: boolean | null;
  KernelMemory: number;
  NanoCpus: number;
  CpuShares: number;
  CpuPeriod: number;
  CpuQuota: number;
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  CpusetCpus: string;
  CpusetMems: string;
  PidsLimit: number | null;
  BlkioWeight: number;
  BlkioWeightDevice: WeightDevice[] | null;
  BlkioDeviceReadBps: ThrottleDevice[] | null;
  BlkioDeviceWriteBps: ThrottleDevice[] | null;
  BlkioDeviceReadIOps: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps: ThrottleDevice[] | null;
  CpuCount: number;
  CpuPercent: number;
  IOMaximumIOps: number;
  IOMaximumBandwidth: number;
}

/** What the host's cgroups support (moby's sysinfo). */
export interface CgroupCaps {
  version: 1 | 2;
  memory: boolean;
  swap: boolean;
  swappiness: boolean;
  reservation: boolean;
  oomKillDisable: boolean;
  pids: boolean;
  cpuShares: boolean;
  cpuCfs: boolean;
  cpuRealtime: boolean;
  cpuset: boolean;
  /** cpuset.cpus / cpuset.mems of the root ("0-1", "0"). */
  cpus: string;
  mems: string;
  blkioWeight: boolean;
  blkioWeightDevice: boolean;
  blkioThrottle: boolean;
  ncpu: number;
}

export const MIN_MEMORY = 6 * 1024 * 1024;

function num(v: unknown, field: string, type = 'int64'): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field HostConfig.${field} of type ${type}`);
  return v;
}

function devList<T>(v: unknown, field: string, key: 'Weight' | 'Rate'): T[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new InvalidArgumentError(`json: cannot unmarshal ${typeof v} into Go struct field HostConfig.${field} of type []*blkiodev.${key === 'Weight' ? 'WeightDevice' : 'ThrottleDevice'}`);
  return v.map((d) => {
    if (d === null || typeof d !== 'object' || typeof (d as Record<string, unknown>).Path !== 'string' || typeof (d as Record<string, unknown>)[key] !== 'number') {
      throw new InvalidArgumentError(`json: cannot unmarshal into Go struct field HostConfig.${field}`);
    }
    return { Path: (d as Record<string, string>).Path, [key]: (d as Record<string, number>)[key] } as T;
  });
}

/** Reads the resource fields of a HostConfig (create or update body), type-checked as Go's decoder would. */
export function parseResources(h: Record<string, unknown>): Resources {
  const sw = h.MemorySwappiness;
  return {
    Memory: num(h.Memory, 'Memory'),
    MemorySwap: num(h.MemorySwap, 'MemorySwap'),
    MemoryReservation: num(h.MemoryReservation, 'MemoryReservation'),
    MemorySwappiness: sw === undefined || sw === null ? null : num(sw, 'MemorySwappiness'),
    OomKillDisable: typeof h.OomKillDisable === 'boolean' ? h.OomKillDisable : null,
    KernelMemory: num(h.KernelMemory, 'KernelMemory'),
    NanoCpus: num(h.NanoCpus, 'NanoCpus'),
    CpuShares: num(h.CpuShares, 'CpuShares'),
    CpuPeriod: num(h.CpuPeriod, 'CpuPeriod'),
    CpuQuota: num(h.CpuQuota, 'CpuQuota'),
    CpuRealtimePeriod: num(h.CpuRealtimePeriod, 'CpuRealtimePeriod'),
    CpuRealtimeRuntime: num(h.CpuRealtimeRuntime, 'CpuRealtimeRuntime'),
    CpusetCpus: typeof h.CpusetCpus === 'string' ? h.CpusetCpus : '',
    CpusetMems: typeof h.CpusetMems === 'string' ? h.CpusetMems : '',
    PidsLimit: h.PidsLimit === undefined || h.PidsLimit === null ? null : num(h.PidsLimit, 'PidsLimit'),
    BlkioWeight: num(h.BlkioWeight, 'BlkioWeight', 'uint16'),
    BlkioWeightDevice: devList<WeightDevice>(h.BlkioWeightDevice, 'BlkioWeightDevice', 'Weight'),
    BlkioDeviceReadBps: devList<ThrottleDevice>(h.BlkioDeviceReadBps, 'BlkioDeviceReadBps', 'Rate'),
    BlkioDeviceWriteBps: devList<ThrottleDevice>(h.BlkioDeviceWriteBps, 'BlkioDeviceWriteBps', 'Rate'),
    BlkioDeviceReadIOps: devList<ThrottleDevice>(h.BlkioDeviceReadIOps, 'BlkioDeviceReadIOps', 'Rate'),
    BlkioDeviceWriteIOps: devList<ThrottleDevice>(h.BlkioDeviceWriteIOps, 'BlkioDeviceWriteIOps', 'Rate'),
    CpuCount: num(h.CpuCount, 'CpuCount'),
    CpuPercent: num(h.CpuPercent, 'CpuPercent'),
    IOMaximumIOps: num(h.IOMaximumIOps, 'IOMaximumIOps', 'uint64'),
    IOMaximumBandwidth: num(h.IOMaximumBandwidth, 'IOMaximumBandwidth', 'uint64'),
  };
}

/** "0-3,5" → [0,1,2,3,5]; throws on a malformed list (moby's parsers.ParseUintList). */
export function parseCpuList(s: string): number[] {
  if (s === '') return [];
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid format: ${s}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`invalid range: ${part}`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * dockerd's checks and adjustments of resources: errors for impossible values, warnings (and the setting
 * dropped) for what this host's cgroups cannot do. Mutates `r`; returns the warnings.
 */
export function verifyResources(r: Resources, caps: CgroupCaps, update = false): string[] {
  const w: string[] = [];
  if (r.MemorySwappiness === -1) r.MemorySwappiness = null;
  if (r.Memory !== 0 && r.Memory < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  if (r.Memory > 0 && !caps.memory) {
    w.push('Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.');
    r.Memory = 0;
    r.MemorySwap = -1;
  }
  if (r.Memory > 0 && r.MemorySwap !== -1 && !caps.swap) {
    w.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    r.MemorySwap = -1;
  }
  if (r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory) throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (r.Memory === 0 && r.MemorySwap > 0 && !update) throw new InvalidArgumentError('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (r.MemorySwappiness !== null && !caps.swappiness) {
    w.push('Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.');
    r.MemorySwappiness = null;
  }
  if (r.MemorySwappiness !== null && (r.MemorySwappiness < 0 || r.MemorySwappiness > 100)) {
    throw new InvalidArgumentError(`Invalid value: ${r.MemorySwappiness}, valid memory swappiness range is 0-100`);
  }
  if (r.MemoryReservation > 0 && !caps.reservation) {
    w.push('Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.');
    r.MemoryReservation = 0;
  }
  if (r.MemoryReservation > 0 && r.MemoryReservation < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory reservation allowed is 6MB');
  if (r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation) throw new InvalidArgumentError('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (r.KernelMemory !== 0) {
    // kmem limits are gone from cgroup v2 and deprecated on v1 since Linux 5.4 (writes are ignored): dropped
    w.push('Your kernel does not support kernel memory limit capabilities or the cgroup is not mounted. Limitation discarded.');
    r.KernelMemory = 0;
  }
  if (r.OomKillDisable !== null && !caps.oomKillDisable) {
    if (r.OomKillDisable) w.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    r.OomKillDisable = null;
  }
  if (r.OomKillDisable && r.Memory === 0) w.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  if (r.PidsLimit !== null && !caps.pids) {
    if (r.PidsLimit > 0) w.push('Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.');
    r.PidsLimit = null;
  }
  if (r.NanoCpus > 0 && r.CpuPeriod > 0) throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (r.NanoCpus > 0 && r.CpuQuota > 0) throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (r.NanoCpus > 0 && !caps.cpuCfs) throw new InvalidArgumentError('NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted');
  if (r.NanoCpus !== 0 && (r.NanoCpus < 0 || r.NanoCpus > caps.ncpu * 1e9)) {
    throw new InvalidArgumentError(`range of CPUs is from 0.01 to ${caps.ncpu}.00, as there are only ${caps.ncpu} CPUs available`);
  }
  if (caps.cpuShares && r.CpuShares < 0) throw new InvalidArgumentError(`invalid CPU shares (${r.CpuShares}): value must be a positive integer`);
  if (r.CpuShares > 0 && !caps.cpuShares) {
    w.push('Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.');
    r.CpuShares = 0;
  }
  if ((r.CpuPeriod !== 0 || r.CpuQuota !== 0) && !caps.cpuCfs) {
    w.push('Your kernel does not support CPU CFS scheduler. CPU period/quota discarded.');
    r.CpuPeriod = 0;
    r.CpuQuota = 0;
  }
  if (r.CpuPeriod !== 0 && (r.CpuPeriod < 1000 || r.CpuPeriod > 1000000)) throw new InvalidArgumentError('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (r.CpuQuota > 0 && r.CpuQuota < 1000) throw new InvalidArgumentError('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.CpuPercent > 0) {
    w.push('linux does not support CPU percent. Percent discarded.');
    r.CpuPercent = 0;
  }
  if ((r.CpuRealtimePeriod !== 0 || r.CpuRealtimeRuntime !== 0) && !caps.cpuRealtime) {
    throw new InvalidArgumentError('kernel does not support CPU real-time scheduler');
  }
  if (r.CpuRealtimePeriod !== 0 && r.CpuRealtimeRuntime !== 0 && r.CpuRealtimeRuntime > r.CpuRealtimePeriod) {
    throw new InvalidArgumentError('cpu real-time runtime cannot be higher than cpu real-time period');
  }
  if ((r.CpusetCpus !== '' || r.CpusetMems !== '') && !caps.cpuset) {
    w.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
    r.CpusetCpus = '';
    r.CpusetMems = '';
  }
  checkCpuset(r.CpusetCpus, caps.cpus, 'cpus', 'CPUs');
  checkCpuset(r.CpusetMems, caps.mems, 'mems', 'memory nodes');
  if (r.BlkioWeight > 0 && !caps.blkioWeight) {
    w.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    r.BlkioWeight = 0;
  }
  if (r.BlkioWeight > 0 && (r.BlkioWeight < 10 || r.BlkioWeight > 1000)) throw new InvalidArgumentError('Range of blkio weight is from 10 to 1000');
  if (r.IOMaximumBandwidth !== 0 || r.IOMaximumIOps !== 0) throw new InvalidArgumentError('Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps');
  if (r.BlkioWeightDevice?.length && !caps.blkioWeightDevice) {
    w.push('Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.');
    r.BlkioWeightDevice = [];
  }
  const throttle: [keyof Resources, string][] = [
    ['BlkioDeviceReadBps', 'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.'],
    ['BlkioDeviceWriteBps', 'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.'],
    ['BlkioDeviceReadIOps', 'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.'],
    ['BlkioDeviceWriteIOps', 'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.'],
  ];
  for (const [k, msg] of throttle) {
    const list = r[k] as ThrottleDevice[] | null;
    if (list?.length && !caps.blkioThrottle) {
      w.push(msg);
      (r as unknown as Record<string, unknown>)[k] = [];
    }
  }
  return w;
}

function checkCpuset(req: string, avail: string, what: string, words: string): void {
  if (req === '') return;
  let want: number[];
  try {
    want = parseCpuList(req);
  } catch (err) {
    throw new InvalidArgumentError(`Invalid value ${req} for cpuset ${what}: ${(err as Error).message}`);
  }
  let have: number[] = [];
  try {
    have = parseCpuList(avail);
  } catch {
    return;
  }
  if (want.some((c) => !have.includes(c))) throw new InvalidArgumentError(`Requested ${words} are not available - requested ${req}, available: ${avail}`);
}

/** dockerd's adaptContainerSettings for resources: swap defaults to twice the memory, OomKillDisable to false. */
export function adaptResources(r: Resources): void {
  if (r.Memory > 0 && r.MemorySwap === 0) r.MemorySwap = r.Memory * 2;
  if (r.OomKillDisable === null) r.OomKillDisable = false;
}

/** `docker update`: the request's non-zero fields over the container's (moby's UpdateContainer), with its checks. */
export function mergeUpdate(cur: Resources, req: Resources): Resources {
  const conflict = (m: string) => new InvalidArgumentError(m);
  if (req.NanoCpus > 0 && cur.CpuPeriod > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (req.NanoCpus > 0 && cur.CpuQuota > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (req.CpuPeriod > 0 && cur.NanoCpus > 0) throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (req.CpuQuota > 0 && cur.NanoCpus > 0) throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  const out: Resources = { ...cur };
  const setNum = (k: keyof Resources) => {
    if (req[k] !== 0 && req[k] !== null && req[k] !== '') (out as unknown as Record<string, unknown>)[k] = req[k];
  };
  for (const k of ['BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'MemoryReservation', 'CpuRealtimePeriod', 'CpuRealtimeRuntime'] as const) setNum(k);
  for (const k of ['BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps', 'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps'] as const) {
    if (req[k] !== null) (out as unknown as Record<string, unknown>)[k] = req[k];
  }
  if (req.Memory !== 0) {
    if (req.Memory > cur.MemorySwap && req.MemorySwap === 0) {
      throw conflict('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    out.Memory = req.Memory;
  }
  if (req.MemorySwap !== 0) out.MemorySwap = req.MemorySwap;
  if (req.PidsLimit !== null) out.PidsLimit = req.PidsLimit;
  return out;
}
