/**
 * `docker stats` arithmetic and columns (docker/cli stats_helpers.go and formatter_stats.go): CPU % from the
 * usage deltas, memory without the page cache, network and block I/O sums, and the statsContext row.
 */
import { truncateId } from '../../../client/reference.ts';
import { GO_TYPE } from '../../format/template.ts';
import { bytesSize, humanSizeWithPrecision } from '../../format/units.ts';

/** The parts of a stats object (GET /containers/{id}/stats) the CLI reads. */
export interface StatsJson {
  name?: string;
  id?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  pids_stats?: { current?: number };
}

export interface StatsEntry {
  container: string;
  name: string;
  id: string;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
  invalid: boolean;
}

export function calculateCpuPercent(v: StatsJson): number {
  const cpuDelta = (v.cpu_stats?.cpu_usage?.total_usage ?? 0) - (v.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (v.cpu_stats?.system_cpu_usage ?? 0) - (v.precpu_stats?.system_cpu_usage ?? 0);
  let online = v.cpu_stats?.online_cpus ?? 0;
  if (online === 0) online = v.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** Usage minus the inactive page cache (cgroup v1 total_inactive_file, v2 inactive_file). */
export function memUsageNoCache(mem: StatsJson['memory_stats']): number {
  const usage = mem?.usage ?? 0;
  const v1 = mem?.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = mem?.stats?.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

export function toEntry(container: string, v: StatsJson): StatsEntry {
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of v.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = e.op?.[0];
    if (op === 'r' || op === 'R') blockRead += e.value ?? 0;
    else if (op === 'w' || op === 'W') blockWrite += e.value ?? 0;
  }
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(v.networks ?? {})) {
    netRx += n.rx_bytes ?? 0;
    netTx += n.tx_bytes ?? 0;
  }
  const memory = memUsageNoCache(v.memory_stats);
  const memoryLimit = v.memory_stats?.limit ?? 0;
  return {
    container,
    name: v.name ?? '',
    id: v.id ?? '',
    cpuPercent: calculateCpuPercent(v),
    memory,
    memoryLimit,
    memoryPercent: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    netRx,
    netTx,
    blockRead,
    blockWrite,
    pids: v.pids_stats?.current ?? 0,
    invalid: false,
  };
}

export function emptyEntry(container: string): StatsEntry {
  return { container, name: '', id: '', cpuPercent: 0, memory: 0, memoryLimit: 0, memoryPercent: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 0, invalid: false };
}

const NO_VALUE = '--';

/**
 * Go's strconv.FormatFloat(v, 'f', prec): the exact binary value rounded half to even (3.125 → "3.12", where
 * toFixed gives "3.13").
 */
export function goFixed(v: number, prec: number): string {
  const exact = Math.abs(v).toFixed(Math.min(100, prec + 30));
  const dot = exact.indexOf('.');
  const keep = exact.slice(0, dot + 1 + prec);
  const rest = exact.slice(dot + 1 + prec);
  const lastDigit = Number(keep.at(-1) === '.' ? keep.at(-2) : keep.at(-1));
  const roundUp = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || lastDigit % 2 === 1));
  let out = keep.endsWith('.') ? keep.slice(0, -1) : keep;
  if (roundUp) {
    const scaled = BigInt(out.replace('.', '')) + 1n;
    const digits = scaled.toString().padStart(prec + 1, '0');
    out = prec > 0 ? `${digits.slice(0, -prec)}.${digits.slice(-prec)}` : digits;
  }
  return v < 0 && /[1-9]/.test(out) ? `-${out}` : out;
}

const pct = (v: number) => `${goFixed(v, 2)}%`;

/** One row for the stats template (docker's statsContext). */
export class StatsRow {
  readonly [GO_TYPE] = '*container.statsContext';
  readonly #s: StatsEntry;
  readonly #trunc: boolean;
  constructor(s: StatsEntry, trunc: boolean) {
    this.#s = s;
    this.#trunc = trunc;
  }
  Container(): string {
    return this.#s.container;
  }
  Name(): string {
    return this.#s.name.length > 1 ? this.#s.name.slice(1) : NO_VALUE;
  }
  ID(): string {
    return this.#trunc ? truncateId(this.#s.id) : this.#s.id;
  }
  CPUPerc(): string {
    return this.#s.invalid ? NO_VALUE : pct(this.#s.cpuPercent);
  }
  MemUsage(): string {
    return this.#s.invalid ? '-- / --' : `${bytesSize(this.#s.memory)} / ${bytesSize(this.#s.memoryLimit)}`;
  }
  MemPerc(): string {
    return this.#s.invalid ? NO_VALUE : pct(this.#s.memoryPercent);
  }
  NetIO(): string {
    return this.#s.invalid ? NO_VALUE : `${humanSizeWithPrecision(this.#s.netRx, 3)} / ${humanSizeWithPrecision(this.#s.netTx, 3)}`;
  }
  BlockIO(): string {
    return this.#s.invalid ? NO_VALUE : `${humanSizeWithPrecision(this.#s.blockRead, 3)} / ${humanSizeWithPrecision(this.#s.blockWrite, 3)}`;
  }
  PIDs(): string {
    return this.#s.invalid ? NO_VALUE : String(this.#s.pids);
  }
}

export const STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export const STATS_HEADER = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};
