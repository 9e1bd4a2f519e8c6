import { InvalidArgumentError } from '../../common/errors.ts';
import { parseRamBytes } from '../container/units.ts';

/**
 * berthd's configuration: dockerd's flags and daemon.json keys for what berth implements. Pure: parsing the
 * command line and the JSON file, merging them with dockerd's rules (a key set both as a flag and in the file is
 * an error; unknown keys are an error), validation, and which keys SIGHUP may reload.
 */
export interface RuntimeEntry {
  path: string;
  runtimeArgs?: string[];
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface DaemonConfig {
  hosts: string[];
  'data-root': string;
  'exec-root': string;
  pidfile: string;
  debug: boolean;
  'log-level': string;
  tls: boolean;
  tlsverify: boolean;
  tlscacert: string;
  tlscert: string;
  tlskey: string;
  'default-runtime': string;
  runtimes: Record<string, RuntimeEntry>;
  'live-restore': boolean;
  'log-driver': string;
  'log-opts': Record<string, string>;
  'default-ulimits': Record<string, Ulimit>;
  'shutdown-timeout': number;
  init: boolean;
  'init-path': string;
  'storage-driver': string;
  bip: string;
  'fixed-cidr': string;
  iptables: boolean;
  'ip-forward': boolean;
  'ip-masq': boolean;
  icc: boolean;
  dns: string[];
  'dns-search': string[];
  'dns-opts': string[];
  labels: string[];
  'cgroup-parent': string;
  'registry-mirrors': string[];
  'insecure-registries': string[];
  'allow-nondistributable-artifacts': string[];
  'max-concurrent-downloads': number;
  'max-concurrent-uploads': number;
  'max-download-attempts': number;
  'default-address-pools': { base: string; size: number }[];
  ip: string;
  'userland-proxy': boolean;
  ipv6: boolean;
  'fixed-cidr-v6': string;
  'default-gateway': string;
  'default-gateway-v6': string;
  mtu: number;
  'published-ports-obey-input': boolean;
  'default-ipc-mode': string;
  'default-cgroupns-mode': string;
  'default-shm-size': string;
  /** `default`, `user`, `user:group`, `uid` or `uid:gid`: run containers in a user namespace ("" = off). */
  'userns-remap': string;
  /** The containers' default seccomp profile: "" or `builtin` (Docker's), `unconfined`, or a JSON file's path. */
  'seccomp-profile': string;
  /** Set no-new-privileges for containers that do not say otherwise. */
  'no-new-privileges': boolean;
}

export const DEFAULT_CONFIG_FILE = '/etc/berth/daemon.json';

export function defaultConfig(): DaemonConfig {
  return {
    hosts: [],
    'data-root': '/var/lib/berth',
    'exec-root': '/run/berth',
    pidfile: '/run/berth.pid',
    debug: false,
    'log-level': 'info',
    tls: false,
    tlsverify: false,
    tlscacert: '',
    tlscert: '',
    tlskey: '',
    'default-runtime': '',
    runtimes: {},
    'live-restore': false,
    'log-driver': 'json-file',
    'log-opts': {},
    'default-ulimits': {},
    'shutdown-timeout': 15,
    init: false,
    'init-path': '',
    'storage-driver': 'overlay2',
    bip: '',
    'fixed-cidr': '',
    iptables: true,
    'ip-forward': true,
    'ip-masq': true,
    icc: true,
    dns: [],
    'dns-search': [],
    'dns-opts': [],
    labels: [],
    'cgroup-parent': '',
    'registry-mirrors': [],
    'insecure-registries': [],
    'allow-nondistributable-artifacts': [],
    'max-concurrent-downloads': 3,
    'max-concurrent-uploads': 5,
    'max-download-attempts': 5,
    'default-address-pools': [],
    ip: '0.0.0.0',
    'userland-proxy': true,
    ipv6: false,
    'fixed-cidr-v6': '',
    'default-gateway': '',
    'default-gateway-v6': '',
    mtu: 0,
    'published-ports-obey-input': false,
    'default-ipc-mode': 'private',
    'default-cgroupns-mode': 'host',
    'default-shm-size': '64M',
    'userns-remap': '',
    'seccomp-profile': '',
    'no-new-privileges': false,
  };
}

type Kind = 'string' | 'bool' | 'list' | 'map' | 'int' | 'runtime' | 'ulimit' | 'pool';
interface FlagSpec {
  key: keyof DaemonConfig;
  kind: Kind;
  short?: string;
}

/** Flag name → config key, as dockerd names them. */
const FLAGS: Record<string, FlagSpec> = {
  host: { key: 'hosts', kind: 'list', short: 'H' },
  'data-root': { key: 'data-root', kind: 'string' },
  'exec-root': { key: 'exec-root', kind: 'string' },
  pidfile: { key: 'pidfile', kind: 'string', short: 'p' },
  debug: { key: 'debug', kind: 'bool', short: 'D' },
  'log-level': { key: 'log-level', kind: 'string', short: 'l' },
  tls: { key: 'tls', kind: 'bool' },
  tlsverify: { key: 'tlsverify', kind: 'bool' },
  tlscacert: { key: 'tlscacert', kind: 'string' },
  tlscert: { key: 'tlscert', kind: 'string' },
  tlskey: { key: 'tlskey', kind: 'string' },
  'default-runtime': { key: 'default-runtime', kind: 'string' },
  'add-runtime': { key: 'runtimes', kind: 'runtime' },
  'live-restore': { key: 'live-restore', kind: 'bool' },
  'log-driver': { key: 'log-driver', kind: 'string' },
  'log-opt': { key: 'log-opts', kind: 'map' },
  'default-ulimit': { key: 'default-ulimits', kind: 'ulimit' },
  'shutdown-timeout': { key: 'shutdown-timeout', kind: 'int' },
  init: { key: 'init', kind: 'bool' },
  'init-path': { key: 'init-path', kind: 'string' },
  'storage-driver': { key: 'storage-driver', kind: 'string', short: 's' },
  bip: { key: 'bip', kind: 'string' },
  'fixed-cidr': { key: 'fixed-cidr', kind: 'string' },
  iptables: { key: 'iptables', kind: 'bool' },
  'ip-forward': { key: 'ip-forward', kind: 'bool' },
  'ip-masq': { key: 'ip-masq', kind: 'bool' },
  icc: { key: 'icc', kind: 'bool' },
  dns: { key: 'dns', kind: 'list' },
  'dns-search': { key: 'dns-search', kind: 'list' },
  'dns-opt': { key: 'dns-opts', kind: 'list' },
  label: { key: 'labels', kind: 'list' },
  'cgroup-parent': { key: 'cgroup-parent', kind: 'string' },
  'registry-mirror': { key: 'registry-mirrors', kind: 'list' },
  'insecure-registry': { key: 'insecure-registries', kind: 'list' },
  'allow-nondistributable-artifacts': { key: 'allow-nondistributable-artifacts', kind: 'list' },
  'max-concurrent-downloads': { key: 'max-concurrent-downloads', kind: 'int' },
  'max-concurrent-uploads': { key: 'max-concurrent-uploads', kind: 'int' },
  'max-download-attempts': { key: 'max-download-attempts', kind: 'int' },
  'default-address-pool': { key: 'default-address-pools', kind: 'pool' },
  ip: { key: 'ip', kind: 'string' },
  'userland-proxy': { key: 'userland-proxy', kind: 'bool' },
  ipv6: { key: 'ipv6', kind: 'bool' },
  'fixed-cidr-v6': { key: 'fixed-cidr-v6', kind: 'string' },
  'default-gateway': { key: 'default-gateway', kind: 'string' },
  'default-gateway-v6': { key: 'default-gateway-v6', kind: 'string' },
  mtu: { key: 'mtu', kind: 'int' },
  'published-ports-obey-input': { key: 'published-ports-obey-input', kind: 'bool' },
  'default-ipc-mode': { key: 'default-ipc-mode', kind: 'string' },
  'default-cgroupns-mode': { key: 'default-cgroupns-mode', kind: 'string' },
  'default-shm-size': { key: 'default-shm-size', kind: 'string' },
  'userns-remap': { key: 'userns-remap', kind: 'string' },
  'seccomp-profile': { key: 'seccomp-profile', kind: 'string' },
  'no-new-privileges': { key: 'no-new-privileges', kind: 'bool' },
};

/** Keys SIGHUP reloads (a subset of dockerd's reloadable set, for what berth implements). */
export const RELOADABLE: readonly (keyof DaemonConfig)[] = [
  'debug',
  'log-level',
  'live-restore',
  'default-runtime',
  'runtimes',
  'shutdown-timeout',
  'labels',
  'default-ulimits',
  'registry-mirrors',
  'insecure-registries',
  'allow-nondistributable-artifacts',
  'max-concurrent-downloads',
  'max-concurrent-uploads',
  'max-download-attempts',
];

export interface ParsedArgs {
  /** Keys set on the command line, with their values. */
  flags: Partial<DaemonConfig>;
  configFile: string;
  /** --config-file given explicitly (then a missing file is an error). */
  configFileExplicit: boolean;
  help: boolean;
  version: boolean;
  validate: boolean;
}

const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

export function parseUlimit(s: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid ulimit argument: ${s}`);
  const name = m[1]!;
  if (!ULIMIT_NAMES.includes(name)) throw new InvalidArgumentError(`invalid ulimit type: ${name}`);
  const soft = Number(m[2]);
  const hard = m[3] !== undefined ? Number(m[3]) : soft;
  if (soft > hard && hard !== -1) throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

function parseBool(flag: string, v: string): boolean {
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(v)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(v)) return false;
  throw new InvalidArgumentError(`invalid argument "${v}" for "--${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function apply(cfg: Partial<DaemonConfig>, name: string, spec: FlagSpec, value: string): void {
  const c = cfg as Record<string, unknown>;
  switch (spec.kind) {
    case 'string':
      c[spec.key] = value;
      break;
    case 'bool':
      c[spec.key] = parseBool(name, value);
      break;
    case 'int': {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid argument "${value}" for "--${name}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
      c[spec.key] = n;
      break;
    }
    case 'list':
      c[spec.key] = [...((c[spec.key] as string[] | undefined) ?? []), value];
      break;
    case 'map': {
      const i = value.indexOf('=');
      if (i <= 0) throw new InvalidArgumentError(`invalid argument "${value}" for "--${name}" flag: invalid key value pair format in driver options`);
      c[spec.key] = { ...((c[spec.key] as Record<string, string> | undefined) ?? {}), [value.slice(0, i)]: value.slice(i + 1) };
      break;
    }
    case 'runtime': {
      const i = value.indexOf('=');
      if (i <= 0) throw new InvalidArgumentError(`invalid argument "${value}" for "--${name}" flag: invalid runtime argument: ${value}`);
      c[spec.key] = { ...((c[spec.key] as Record<string, RuntimeEntry> | undefined) ?? {}), [value.slice(0, i)]: { path: value.slice(i + 1) } };
      break;
    }
    case 'pool': {
      // dockerd: --default-address-pool base=10.10.0.0/16,size=24
      const kv = Object.fromEntries(value.split(',').map((p) => p.split('=') as [string, string]));
      const size = Number(kv.size);
      if (!kv.base || !Number.isInteger(size)) throw new InvalidArgumentError(`invalid argument "${value}" for "--${name}" flag: invalid pool format, want base=<cidr>,size=<prefix length>`);
      c[spec.key] = [...((c[spec.key] as { base: string; size: number }[] | undefined) ?? []), { base: kv.base, size }];
      break;
    }
    case 'ulimit': {
      const u = parseUlimit(value);
      c[spec.key] = { ...((c[spec.key] as Record<string, Ulimit> | undefined) ?? {}), [u.Name]: u };
      break;
    }
  }
}

/** Parses berthd's command line (dockerd's pflag conventions: --flag value, --flag=value, -H value, -D). */
export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { flags: {}, configFile: DEFAULT_CONFIG_FILE, configFileExplicit: false, help: false, version: false, validate: false };
  const byShort = new Map(Object.entries(FLAGS).filter(([, s]) => s.short).map(([n, s]) => [s.short!, n]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (arg.startsWith('-') && arg.length >= 2) {
      const s = arg[1]!;
      if (s === 'h') {
        out.help = true;
        continue;
      }
      if (s === 'v') {
        out.version = true;
        continue;
      }
      const long = byShort.get(s);
      if (!long) throw new InvalidArgumentError(`unknown shorthand flag: '${s}' in ${arg}`);
      name = long;
      const rest = arg.slice(2);
      inline = rest.startsWith('=') ? rest.slice(1) : rest || undefined;
    } else {
      throw new InvalidArgumentError(`berthd does not take positional arguments, got "${arg}"`);
    }
    if (name === 'help') {
      out.help = true;
      continue;
    }
    if (name === 'version') {
      out.version = true;
      continue;
    }
    if (name === 'validate') {
      out.validate = true;
      continue;
    }
    if (name === 'config-file') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new InvalidArgumentError('flag needs an argument: --config-file');
      out.configFile = v;
      out.configFileExplicit = true;
      continue;
    }
    const spec = FLAGS[name];
    if (!spec) throw new InvalidArgumentError(`unknown flag: --${name}`);
    let value: string;
    if (spec.kind === 'bool') {
      value = inline ?? 'true';
    } else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new InvalidArgumentError(`flag needs an argument: --${name}`);
      value = v;
    }
    apply(out.flags, name, spec, value);
  }
  return out;
}

