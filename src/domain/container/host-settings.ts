import { InvalidArgumentError } from '../../common/errors.ts';
import type { ContainerConfig, HostConfig } from './types.ts';

/**
 * dockerd's checks of namespace and other platform settings at create (verifyPlatformContainerSettings,
 * runconfig's validateNetMode) and the defaults it stores in HostConfig (adaptContainerSettings). Pure.
 */

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export interface HostDefaults {
  /** Daemon's default-ipc-mode ("private" unless configured). */
  ipcMode?: string;
  /** Daemon's default-cgroupns-mode ("host" on cgroup v1, "private" on v2, unless configured). */
  cgroupnsMode?: string;
  shmSize?: number;
  cgroupVersion: 1 | 2;
}

function containerRef(v: string): string | undefined {
  const i = v.indexOf(':');
  if (i < 0 || v.slice(0, i) !== 'container') return undefined;
  return v.slice(i + 1);
}

const validIpc = (m: string) => ['', 'none', 'private', 'shareable', 'host'].includes(m) || containerRef(m) !== undefined;
const validPid = (m: string) => m === '' || m === 'host' || !!containerRef(m);

/** Validates the modes; fills in Docker's defaults. Mutates `h`; returns warnings. */
export function adaptHostSettings(h: HostConfig, c: Pick<ContainerConfig, 'Hostname'>, d: HostDefaults): string[] {
  const warnings: string[] = [];
  if (h.UTSMode === 'host' && c.Hostname) throw new InvalidArgumentError('conflicting options: hostname and the UTS mode');
  if (!validIpc(h.IpcMode)) throw new InvalidArgumentError(`invalid IPC mode: ${h.IpcMode}`);
  if (!validPid(h.PidMode)) throw new InvalidArgumentError(`invalid PID mode: ${h.PidMode}`);
  if (h.ShmSize < 0) throw new InvalidArgumentError('SHM size can not be less than 0');
  if (h.UTSMode !== '' && h.UTSMode !== 'host') throw new InvalidArgumentError(`invalid UTS mode: ${h.UTSMode}`);
  if (h.OomScoreAdj < -1000 || h.OomScoreAdj > 1000) throw new InvalidArgumentError(`Invalid value ${h.OomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  if (!['', 'private', 'host'].includes(h.CgroupnsMode)) throw new InvalidArgumentError(`invalid cgroup namespace mode: ${h.CgroupnsMode}`);
  // "Published ports are discarded when using host network mode": networking's validation warns (once)
  if (h.ShmSize === 0) h.ShmSize = d.shmSize ?? DEFAULT_SHM_SIZE;
  if (h.IpcMode === '') h.IpcMode = d.ipcMode || 'private';
  if (h.CgroupnsMode === '') {
    if (h.Privileged && d.cgroupVersion === 1) h.CgroupnsMode = 'host';
    else h.CgroupnsMode = d.cgroupnsMode || (d.cgroupVersion === 2 ? 'private' : 'host');
  }
  return warnings;
}
