import { InvalidArgumentError } from '../../common/errors.ts';
import { parseSeccompProfile, type SeccompProfile } from './seccomp.ts';

/**
 * The daemon's security defaults for containers (dockerd's `seccomp-profile` and `no-new-privileges`). Pure: the
 * caller reads the profile file.
 */
export type DaemonSeccomp = { mode: 'builtin' } | { mode: 'unconfined' } | { mode: 'profile'; path: string; profile: SeccompProfile };

/** What a `seccomp-profile` value names: Docker's profile ("" or `builtin`), none (`unconfined`), or a file. */
export function seccompProfileSource(value: string): 'builtin' | 'unconfined' | 'file' {
  if (value === '' || value === 'builtin') return 'builtin';
  if (value === 'unconfined') return 'unconfined';
  return 'file';
}

/** The daemon's default profile from the `seccomp-profile` value and, for a file, its text (checked now). */
export function daemonSeccomp(value: string, fileText?: string): DaemonSeccomp {
  const src = seccompProfileSource(value);
  if (src !== 'file') return { mode: src };
  if (fileText === undefined) throw new InvalidArgumentError(`opening seccomp profile (${value}) failed: no such file or directory`);
  try {
    return { mode: 'profile', path: value, profile: parseSeccompProfile(fileText) };
  } catch (err) {
    throw new InvalidArgumentError(`loading seccomp profile (${value}) failed: ${(err as Error).message}`);
  }
}

/** The profile name `docker info` shows in SecurityOptions (`name=seccomp,profile=<this>`). */
export function seccompProfileName(d: DaemonSeccomp): string {
  return d.mode === 'profile' ? d.path : d.mode;
}

/**
 * Whether a container's `--security-opt` list sets no-new-privileges itself (`no-new-privileges`,
 * `no-new-privileges=<bool>` or the deprecated `no-new-privileges:<bool>`): then the daemon's default does not apply.
 */
export function setsNoNewPrivileges(securityOpt: readonly string[] | null | undefined): boolean {
  return (securityOpt ?? []).some((o) => o === 'no-new-privileges' || o.startsWith('no-new-privileges=') || o.startsWith('no-new-privileges:'));
}

/** Whether a container's `--security-opt` list names a seccomp profile itself (then the daemon's default does not apply). */
export function setsSeccomp(securityOpt: readonly string[] | null | undefined): boolean {
  return (securityOpt ?? []).some((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'));
}
