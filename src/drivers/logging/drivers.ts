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

/** dockerd's wording for what its driver's New() refuses: at start there, at create here (nothing is left behind). */
const INIT = 'failed to initialize logging driver: ';
const initError = (msg: string) => new InvalidArgumentError(INIT + msg);

/** Go's strconv.ParseBool; the error text is Go's. */
function parseBool(v: string): boolean {
  if (/^(1|t|T|TRUE|true|True)$/.test(v)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(v)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** Go's strconv.Atoi (no spaces; an optional sign); the error text is Go's. */
function atoi(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}

const why = (err: unknown) => (err as Error).message;

/**
 * dockerd's jsonfilelog.New: max-size (go-units FromHumanSize, > 0), max-file (≥ 1, default 1 there) and compress,
 * which needs an explicit max-size and max-file ≥ 2. berth's extension: `max-size=-1` is unlimited (its default is
 * capped, see DEFAULT_LOG_CONFIG; dockerd's is unlimited).
 */
function jsonFiles(opts: Record<string, string>): LogConfig & { compress: boolean } {
  const cfg = { ...DEFAULT_LOG_CONFIG, compress: false };
  let sizeSet = false;
  const size = opts['max-size'];
  if (size !== undefined) {
    if (size.trim() === '-1') cfg.maxSize = 0;
    else {
      try {
        cfg.maxSize = parseHumanSize(size);
      } catch (err) {
        throw initError(why(err));
      }
      if (cfg.maxSize <= 0) throw initError('max-size must be a positive number');
      sizeSet = true;
    }
  }
  let maxFiles = 1;
  if (opts['max-file'] !== undefined) {
    try {
      maxFiles = atoi(opts['max-file']);
    } catch (err) {
      throw initError(why(err));
    }
    if (maxFiles < 1) throw initError('max-file cannot be less than 1');
    cfg.maxFile = maxFiles;
  }
  if (opts.compress !== undefined) {
    try {
      cfg.compress = parseBool(opts.compress);
    } catch (err) {
      throw initError(why(err));
    }
    if (cfg.compress && (maxFiles === 1 || !sizeSet)) throw initError('compress cannot be true when max-file is less than 2 or max-size is not set');
  }
  return cfg;
}

/** dockerd's local driver: New parses max-size, max-file and compress, then validateConfig checks them. */
function localFiles(opts: Record<string, string>): LogConfig & { compress: boolean } {
  const cfg = { maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true };
  const size = opts['max-size'];
  if (size !== undefined) {
    try {
      cfg.maxSize = parseHumanSize(size);
    } catch (err) {
      throw initError(`invalid value for max-size: ${size}: ${why(err)}`);
    }
  }
  const files = opts['max-file'];
  if (files !== undefined) {
    try {
      cfg.maxFile = atoi(files);
    } catch (err) {
      throw initError(`invalid value for max-file: ${files}: ${why(err)}`);
    }
  }
  if (opts.compress !== undefined) {
    try {
      cfg.compress = parseBool(opts.compress);
    } catch (err) {
      throw initError(`error reading compress log option: ${why(err)}`);
    }
  }
  if (cfg.maxSize < 0) throw initError('max size should be a positive number');
  if (cfg.maxFile < 0) throw initError('max file count cannot be less than 0');
  if (cfg.compress && cfg.maxFile <= 1) throw initError('compression cannot be enabled when max file count is 1');
  // dockerd keeps one file for max-file 0
  cfg.maxFile = Math.max(1, cfg.maxFile);
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
  if (driver === 'none') return { driver, files: undefined };
  // common options first, as dockerd's logger.ValidateLogOpts: mode, max-buffer-size, then the driver's name
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
  if (!(LOG_DRIVERS as readonly string[]).includes(driver)) throw new InvalidArgumentError(`logger: no log driver named '${driver}' is registered`);
  delete opts.mode;
  delete opts['max-buffer-size'];
  switch (driver) {
    case 'json-file':
    case 'k8s-file':
      checkKeys(opts, [...FILE_OPTS, ...ATTRS], (k) => `unknown log opt '${k}' for ${driver} log driver`);
      return { driver, files: jsonFiles(opts) };
    case 'local':
      checkKeys(opts, [...FILE_OPTS, ...ATTRS], (k) => `unknown log opt '${k}' for log driver local`);
      return { driver, files: localFiles(opts) };
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