const FILE_KEYS = new Set<string>(Object.keys(defaultConfig()));

/** Validates the JSON of daemon.json: unknown keys and wrong types are refused, as dockerd does. */
export function parseConfigFile(text: string, path: string): Partial<DaemonConfig> {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`unable to configure the Docker daemon with file ${path}: ${(err as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new InvalidArgumentError(`unable to configure the Docker daemon with file ${path}: expected a JSON object`);
  const unknown = Object.keys(obj).filter((k) => !FILE_KEYS.has(k));
  if (unknown.length > 0) throw new InvalidArgumentError(`the following directives don't match any configuration option: ${unknown.sort().join(', ')}`);
  const dflt = defaultConfig() as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const d = dflt[k];
    const bad = () => new InvalidArgumentError(`unable to configure the Docker daemon with file ${path}: invalid type for "${k}": ${JSON.stringify(v)}`);
    if (typeof d === 'boolean' && typeof v !== 'boolean') throw bad();
    if (typeof d === 'number' && typeof v !== 'number') throw bad();
    if (typeof d === 'string' && typeof v !== 'string') throw bad();
    if (k === 'default-address-pools') {
      if (!Array.isArray(v) || !v.every((x) => x && typeof x === 'object' && typeof (x as { base?: unknown }).base === 'string' && Number.isInteger((x as { size?: unknown }).size))) throw bad();
    } else if (Array.isArray(d) && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw bad();
    if (d && typeof d === 'object' && !Array.isArray(d) && (v === null || typeof v !== 'object' || Array.isArray(v))) throw bad();
    if (k === 'runtimes') {
      for (const [n, r] of Object.entries(v as Record<string, unknown>)) {
        if (!r || typeof r !== 'object' || typeof (r as RuntimeEntry).path !== 'string') throw new InvalidArgumentError(`unable to configure the Docker daemon with file ${path}: runtime "${n}" needs a "path"`);
      }
    }
    out[k] = v;
  }
  return out as Partial<DaemonConfig>;
}

