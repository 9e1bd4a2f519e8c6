import { InvalidArgumentError } from '../../common/errors.ts';

/** Health checks (moby daemon/health.go), pure: configuration rules, probe command, state transitions. */

/** Config.Healthcheck; durations in nanoseconds, 0 = the default. */
export interface HealthConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface HealthResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** State.Health as inspect shows it. */
export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthResult[];
}

const S = 1e9;
export const HEALTH_DEFAULTS = { interval: 30 * S, timeout: 30 * S, startPeriod: 0, startInterval: 5 * S, retries: 3 };
/** Longest probe output kept, in bytes. */
export const MAX_OUTPUT = 4096;
/** Results kept in State.Health.Log. */
export const MAX_LOG_ENTRIES = 5;
const MIN_DURATION = 1e6;

/** Go's time.Duration String(): 1500000000 → "1.5s", 90s → "1m30s", 500ms → "500ms". */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(Math.round(ns));
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trimFloat(n / 1e3)}µs`;
  else if (n < 1e9) out = `${trimFloat(n / 1e6)}ms`;
  else {
    const h = Math.floor(n / 3600e9);
    n -= h * 3600e9;
    const m = Math.floor(n / 60e9);
    n -= m * 60e9;
    const s = `${trimFloat(n / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(x: number): string {
  return String(Number(x.toFixed(9)));
}

/** The create-time checks of Config.Healthcheck (moby's verifyContainerSettings). */
export function validateHealthcheck(h: HealthConfig | undefined, apiVersion = 1.47): void {
  if (!h) return;
  const min = goDuration(MIN_DURATION);
  const check = (v: number | undefined, what: string) => {
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`json: cannot unmarshal into Go struct field HealthConfig.Healthcheck.${what} of type time.Duration`);
    if (v !== 0 && v < MIN_DURATION) throw new InvalidArgumentError(`${what} in Healthcheck cannot be less than ${min}`);
  };
  check(h.Interval, 'Interval');
  check(h.Timeout, 'Timeout');
  if (h.Retries !== undefined && h.Retries < 0) throw new InvalidArgumentError('Retries in Healthcheck cannot be negative');
  check(h.StartPeriod, 'StartPeriod');
  if (apiVersion >= 1.44) check(h.StartInterval, 'StartInterval');
  if (h.Test !== undefined && h.Test !== null && (!Array.isArray(h.Test) || !h.Test.every((t) => typeof t === 'string'))) {
    throw new InvalidArgumentError('json: cannot unmarshal into Go struct field HealthConfig.Healthcheck.Test of type []string');
  }
}

/** moby's merge of the image's HEALTHCHECK into the container's: each unset field comes from the image. */
export function mergeHealthcheck(user: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (!user) return image ? { ...image } : undefined;
  if (!image) return user;
  const out = { ...user };
  if (!out.Test || out.Test.length === 0) out.Test = image.Test;
  if (!out.Interval) out.Interval = image.Interval;
  if (!out.Timeout) out.Timeout = image.Timeout;
  if (!out.StartPeriod) out.StartPeriod = image.StartPeriod;
  if (!out.StartInterval) out.StartInterval = image.StartInterval;
  if (!out.Retries) out.Retries = image.Retries;
  return out;
}

/** The probe's argv, or undefined when there is no check (none configured, `NONE`, unknown type). */
export function probeCommand(h: HealthConfig | undefined, shell: readonly string[] = ['/bin/sh', '-c']): string[] | undefined {
  const t = h?.Test;
  if (!t || t.length === 0) return undefined;
  const args = t.slice(1);
  if (t[0] === 'CMD') return args.length ? args : undefined;
  if (t[0] === 'CMD-SHELL') return args.length ? [...shell, ...args] : undefined;
  return undefined;
}

function withDefault(v: number | undefined, d: number): number {
  return v && v > 0 ? v : d;
}

/** Delay (ms) before the next probe: the start interval while starting within the start period. */
export function nextProbeDelayMs(h: HealthConfig, startedAtMs: number, nowMs: number, status: HealthStatus): number {
  const interval = withDefault(h.Interval, HEALTH_DEFAULTS.interval);
  const startPeriod = withDefault(h.StartPeriod, HEALTH_DEFAULTS.startPeriod);
  if ((nowMs - startedAtMs) * 1e6 >= startPeriod || status !== 'starting') return interval / 1e6;
  return withDefault(h.StartInterval, HEALTH_DEFAULTS.startInterval) / 1e6;
}

export function probeTimeoutMs(h: HealthConfig): number {
  return withDefault(h.Timeout, HEALTH_DEFAULTS.timeout) / 1e6;
}

/**
 * Applies one probe result (moby's handleProbeResult): exit 0 → healthy and the streak reset; a failure counts
 * unless the container is still starting within its start period; `retries` failures in a row → unhealthy.
 * Keeps the last 5 results.
 */
export function applyProbeResult(
  prev: HealthState,
  r: HealthResult,
  h: HealthConfig,
  startedAtMs: number,
): { state: HealthState; changed: boolean } {
  const retries = withDefault(h.Retries, HEALTH_DEFAULTS.retries);
  const log = [...prev.Log, r].slice(-MAX_LOG_ENTRIES);
  const state: HealthState = { Status: prev.Status, FailingStreak: prev.FailingStreak, Log: log };
  if (r.ExitCode === 0) {
    state.FailingStreak = 0;
    state.Status = 'healthy';
  } else {
    let count = true;
    if (prev.Status === 'starting') {
      const sinceStartNs = (Date.parse(r.Start) - startedAtMs) * 1e6;
      if (sinceStartNs < withDefault(h.StartPeriod, HEALTH_DEFAULTS.startPeriod)) count = false;
    }
    if (count) {
      state.FailingStreak++;
      if (state.FailingStreak >= retries) state.Status = 'unhealthy';
    }
  }
  return { state, changed: state.Status !== prev.Status };
}

/** The probe output as dockerd keeps it: at most 4096 bytes, decoded as UTF-8. */
export function limitOutput(chunks: Buffer[]): string {
  return Buffer.concat(chunks).subarray(0, MAX_OUTPUT).toString('utf8');
}
