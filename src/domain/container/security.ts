import { InvalidArgumentError } from '../../common/errors.ts';
import type { OciDeviceCgroup } from '../oci-spec/types.ts';

/** `--security-opt`, `--sysctl` and `--device-cgroup-rule` as dockerd reads them. Pure. */

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** "" (the default profile), "unconfined", or a profile's JSON (the CLI reads `seccomp=<file>` for us). */
  seccomp: string;
  apparmor: string;
  labels: string[];
  writableCgroups?: boolean;
}

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

function goBool(v: string): boolean | undefined {
  if (GO_TRUE.includes(v)) return true;
  if (GO_FALSE.includes(v)) return false;
  return undefined;
}

/** dockerd's parseSecurityOpt: `key=value` (or the deprecated `key:value`), `no-new-privileges`, `disable`. */
export function parseSecurityOpts(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccomp: '', apparmor: '', labels: [] };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (!sep) throw new InvalidArgumentError(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const i = opt.indexOf(sep);
    const k = opt.slice(0, i);
    const v = opt.slice(i + 1);
    switch (k) {
      case 'label':
        out.labels.push(v);
        break;
      case 'apparmor':
        out.apparmor = v;
        break;
      case 'seccomp':
        out.seccomp = v;
        break;
      case 'no-new-privileges': {
        const b = goBool(v);
        if (b === undefined) throw new InvalidArgumentError(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.noNewPrivileges = b;
        break;
      }
      case 'writable-cgroups': {
        const b = goBool(v);
        if (b === undefined) throw new InvalidArgumentError(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.writableCgroups = b;
        break;
      }
      default:
        throw new InvalidArgumentError(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}

/** What a host without AppArmor or SELinux makes of those options: they have no effect, said plainly. */
export function lsmWarnings(s: SecurityOptions, host: { apparmor: boolean; selinux: boolean }): string[] {
  const w: string[] = [];
  if (s.apparmor && s.apparmor !== 'unconfined' && !host.apparmor) {
    w.push(`AppArmor is not enabled on this host: security option "apparmor=${s.apparmor}" has no effect`);
  }
  if (s.labels.length > 0 && !host.selinux) w.push(`SELinux is not enabled on this host: security option "label=${s.labels.join(',')}" has no effect`);
  return w;
}

const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];

/**
 * Only sysctls of a namespace the container has of its own (runc's validator, the same words): IPC ones need a
 * private IPC namespace, `net.*` a private network namespace, kernel.hostname/domainname a private UTS one.
 */
export function validateSysctls(sysctls: Record<string, string> | null | undefined, ns: { ipcHost: boolean; netHost: boolean; utsHost: boolean }): void {
  for (const k of Object.keys(sysctls ?? {})) {
    if (IPC_SYSCTLS.includes(k) || k.startsWith('fs.mqueue.')) {
      if (ns.ipcHost) throw new InvalidArgumentError(`sysctl ${JSON.stringify(k)} is not allowed in the hosts ipc namespace`);
      continue;
    }
    if (k.startsWith('net.')) {
      if (ns.netHost) throw new InvalidArgumentError(`sysctl ${JSON.stringify(k)} not allowed in host network namespace`);
      continue;
    }
    if (k === 'kernel.domainname' || k === 'kernel.hostname') {
      if (ns.utsHost) throw new InvalidArgumentError(`sysctl ${JSON.stringify(k)} is not allowed in the hosts uts namespace`);
      continue;
    }
    throw new InvalidArgumentError(`sysctl ${JSON.stringify(k)} is not in a separate kernel namespace`);
  }
}

const RULE_RE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** `--device-cgroup-rule 'c 1:3 rwm'` → an allow rule (dockerd's deviceCgroupRuleRegex). */
export function parseDeviceCgroupRule(rule: string): OciDeviceCgroup {
  const m = RULE_RE.exec(rule);
  if (!m) throw new InvalidArgumentError(`invalid device cgroup rule format: '${rule}'`);
  const r: OciDeviceCgroup = { allow: true, type: m[1] as 'a' | 'b' | 'c', access: m[4]! };
  if (m[2] !== '*') r.major = Number(m[2]);
  if (m[3] !== '*') r.minor = Number(m[3]);
  return r;
}
