import type { ContainerRecord } from '../../domain/container/types.ts';
import { ZERO_TIME } from '../../domain/container/types.ts';
import { type BlkioEntry, type CgroupHost, type RawStats, netDev, systemCpuUsage } from '../../system/cgroups/cgroups.ts';

/** One reading of a container's counters. */
export interface StatsSample {
  read: string;
  raw: RawStats;
  system: number;
  networks?: Record<string, Record<string, number>>;
}

const BLKIO_KEYS = [
  'io_service_bytes_recursive',
  'io_serviced_recursive',
  'io_queue_recursive',
  'io_service_time_recursive',
  'io_wait_time_recursive',
  'io_merged_recursive',
  'io_time_recursive',
  'sectors_recursive',
] as const;

function zeroCpu(): Record<string, unknown> {
  return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
}

/** The stats of a container that does not run (dockerd sends zero values with its name and id). */
export function emptyStats(rec: ContainerRecord): Record<string, unknown> {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: Object.fromEntries(BLKIO_KEYS.map((k) => [k, null])),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zeroCpu(),
    precpu_stats: zeroCpu(),
    memory_stats: {},
    name: rec.Name,
    id: rec.Id,
  };
}

/** Reads a running container's counters: its cgroup, the host's CPU time, its network namespace's interfaces. */
export async function sampleStats(cg: CgroupHost, rec: ContainerRecord, cgroupPath: string): Promise<StatsSample> {
  const hostNet = rec.HostConfig.NetworkMode === 'host';
  const [raw, system, networks] = await Promise.all([cg.stats(cgroupPath), systemCpuUsage(), hostNet || !rec.State.Pid ? undefined : netDev(rec.State.Pid)]);
  return { read: new Date().toISOString(), raw, system, networks };
}

function cpuJson(s: StatsSample, ncpu: number): Record<string, unknown> {
  const c = s.raw.cpu;
  const usage: Record<string, unknown> = { total_usage: c.total };
  if (c.percpu.length) usage.percpu_usage = c.percpu;
  usage.usage_in_kernelmode = c.system;
  usage.usage_in_usermode = c.user;
  return {
    cpu_usage: usage,
    system_cpu_usage: s.system,
    online_cpus: c.percpu.length || ncpu,
    throttling_data: { periods: c.periods, throttled_periods: c.throttledPeriods, throttled_time: c.throttledTime },
  };
}

const entries = (l: BlkioEntry[] | undefined) => (l ?? []).map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }));

/**
 * Docker's stats JSON (GET /containers/{id}/stats) from a sample and the previous one (precpu). Memory without a
 * limit reports the host's RAM as its limit, as dockerd does.
 */
export function statsJson(rec: ContainerRecord, cur: StatsSample, prev: StatsSample | undefined, machineMemory: number, ncpu: number): Record<string, unknown> {
  const r = cur.raw;
  const pids: Record<string, number> = {};
  if (r.pids) {
    if (r.pids.current) pids.current = r.pids.current;
    if (r.pids.limit) pids.limit = r.pids.limit;
  }
  const blkio: Record<string, unknown> = Object.fromEntries(BLKIO_KEYS.map((k) => [k, r.blkio ? [] : null]));
  if (r.blkio) {
    blkio.io_service_bytes_recursive = entries(r.blkio.serviceBytes);
    blkio.io_serviced_recursive = entries(r.blkio.serviced);
  }
  const mem: Record<string, unknown> = {};
  if (r.memory) {
    if (r.memory.usage) mem.usage = r.memory.usage;
    if (r.memory.maxUsage) mem.max_usage = r.memory.maxUsage;
    mem.stats = r.memory.stats;
    if (r.memory.failcnt) mem.failcnt = r.memory.failcnt;
    const limit = r.memory.limit;
    mem.limit = !limit || (limit > machineMemory && machineMemory > 0) ? machineMemory : limit;
  }
  const out: Record<string, unknown> = {
    read: cur.read,
    preread: prev?.read ?? ZERO_TIME,
    pids_stats: pids,
    blkio_stats: blkio,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuJson(cur, ncpu),
    precpu_stats: prev ? cpuJson(prev, ncpu) : zeroCpu(),
    memory_stats: mem,
    name: rec.Name,
    id: rec.Id,
  };
  if (cur.networks) out.networks = cur.networks;
  return out;
}