/** dockerd's rule: a directive given both as a flag and in the file is an error. */
export function mergeConfig(flags: Partial<DaemonConfig>, file: Partial<DaemonConfig>, path: string): DaemonConfig {
  const both = Object.keys(flags).filter((k) => k in file);
  if (both.length > 0) {
    const detail = both
      .map((k) => `${k}: (from flag: ${fmt((flags as Record<string, unknown>)[k])}, from file: ${fmt((file as Record<string, unknown>)[k])})`)
      .join(', ');
    throw new InvalidArgumentError(`unable to configure the Docker daemon with file ${path}: the following directives are specified both as a flag and in the configuration file: ${detail}`);
  }
  const cfg = { ...defaultConfig(), ...file, ...flags };
  validateConfig(cfg);
  return cfg;
}

function fmt(v: unknown): string {
  if (Array.isArray(v)) return `[${v.join(' ')}]`;
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];
const BUILTIN_RUNTIMES = ['crun', 'runc'];

export function validateConfig(cfg: DaemonConfig): void {
  if (!LOG_LEVELS.includes(cfg['log-level'])) throw new InvalidArgumentError(`unable to parse logging level: ${cfg['log-level']}`);
  if (cfg['storage-driver'] !== 'overlay2') throw new InvalidArgumentError(`error initializing graphdriver: driver not supported: ${cfg['storage-driver']} (berth supports overlay2)`);
  if (!['json-file', 'k8s-file', 'local', 'none'].includes(cfg['log-driver'])) throw new InvalidArgumentError(`logger: no log driver named '${cfg['log-driver']}' is registered`);
  for (const k of Object.keys(cfg['log-opts'])) {
    if (!['max-size', 'max-file', 'labels', 'labels-regex', 'env', 'env-regex', 'tag', 'compress', 'mode', 'max-buffer-size'].includes(k)) {
      throw new InvalidArgumentError(cfg['log-driver'] === 'local' ? `unknown log opt '${k}' for log driver local` : `unknown log opt '${k}' for ${cfg['log-driver']} log driver`);
    }
  }
  for (const name of Object.keys(cfg.runtimes)) {
    if (BUILTIN_RUNTIMES.includes(name)) throw new InvalidArgumentError(`runtime name '${name}' is reserved`);
  }
  if (cfg['default-runtime'] && !BUILTIN_RUNTIMES.includes(cfg['default-runtime']) && !(cfg['default-runtime'] in cfg.runtimes)) {
    throw new InvalidArgumentError(`specified default runtime '${cfg['default-runtime']}' does not exist`);
  }
  for (const h of cfg.hosts) parseHost(h);
  if (!['private', 'shareable'].includes(cfg['default-ipc-mode'])) throw new InvalidArgumentError(`invalid default-ipc-mode: ${cfg['default-ipc-mode']}: only private and shareable are allowed`);
  parseRamBytes(cfg['default-shm-size']);
  if (!['private', 'host'].includes(cfg['default-cgroupns-mode'])) throw new InvalidArgumentError(`invalid default-cgroupns-mode: ${cfg['default-cgroupns-mode']}: only private and host are allowed`);
  if (cfg['shutdown-timeout'] < 0) throw new InvalidArgumentError('invalid shutdown-timeout: must be 0 or more');
  for (const k of ['max-concurrent-downloads', 'max-concurrent-uploads'] as const) {
    if (cfg[k] < 1) throw new InvalidArgumentError(`invalid ${k}: ${cfg[k]}`);
  }
  if (cfg['max-download-attempts'] < 1) throw new InvalidArgumentError(`invalid max-download-attempts: ${cfg['max-download-attempts']}`);
}

/** Normalizes a -H value as dockerd does: unix:///path, tcp://host:port (default port 2375, or 2376 with TLS). */
export function parseHost(h: string, tls = false): string {
  if (h === '') return 'unix:///run/berth/berth.sock';
  if (h.startsWith('unix://')) {
    const p = h.slice('unix://'.length);
    return `unix://${p || '/run/berth/berth.sock'}`;
  }
  if (h.startsWith('/')) return `unix://${h}`;
  if (h.startsWith('tcp://') || /^[^:/]*:\d*$/.test(h)) {
    const rest = h.replace(/^tcp:\/\//, '');
    const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?(\/.*)?$/.exec(rest);
    if (!m || (m[3] && m[3] !== '/')) throw new InvalidArgumentError(`invalid bind address format: ${h}`);
    const host = m[1] || '127.0.0.1';
    const port = m[2] || (tls ? '2376' : '2375');
    if (Number(port) > 65535) throw new InvalidArgumentError(`invalid bind address format: ${h}`);
    return `tcp://${host}:${port}`;
  }
  if (h.startsWith('fd://')) throw new InvalidArgumentError('fd:// hosts (socket activation) are not supported by berthd');
  throw new InvalidArgumentError(`Invalid bind address format: ${h}`);
}
