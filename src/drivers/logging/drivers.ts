import { InvalidArgumentError, NotImplementedError } from '../../common/errors.ts';
import type { LogConfig } from './contract.ts';
import { DEFAULT_LOG_CONFIG, parseHumanSize } from './options.ts';

/**
 * The logging drivers `--log-driver` names, as dockerd registers and validates them. berth's container output is
 * always written by conmon (k8s-file records), so the file drivers differ in their defaults and options only:
 *  - json-file (and k8s-file): berth's capped default (10m × 3, dockerd's is unlimited), `compress` on request;
 *  - local: dockerd's defaults, 20m × 5, compressed rotations;
 *  - none: no log at all (`docker logs` cannot read it);
 *  - syslog, journald: accepted names that need the host's service; refused with a clear error when the host has
 *    none, and refused as not supported by berth when it has one (berth does not forward logs yet).
 */
export const LOG_DRIVERS = ['json-file', 'k8s-file', 'local', 'none', 'syslog', 'journald'] as const;

export interface LogSettings {
  Type: string;
  Config: Record<string, string>;
}

/** What the host offers to the syslog and journald drivers. */
export interface LogHost {
  syslog: boolean;
  journald: boolean;
}

/** The log files of a container, or undefined for no log (`none`). */
export type LogSetup = { driver: string; files: (LogConfig & { compress: boolean }) | undefined };

