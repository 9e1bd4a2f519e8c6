import { type HostDefaults, adaptHostSettings } from '../../domain/container/host-settings.ts';
import { adaptResources, type CgroupCaps, parseResources, verifyResources } from '../../domain/container/resources.ts';
import { lsmWarnings, parseSecurityOpts } from '../../domain/container/security.ts';
import type { ContainerConfig, HostConfig } from '../../domain/container/types.ts';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from '../../domain/oci-spec/defaults.ts';
import { type HostSecurity, privilegedWarnings, validateSecurity } from './security.ts';

/**
 * dockerd's verifyContainerSettings + adaptContainerSettings for what the host decides at create: security
 * options and capabilities checked, resources checked against this host's cgroups (unsupported ones dropped
 * with a warning), namespace modes validated, Docker's defaults stored (swap, /dev/shm size, IPC and cgroup
 * namespace modes, masked paths). Mutates `h`; returns the warnings for the create response.
 */
export function verifyCreateSettings(h: HostConfig, c: ContainerConfig, caps: CgroupCaps, security: HostSecurity, defaults: Omit<HostDefaults, 'cgroupVersion'> = {}, hostMaskedPaths: readonly string[] = []): string[] {
  validateSecurity(h, security);
  const res = parseResources(h);
  const warnings = verifyResources(res, caps);
  adaptResources(res);
  Object.assign(h, res);
  warnings.push(...adaptHostSettings(h, c, { ...defaults, cgroupVersion: caps.version }));
  if (!h.Privileged) {
    if (h.MaskedPaths === undefined || h.MaskedPaths === null) h.MaskedPaths = [...DEFAULT_MASKED_PATHS, ...hostMaskedPaths];
    if (h.ReadonlyPaths === undefined || h.ReadonlyPaths === null) h.ReadonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  return [...warnings, ...privilegedWarnings(h, security), ...lsmWarnings(parseSecurityOpts(h.SecurityOpt), security)];
}
