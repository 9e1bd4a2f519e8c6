/** The container flags shared by `run` and `create` (docker/cli container/opts.go addFlags), same names and help. */
import type { FlagSpec } from '../flags/spec.ts';
import { boolFlag, customFlag, intFlag, listFlag, stringFlag } from '../flags/spec.ts';
import { goDurationString, parseGoDuration } from '../format/units.ts';
import { parseGpuRequest } from './devices.ts';
import type { Mount } from './mounts.ts';
import { parseMount } from './mounts.ts';
import type { NetworkAttachment } from './network-opt.ts';
import { parseNetworkOpt } from './network-opt.ts';
import type { ThrottleDevice, Ulimit, WeightDevice } from './validators.ts';
import {
  parseCpus,
  parseMemBytes,
  parseMemSwapBytes,
  parseThrottleBpsDevice,
  parseThrottleIOpsDevice,
  parseUlimit,
  parseWeightDevice,
  validateAttach,
  validateDNSSearch,
  validateDeviceCgroupRule,
  validateEnv,
  validateExtraHost,
  validateIPAddress,
  validateLabel,
  validateLink,
  validateSysctl,
} from './validators.ts';

function bytesFlag(name: string, usage: string, o: { short?: string; swap?: boolean } = {}): FlagSpec {
  return customFlag<number>(name, usage, 'bytes', 0, (v) => (o.swap ? parseMemSwapBytes(v) : parseMemBytes(v)), { short: o.short, defText: '0' });
}

function durationFlag(name: string, usage: string): FlagSpec {
  return customFlag<number>(name, usage, 'duration', 0, (v) => parseGoDuration(v), { defText: goDurationString(0) });
}

function mapFlag(name: string, usage: string, validate?: (v: string) => string): FlagSpec {
  return customFlag<Record<string, string>>(
    name,
    usage,
    'map',
    {},
    (v, cur) => {
      const val = validate ? validate(v) : v;
      const eq = val.indexOf('=');
      return { ...cur, [eq >= 0 ? val.slice(0, eq) : val]: eq >= 0 ? val.slice(eq + 1) : '' };
    },
    { defText: 'map[]' },
  );
}

export interface ContainerOptions {
  attach: string[];
  deviceCgroupRule: string[];
  device: string[];
  env: string[];
  envFile: string[];
  entrypoint: string;
  groupAdd: string[];
  hostname: string;
  domainname: string;
  interactive: boolean;
  label: string[];
  labelFile: string[];
  readOnly: boolean;
  restart: string;
  stopSignal: string;
  stopTimeout: number;
  sysctl: Record<string, string>;
  tty: boolean;
  ulimit: Ulimit[];
  user: string;
  workdir: string;
  rm: boolean;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  securityOpt: string[];
  userns: string;
  cgroupns: string;
  addHost: string[];
  dns: string[];
  dnsOption: string[];
  dnsSearch: string[];
  expose: string[];
  ip: string;
  ip6: string;
  link: string[];
  linkLocalIp: string[];
  macAddress: string;
  publish: string[];
  publishAll: boolean;
  network: NetworkAttachment[];
  networkAlias: string[];
  logDriver: string;
  volumeDriver: string;
  logOpt: string[];
  storageOpt: string[];
  tmpfs: string[];
  volumesFrom: string[];
  volume: string[];
  mount: Mount[];
  healthCmd: string;
  healthInterval: number;
  healthRetries: number;
  healthTimeout: number;
  healthStartPeriod: number;
  healthStartInterval: number;
  noHealthcheck: boolean;
  blkioWeight: number;
  blkioWeightDevice: WeightDevice[];
  cidfile: string;
  cpusetCpus: string;
  cpusetMems: string;
  cpuCount: number;
  cpuPercent: number;
  cpuPeriod: number;
  cpuQuota: number;
  cpuRtPeriod: number;
  cpuRtRuntime: number;
  cpuShares: number;
  cpus: number;
  deviceReadBps: ThrottleDevice[];
  deviceReadIops: ThrottleDevice[];
  deviceWriteBps: ThrottleDevice[];
  deviceWriteIops: ThrottleDevice[];
  ioMaxbandwidth: number;
  ioMaxiops: number;
  kernelMemory: number;
  memory: number;
  memoryReservation: number;
  memorySwap: number;
  memorySwappiness: number;
  oomKillDisable: boolean;
  oomScoreAdj: number;
  pidsLimit: number;
  cgroupParent: string;
  ipc: string;
  isolation: string;
  pid: string;
  shmSize: number;
  uts: string;
  runtime: string;
  init: boolean;
  annotation: Record<string, string>;
  gpus: Record<string, unknown>[];
}