const ATTRS = ['labels', 'labels-regex', 'env', 'env-regex', 'tag'];
const FILE_OPTS = ['max-size', 'max-file', 'compress'];
const SYSLOG_OPTS = ['syslog-address', 'syslog-facility', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key', 'syslog-tls-skip-verify', 'syslog-format'];
const JOURNALD_OPTS: string[] = [];
/** Options of dockerd's log cache in front of drivers that cannot be read back. */
const CACHE_OPTS = ['cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress'];

/**
 * dockerd's mergeAndVerifyLogConfig: no type means the daemon's; the daemon's log-opts fill in what the container
 * does not set when it uses the daemon's driver.
 */
export function mergeLogSettings(c: LogSettings, daemon: { driver: string; opts: Record<string, string> }): LogSettings {
  const Type = c.Type || daemon.driver || 'json-file';
  const Config = { ...c.Config };
  if (Type === (daemon.driver || 'json-file')) for (const [k, v] of Object.entries(daemon.opts)) if (!(k in Config)) Config[k] = v;
  return { Type, Config };
}

function parseBool(v: string, what: string): boolean {
  if (/^(1|t|T|TRUE|true|True)$/.test(v)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(v)) return false;
  throw new InvalidArgumentError(`${what}strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function parseFiles(driver: string, opts: Record<string, string>): LogConfig & { compress: boolean } {
  const local = driver === 'local';
  const cfg = local ? { maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true } : { ...DEFAULT_LOG_CONFIG, compress: false };
  const size = opts['max-size'];
  if (size !== undefined) {
    if (size.trim() === '-1' && !local) cfg.maxSize = 0;
    else {
      let n: number;
      try {
        n = parseHumanSize(size);
      } catch (err) {
        throw local ? new InvalidArgumentError(`invalid value for max-size: ${size}: ${(err as Error).message}`) : err;
      }
      if (local && n < 0) throw new InvalidArgumentError('max-size must not be negative');
      if (!local && n <= 0) throw new InvalidArgumentError('max-size must be a positive number');
      cfg.maxSize = n;
    }
  }
  const files = opts['max-file'];
  if (files !== undefined) {
    if (!/^-?\d+$/.test(files.trim())) {
      const why = `strconv.Atoi: parsing "${files}": invalid syntax`;
      throw new InvalidArgumentError(local ? `invalid value for max-file: ${files}: ${why}` : why);
    }
    cfg.maxFile = Number(files);
    if (local && cfg.maxFile < 0) throw new InvalidArgumentError('max-file must not be negative');
    if (!local && cfg.maxFile < 1) throw new InvalidArgumentError('max-file cannot be less than 1');
    if (local && cfg.maxFile === 0) cfg.maxFile = 1;
  }
  if (opts.compress !== undefined) cfg.compress = parseBool(opts.compress, local ? 'invalid boolean value for compress: ' : '');
  if (cfg.compress) {
    if (local && cfg.maxFile <= 1) throw new InvalidArgumentError('compression cannot be enabled when max file count is 1');
    // dockerd's json-file wants max-size and max-file ≥ 2 set; berth's default is capped already, so only a
    // single file or an unlimited size is refused
    if (!local && (cfg.maxFile < 2 || cfg.maxSize === 0)) {
      throw new InvalidArgumentError('compress cannot be true when max-file is less than 2 or max-size is not set');
    }
  }
  return cfg;
}

function checkKeys(opts: Record<string, string>, allowed: string[], message: (k: string) => string): void {
  for (const k of Object.keys(opts)) if (!allowed.includes(k)) throw new InvalidArgumentError(message(k));
}

/**
 * Validates a container's (merged) log settings with dockerd's messages and returns what to set up. `host` tells
 * whether the syslog and journald services exist here.
 */
export function logSetup(s: LogSettings, host: LogHost): LogSetup {
  const driver = s.Type || 'json-file';
  const opts = { ...s.Config };
  if (!(LOG_DRIVERS as readonly string[]).includes(driver)) throw new InvalidArgumentError(`logger: no log driver named '${driver}' is registered`);
  if (driver === 'none') return { driver, files: undefined };
  // common options (logger.ValidateLogOpts): mode, max-buffer-size
  const mode = opts.mode;
  if (mode !== undefined && mode !== '' && mode !== 'blocking' && mode !== 'non-blocking') throw new InvalidArgumentError(`logger: logging mode not supported: ${mode}`);
  if (opts['max-buffer-size'] !== undefined) {
    if (mode !== 'non-blocking') throw new InvalidArgumentError("logger: max-buffer-size option is only supported with 'mode=non-blocking'");
    try {
      parseHumanSize(opts['max-buffer-size']);
    } catch (err) {
      throw new InvalidArgumentError(`error parsing option max-buffer-size: ${(err as Error).message}`);
    }
  }
  delete opts.mode;
  delete opts['max-buffer-size'];
  switch (driver) {
    case 'json-file':
    case 'k8s-file':
      checkKeys(opts, [...FILE_OPTS, ...ATTRS], (k) => `unknown log opt '${k}' for ${driver} log driver`);
      return { driver, files: parseFiles(driver, opts) };
    case 'local':
      checkKeys(opts, [...FILE_OPTS, ...ATTRS], (k) => `unknown log opt '${k}' for log driver local`);
      return { driver, files: parseFiles(driver, opts) };
    case 'syslog':
      checkKeys(opts, [...SYSLOG_OPTS, ...ATTRS, ...CACHE_OPTS], (k) => `unknown log opt '${k}' for syslog log driver`);
      if (!opts['syslog-address'] && !host.syslog) {
        throw new InvalidArgumentError('failed to initialize logging driver: Unix syslog delivery error: this host has no syslog service (no /dev/log); use --log-opt syslog-address=… or another logging driver');
      }
      throw new NotImplementedError('logging driver "syslog" is not supported by berth: container output is kept by conmon (use json-file or local)');
    case 'journald':
      checkKeys(opts, [...JOURNALD_OPTS, ...ATTRS, ...CACHE_OPTS], (k) => `unknown log opt '${k}' for journald log driver`);
      if (!host.journald) throw new InvalidArgumentError('failed to initialize logging driver: journald is not enabled on this host');
      throw new NotImplementedError('logging driver "journald" is not supported by berth: container output is kept by conmon (use json-file or local)');
  }
  throw new InvalidArgumentError(`logger: no log driver named '${driver}' is registered`);
}

/** The host's syslog socket and journald, as dockerd's drivers look for them. */
export function probeLogHost(exists: (p: string) => boolean): LogHost {
  return { syslog: ['/dev/log', '/var/run/syslog', '/var/run/log'].some(exists), journald: exists('/run/systemd/journal/socket') };
}
