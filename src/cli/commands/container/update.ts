/** `berth update`: new resource limits and restart policy for one or more containers (POST /containers/{id}/update). */
import { containerPath } from '../../../client/api/containers.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { customFlag, intFlag, stringFlag } from '../../flags/spec.ts';
import { parseCpus, parseMemBytes, parseMemSwapBytes } from '../../opts/validators.ts';

interface Opts {
  blkioWeight: number;
  cpuPeriod: number;
  cpuQuota: number;
  cpuRtPeriod: number;
  cpuRtRuntime: number;
  cpusetCpus: string;
  cpusetMems: string;
  cpuShares: number;
  memory: number;
  memoryReservation: number;
  memorySwap: number;
  kernelMemory: number;
  restart: string;
  pidsLimit: number;
  cpus: number;
}

/** opts.ParseRestartPolicy */
export function parseRestartPolicy(policy: string): { Name: string; MaximumRetryCount: number } {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const i = policy.indexOf(':');
  const name = i >= 0 ? policy.slice(0, i) : policy;
  const count = i >= 0 ? policy.slice(i + 1) : '';
  if (i >= 0 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[+-]?\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
  return { Name: name, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

/** The UpdateConfig body the docker CLI sends: every resource field, zero meaning "leave as is". */
export function updateBody(o: Opts, changed: Set<string>): Record<string, unknown> {
  return {
    CpuShares: o.cpuShares,
    Memory: o.memory,
    NanoCpus: o.cpus,
    CgroupParent: '',
    BlkioWeight: o.blkioWeight,
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: o.cpuPeriod,
    CpuQuota: o.cpuQuota,
    CpuRealtimePeriod: o.cpuRtPeriod,
    CpuRealtimeRuntime: o.cpuRtRuntime,
    CpusetCpus: o.cpusetCpus,
    CpusetMems: o.cpusetMems,
    Devices: null,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    ...(o.kernelMemory ? { KernelMemory: o.kernelMemory } : {}),
    MemoryReservation: o.memoryReservation,
    MemorySwap: o.memorySwap,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: changed.has('pids-limit') && o.pidsLimit !== 0 ? o.pidsLimit : null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    RestartPolicy: parseRestartPolicy(o.restart),
  };
}

const bytes = (name: string, usage: string, parse: (v: string) => number, short?: string) => customFlag<number>(name, usage, 'bytes', 0, (v) => parse(v), { short, defText: '0' });

export default defineCommand<Opts>({
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Update configuration of one or more containers',
  aliases: '{bin} container update, {bin} update',
  args: minArgs(1),
  flags: [
    intFlag('blkio-weight', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', { bits: 16, unsigned: true, type: 'uint16' }),
    intFlag('cpu-period', 'Limit CPU CFS (Completely Fair Scheduler) period', { type: 'int' }),
    intFlag('cpu-quota', 'Limit CPU CFS (Completely Fair Scheduler) quota', { type: 'int' }),
    intFlag('cpu-rt-period', 'Limit the CPU real-time period in microseconds', { type: 'int' }),
    intFlag('cpu-rt-runtime', 'Limit the CPU real-time runtime in microseconds', { type: 'int' }),
    intFlag('cpu-shares', 'CPU shares (relative weight)', { short: 'c', type: 'int' }),
    customFlag<number>('cpus', 'Number of CPUs', 'decimal', 0, (v) => parseCpus(v)),
    stringFlag('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
    stringFlag('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
    { ...bytes('kernel-memory', 'Kernel memory limit (deprecated)', parseMemBytes), hidden: true },
    bytes('memory', 'Memory limit', parseMemBytes, 'm'),
    bytes('memory-reservation', 'Memory soft limit', parseMemBytes),
    bytes('memory-swap', "Swap limit equal to memory plus swap: -1 to enable unlimited swap", parseMemSwapBytes),
    intFlag('pids-limit', 'Tune container pids limit (set -1 for unlimited)', { type: 'int' }),
    stringFlag('restart', 'Restart policy to apply when a container exits'),
  ],
  async run(ctx, o, args, info) {
    if (info.changed.size === 0) throw new Error('you must provide one or more flags when using this command');
    const body = updateBody(o, info.changed);
    const client = await ctx.client();
    const warnings: string[] = [];
    const errors: string[] = [];
    for (const c of args) {
      try {
        const r = await client.json<{ Warnings?: string[] | null }>('POST', containerPath(c, '/update'), { body });
        ctx.out.write(`${c}\n`);
        warnings.push(...(r?.Warnings ?? []));
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (warnings.length) ctx.out.write(`${warnings.join('\n')}\n`);
    if (errors.length) throw new Error(errors.join('\n'));
  },
});