export function containerFlags(env: Record<string, string | undefined>): FlagSpec[] {
  return [
    // General purpose
    listFlag('attach', 'Attach to STDIN, STDOUT or STDERR', { short: 'a', validate: validateAttach }),
    listFlag('device-cgroup-rule', 'Add a rule to the cgroup allowed devices list', { validate: validateDeviceCgroupRule }),
    listFlag('device', 'Add a host device to the container'),
    customFlag<Record<string, unknown>[]>('gpus', "GPU devices to add to the container ('all' to pass all GPUs)", 'gpu-request', [], (v, cur) => [...cur, parseGpuRequest(v)]),
    listFlag('env', 'Set environment variables', { short: 'e', validate: (v) => validateEnv(v, env) }),
    listFlag('env-file', 'Read in a file of environment variables'),
    stringFlag('entrypoint', 'Overwrite the default ENTRYPOINT of the image'),
    listFlag('group-add', 'Add additional groups to join'),
    stringFlag('hostname', 'Container host name', { short: 'h' }),
    stringFlag('domainname', 'Container NIS domain name'),
    boolFlag('interactive', 'Keep STDIN open even if not attached', { short: 'i' }),
    listFlag('label', 'Set meta data on a container', { short: 'l', validate: validateLabel }),
    listFlag('label-file', 'Read in a line delimited file of labels'),
    boolFlag('read-only', "Mount the container's root filesystem as read only"),
    stringFlag('restart', 'Restart policy to apply when a container exits', { def: 'no' }),
    stringFlag('stop-signal', 'Signal to stop the container'),
    intFlag('stop-timeout', 'Timeout (in seconds) to stop a container', { bits: 64, type: 'int' }),
    mapFlag('sysctl', 'Sysctl options', validateSysctl),
    boolFlag('tty', 'Allocate a pseudo-TTY', { short: 't' }),
    customFlag<Ulimit[]>(
      'ulimit',
      'Ulimit options',
      'ulimit',
      [],
      (v, cur) => {
        const u = parseUlimit(v);
        return [...cur.filter((x) => x.Name !== u.Name), u].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
      },
      { defText: '[]' },
    ),
    stringFlag('user', 'Username or UID (format: <name|uid>[:<group|gid>])', { short: 'u' }),
    stringFlag('workdir', 'Working directory inside the container', { short: 'w' }),
    boolFlag('rm', 'Automatically remove the container and its associated anonymous volumes when it exits'),
    // Security
    listFlag('cap-add', 'Add Linux capabilities'),
    listFlag('cap-drop', 'Drop Linux capabilities'),
    boolFlag('privileged', 'Give extended privileges to this container'),
    listFlag('security-opt', 'Security Options'),
    stringFlag('userns', 'User namespace to use'),
    stringFlag(
      'cgroupns',
      `Cgroup namespace to use (host|private)
'host':    Run the container in the Docker host's cgroup namespace
'private': Run the container in its own private cgroup namespace
'':        Use the cgroup namespace as configured by the
           default-cgroupns-mode option on the daemon (default)`,
    ),
    // Network and port publishing
    listFlag('add-host', 'Add a custom host-to-IP mapping (host:ip)', { validate: validateExtraHost }),
    listFlag('dns', 'Set custom DNS servers', { validate: validateIPAddress }),
    listFlag('dns-opt', 'Set DNS options', { hidden: true, dest: 'dnsOption' }),
    listFlag('dns-option', 'Set DNS options'),
    listFlag('dns-search', 'Set custom DNS search domains', { validate: validateDNSSearch }),
    listFlag('expose', 'Expose a port or a range of ports'),
    stringFlag('ip', 'IPv4 address (e.g., 172.30.100.104)'),
    stringFlag('ip6', 'IPv6 address (e.g., 2001:db8::33)'),
    listFlag('link', 'Add link to another container', { validate: validateLink }),
    listFlag('link-local-ip', 'Container IPv4/IPv6 link-local addresses'),
    stringFlag('mac-address', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'),
    listFlag('publish', "Publish a container's port(s) to the host", { short: 'p' }),
    boolFlag('publish-all', 'Publish all exposed ports to random ports', { short: 'P' }),
    customFlag<NetworkAttachment[]>('net', 'Connect a container to a network', 'network', [], (v, cur) => [...cur, parseNetworkOpt(v)], { hidden: true, dest: 'network' }),
    customFlag<NetworkAttachment[]>('network', 'Connect a container to a network', 'network', [], (v, cur) => [...cur, parseNetworkOpt(v)]),
    listFlag('net-alias', 'Add network-scoped alias for the container', { hidden: true, dest: 'networkAlias' }),
    listFlag('network-alias', 'Add network-scoped alias for the container'),
    // Logging and storage
    stringFlag('log-driver', 'Logging driver for the container'),
    stringFlag('volume-driver', 'Optional volume driver for the container'),
    listFlag('log-opt', 'Log driver options'),
    listFlag('storage-opt', 'Storage driver options for the container'),
    listFlag('tmpfs', 'Mount a tmpfs directory'),
    listFlag('volumes-from', 'Mount volumes from the specified container(s)'),
    listFlag('volume', 'Bind mount a volume', { short: 'v' }),
    customFlag<Mount[]>('mount', 'Attach a filesystem mount to the container', 'mount', [], (v, cur) => [...cur, parseMount(v)]),
    // Health-checking
    stringFlag('health-cmd', 'Command to run to check health'),
    durationFlag('health-interval', 'Time between running the check (ms|s|m|h) (default 0s)'),
    intFlag('health-retries', 'Consecutive failures needed to report unhealthy', { bits: 64, type: 'int' }),
    durationFlag('health-timeout', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'),
    durationFlag('health-start-period', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'),
    durationFlag('health-start-interval', 'Time between running the check during the start period (ms|s|m|h) (default 0s)'),
    boolFlag('no-healthcheck', 'Disable any container-specified HEALTHCHECK'),
    // Resource management
    intFlag('blkio-weight', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', { bits: 16, unsigned: true }),
    customFlag<WeightDevice[]>('blkio-weight-device', 'Block IO weight (relative device weight)', 'list', [], (v, cur) => [...cur, parseWeightDevice(v)], { defText: '[]' }),
    stringFlag('cidfile', 'Write the container ID to the file'),
    stringFlag('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
    stringFlag('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
    intFlag('cpu-count', 'CPU count (Windows only)', { type: 'int64' }),
    intFlag('cpu-percent', 'CPU percent (Windows only)', { type: 'int64' }),
    intFlag('cpu-period', 'Limit CPU CFS (Completely Fair Scheduler) period', { type: 'int64' }),
    intFlag('cpu-quota', 'Limit CPU CFS (Completely Fair Scheduler) quota', { type: 'int64' }),
    intFlag('cpu-rt-period', 'Limit CPU real-time period in microseconds', { type: 'int64' }),
    intFlag('cpu-rt-runtime', 'Limit CPU real-time runtime in microseconds', { type: 'int64' }),
    intFlag('cpu-shares', 'CPU shares (relative weight)', { short: 'c', type: 'int64' }),
    customFlag<number>('cpus', 'Number of CPUs', 'decimal', 0, (v) => parseCpus(v)),
    customFlag<ThrottleDevice[]>('device-read-bps', 'Limit read rate (bytes per second) from a device', 'list', [], (v, cur) => [...cur, parseThrottleBpsDevice(v)], { defText: '[]' }),
    customFlag<ThrottleDevice[]>('device-read-iops', 'Limit read rate (IO per second) from a device', 'list', [], (v, cur) => [...cur, parseThrottleIOpsDevice(v)], { defText: '[]' }),
    customFlag<ThrottleDevice[]>('device-write-bps', 'Limit write rate (bytes per second) to a device', 'list', [], (v, cur) => [...cur, parseThrottleBpsDevice(v)], { defText: '[]' }),
    customFlag<ThrottleDevice[]>('device-write-iops', 'Limit write rate (IO per second) to a device', 'list', [], (v, cur) => [...cur, parseThrottleIOpsDevice(v)], { defText: '[]' }),
    customFlag<number>('io-maxbandwidth', 'Maximum IO bandwidth limit for the system drive (Windows only)', 'bytes', 0, (v) => parseMemBytes(v), { defText: '0' }),
    intFlag('io-maxiops', 'Maximum IOps limit for the system drive (Windows only)', { unsigned: true }),
    bytesFlag('kernel-memory', 'Kernel memory limit'),
    bytesFlag('memory', 'Memory limit', { short: 'm' }),
    bytesFlag('memory-reservation', 'Memory soft limit'),
    bytesFlag('memory-swap', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", { swap: true }),
    intFlag('memory-swappiness', 'Tune container memory swappiness (0 to 100)', { def: -1, type: 'int64' }),
    boolFlag('oom-kill-disable', 'Disable OOM Killer'),
    intFlag('oom-score-adj', "Tune host's OOM preferences (-1000 to 1000)", { type: 'int' }),
    intFlag('pids-limit', 'Tune container pids limit (set -1 for unlimited)', { type: 'int64' }),
    // Low-level execution
    stringFlag('cgroup-parent', 'Optional parent cgroup for the container'),
    stringFlag('ipc', 'IPC mode to use'),
    stringFlag('isolation', 'Container isolation technology'),
    stringFlag('pid', 'PID namespace to use'),
    bytesFlag('shm-size', 'Size of /dev/shm'),
    stringFlag('uts', 'UTS namespace to use'),
    stringFlag('runtime', 'Runtime to use for this container'),
    boolFlag('init', 'Run an init inside the container that forwards signals and reaps processes'),
    mapFlag('annotation', 'Add an annotation to the container (passed through to the OCI runtime)'),
  ];
}
