import { existsSync, readFileSync } from 'node:fs';
import { type lstat, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import { parseDeviceCgroupRule, parseSecurityOpts } from '../../domain/container/security.ts';
import type { HostConfig } from '../../domain/container/types.ts';
import { capabilitiesOfMask, tweakCapabilities } from '../../domain/oci-spec/capabilities.ts';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from '../../domain/oci-spec/defaults.ts';
import { DOCKER_DEFAULT_SECCOMP } from '../../domain/oci-spec/seccomp-default.ts';
import { nativeArch, parseSeccompProfile, seccompFor } from '../../domain/oci-spec/seccomp.ts';
import type { OciDevice, OciDeviceCgroup, OciSeccomp } from '../../domain/oci-spec/types.ts';

/** What this host offers for container security, looked at once at daemon start. */
export interface HostSecurity {
  /** Capabilities the daemon itself holds (its effective set): the most a container can get. */
  caps: string[];
  kernel: string;
  arch: string;
  seccomp: boolean;
  apparmor: boolean;
  selinux: boolean;
}

export function probeHostSecurity(): HostSecurity {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux: assume everything
  }
  const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const apparmorOn = (() => {
    try {
      return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
    } catch {
      return false;
    }
  })();
  return {
    caps: eff ? capabilitiesOfMask(eff) : [...ALL_CAPABILITIES],
    kernel: os.release(),
    arch: nativeArch(process.arch),
    seccomp: /^Seccomp:/m.test(status),
    apparmor: apparmorOn,
    selinux: existsSync('/sys/fs/selinux/enforce'),
  };
}

/** The warning of a privileged container on a host whose daemon lacks some capabilities (it runs without them). */
export function privilegedWarnings(h: HostConfig, host: HostSecurity): string[] {
  if (!h.Privileged) return [];
  const missing = ALL_CAPABILITIES.filter((c) => !host.caps.includes(c));
  if (missing.length === 0) return [];
  return [`The daemon does not hold ${missing.join(', ')}: the privileged container gets every other capability, not ${missing.length === 1 ? 'this one' : 'these'}`];
}

/** Create-time checks (dockerd's validateCapabilities, device cgroup rules, security options). */
export function validateSecurity(h: HostConfig, host: HostSecurity): void {
  try {
    tweakCapabilities(DEFAULT_CAPABILITIES, h.CapAdd ?? [], [], false, host.caps);
  } catch (err) {
    throw new InvalidArgumentError(`invalid CapAdd: ${(err as Error).message}`);
  }
  try {
    tweakCapabilities(DEFAULT_CAPABILITIES, [], h.CapDrop ?? [], false, ALL_CAPABILITIES);
  } catch (err) {
    throw new InvalidArgumentError(`invalid CapDrop: ${(err as Error).message}`);
  }
  for (const r of (h.DeviceCgroupRules as string[] | null | undefined) ?? []) parseDeviceCgroupRule(r);
  const s = parseSecurityOpts(h.SecurityOpt);
  if (s.seccomp && s.seccomp !== 'unconfined' && s.seccomp !== 'builtin') {
    if (!host.seccomp) throw new InvalidArgumentError('seccomp is not enabled in your kernel, cannot run a custom seccomp profile');
    seccompFor(parseSeccompProfile(s.seccomp), { arch: host.arch, bounding: [], kernel: host.kernel });
  }
}

/** The seccomp section for a container with these bounding capabilities (dockerd's WithSeccomp). */
export function seccompOf(h: HostConfig, bounding: readonly string[], host: HostSecurity): OciSeccomp | undefined {
  const s = parseSecurityOpts(h.SecurityOpt);
  if (s.seccomp === 'unconfined') return undefined;
  const target = { arch: host.arch, bounding, kernel: host.kernel };
  if (h.Privileged) return s.seccomp && s.seccomp !== 'builtin' ? seccompFor(parseSeccompProfile(s.seccomp), target) : undefined;
  if (!host.seccomp) return undefined;
  if (s.seccomp && s.seccomp !== 'builtin') return seccompFor(parseSeccompProfile(s.seccomp), target);
  return seccompFor(DOCKER_DEFAULT_SECCOMP, target);
}

/** Bounding capabilities of the container's process (as the spec builder computes them). */
export function containerCaps(h: HostConfig, host: HostSecurity): string[] {
  return tweakCapabilities(DEFAULT_CAPABILITIES, h.CapAdd ?? [], h.CapDrop ?? [], h.Privileged, host.caps);
}

async function deviceOf(path: string, inContainer: string): Promise<OciDevice | undefined> {
  const st = await stat(path, { bigint: true });
  let type: 'c' | 'b';
  if (st.isCharacterDevice()) type = 'c';
  else if (st.isBlockDevice()) type = 'b';
  else return undefined;
  const rdev = st.rdev;
  return {
    path: inContainer,
    type,
    major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    minor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
    fileMode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

const SKIP_DIRS = ['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev'];

/** Every device node of the host's /dev, for `--privileged` (containerd's HostDevices). */
export async function hostDevices(dir = '/dev'): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  let ents: import('node:fs').Dirent[];
  try {
    ents = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of ents) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.includes(e.name)) out.push(...(await hostDevices(p)));
      continue;
    }
    if (e.name === 'console' || e.isSymbolicLink()) continue;
    const d = await deviceOf(p, p).catch(() => undefined);
    if (d) out.push(d);
  }
  return out;
}

/**
 * `--device host[:container[:perms]]` (HostConfig.Devices): the nodes to create and their cgroup rules; a
 * directory brings every device below it. Also `--device-cgroup-rule`.
 */
export async function customDevices(h: HostConfig): Promise<{ devices: OciDevice[]; rules: OciDeviceCgroup[] }> {
  const devices: OciDevice[] = [];
  const rules: OciDeviceCgroup[] = [];
  const list = (h.Devices as { PathOnHost: string; PathInContainer?: string; CgroupPermissions?: string }[] | null | undefined) ?? [];
  for (const d of list) {
    const perms = d.CgroupPermissions || 'rwm';
    const target = d.PathInContainer || d.PathOnHost;
    const add = (dev: OciDevice) => {
      devices.push(dev);
      rules.push({ allow: true, type: dev.type as 'c' | 'b', major: dev.major, minor: dev.minor, access: perms });
    };
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await stat(d.PathOnHost);
    } catch (err) {
      throw new InvalidArgumentError(`error gathering device information while adding custom device ${JSON.stringify(d.PathOnHost)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    if (st.isDirectory()) {
      for (const dev of await hostDevices(d.PathOnHost)) add({ ...dev, path: target + dev.path.slice(d.PathOnHost.length) });
      continue;
    }
    const dev = await deviceOf(d.PathOnHost, target);
    if (!dev) throw new InvalidArgumentError(`error gathering device information while adding custom device ${JSON.stringify(d.PathOnHost)}: not a device node`);
    add(dev);
  }
  for (const r of (h.DeviceCgroupRules as string[] | null | undefined) ?? []) rules.push(parseDeviceCgroupRule(r));
  return { devices, rules };
}
