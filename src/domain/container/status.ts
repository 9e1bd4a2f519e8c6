import { InvalidArgumentError } from '../../common/errors.ts';
import type { ContainerState } from './types.ts';
import { ZERO_TIME } from './types.ts';

/** go-units HumanDuration, as Docker prints durations. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3600000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3600000 / 24 / 365)} years`;
}

/** The human Status of `docker ps` (moby container/state.go String()). */
export function statusText(s: ContainerState, now = Date.now(), health?: string): string {
  if (s.Running) {
    if (s.Paused) return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
    if (s.Restarting) return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    const h = health && health !== 'none' ? ` (${health === 'starting' ? 'health: starting' : health})` : '';
    return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${h}`;
  }
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Dead) return 'Dead';
  if (s.StartedAt === ZERO_TIME) return 'Created';
  if (s.FinishedAt === ZERO_TIME) return '';
  return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
}

const SIGNALS: Record<string, number> = {
  ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2, IO: 29, IOT: 6, KILL: 9,
  PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11, STKFLT: 16, STOP: 19, SYS: 31, TERM: 15, TRAP: 5,
  TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28, XCPU: 24, XFSZ: 25,
};

/** Parses a signal as Docker does: a number, NAME, SIGNAME, or RTMIN+n. Throws `Invalid signal: X`. */
export function parseSignal(raw: string): number {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n === 0 || n > 64) throw new InvalidArgumentError(`Invalid signal: ${raw}`);
    return n;
  }
  const name = s.toUpperCase().replace(/^SIG/, '');
  if (name in SIGNALS) return SIGNALS[name]!;
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name);
  if (rt) return 34 + Number(rt[1] ?? 0);
  const rtm = /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rtm) return 64 - Number(rtm[1] ?? 0);
  throw new InvalidArgumentError(`Invalid signal: ${raw}`);
}

/** Restart back-off: 100 ms doubling per consecutive failed start, capped at 1 minute (moby restartmanager). */
export function restartDelayMs(consecutive: number): number {
  return Math.min(100 * 2 ** consecutive, 60_000);
}

/** Whether a container that exited should be restarted under its policy. */
export function shouldRestart(policy: { Name: string; MaximumRetryCount: number }, exitCode: number, restartCount: number, manuallyStopped: boolean): boolean {
  if (manuallyStopped) return false;
  switch (policy.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (policy.MaximumRetryCount === 0 || restartCount < policy.MaximumRetryCount);
    default:
      return false;
  }
}
