import { InvalidArgumentError } from '../../common/errors.ts';
import type { OciSeccomp, OciSyscall } from './types.ts';

/**
 * Seccomp profiles in Docker's format (moby/profiles/seccomp): an OCI seccomp section plus per-rule conditions
 * (`includes`/`excludes` on capabilities, architectures and a minimum kernel) and an `archMap`. `seccompFor`
 * turns one into the OCI section of a given container (its bounding capabilities), as dockerd's setupSeccomp.
 */

export interface SeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

export interface SeccompRule {
  name?: string;
  names?: string[];
  action: string;
  errnoRet?: number;
  args?: OciSyscall['args'] | null;
  comment?: string;
  includes?: SeccompFilter | null;
  excludes?: SeccompFilter | null;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[] | null;
  archMap?: { architecture: string; subArchitectures: string[] | null }[] | null;
  flags?: string[] | null;
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompRule[] | null;
}

export interface SeccompTarget {
  /** libseccomp's name of the host architecture ("amd64"). */
  arch: string;
  /** The container's bounding capabilities. */
  bounding: readonly string[];
  /** The running kernel ("6.1.0-18-amd64"). */
  kernel: string;
}

const NATIVE_TO_SECCOMP: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390x: 'SCMP_ARCH_S390X',
  ppc64le: 'SCMP_ARCH_PPC64LE',
};

/** Node's process.arch → libseccomp's name. */
export function nativeArch(nodeArch: string): string {
  return ({ x64: 'amd64', ia32: 'x86', arm64: 'arm64', arm: 'arm', riscv64: 'riscv64', s390x: 's390x', ppc64: 'ppc64le' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

/** "4.8" <= "6.18.44-foo"? (major.minor comparison, as moby's kernelGreaterEqualThan) */
export function kernelAtLeast(kernel: string, min: string): boolean {
  const p = (v: string) => {
    const m = /^(\d+)\.(\d+)/.exec(v);
    if (!m) throw new InvalidArgumentError(`invalid kernel version: ${v}`);
    return [Number(m[1]), Number(m[2])] as const;
  };
  const [a, b] = p(kernel);
  const [x, y] = p(min);
  return a > x || (a === x && b >= y);
}

/** Parses a user profile (`--security-opt seccomp=<json>`, which the CLI reads from the file). */
export function parseSeccompProfile(body: string): SeccompProfile {
  try {
    const p = JSON.parse(body) as SeccompProfile;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new Error('expected an object');
    return p;
  } catch (err) {
    throw new InvalidArgumentError(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
}

/** The OCI seccomp section of a container, or undefined for a profile that disables seccomp. */
export function seccompFor(p: SeccompProfile, t: SeccompTarget): OciSeccomp | undefined {
  if (!p.defaultAction && !(p.syscalls ?? []).length) return undefined;
  if (p.architectures?.length && p.archMap?.length) {
    throw new InvalidArgumentError("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const out: OciSeccomp = { defaultAction: p.defaultAction, syscalls: [] };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  const arches = [...(p.architectures ?? [])];
  const native = NATIVE_TO_SECCOMP[t.arch];
  for (const a of p.archMap ?? []) {
    if (a.architecture === native) {
      arches.push(a.architecture, ...(a.subArchitectures ?? []));
      break;
    }
  }
  if (arches.length) out.architectures = arches;
  if (p.flags?.length) out.flags = [...p.flags];
  if (p.listenerPath) out.listenerPath = p.listenerPath;
  for (const r of p.syscalls ?? []) {
    if (r.name && r.names?.length) throw new InvalidArgumentError("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
    const names = r.name ? [r.name] : (r.names ?? []);
    const ex = r.excludes;
    if (ex) {
      if (ex.arches?.length && ex.arches.includes(t.arch)) continue;
      if (ex.caps?.some((c) => t.bounding.includes(c))) continue;
      if (ex.minKernel && kernelAtLeast(t.kernel, ex.minKernel)) continue;
    }
    const inc = r.includes;
    if (inc) {
      if (inc.arches?.length && !inc.arches.includes(t.arch)) continue;
      if (inc.caps?.length && !inc.caps.every((c) => t.bounding.includes(c))) continue;
      if (inc.minKernel && !kernelAtLeast(t.kernel, inc.minKernel)) continue;
    }
    const s: OciSyscall = { names: [...names], action: r.action };
    if (r.errnoRet !== undefined) s.errnoRet = r.errnoRet;
    if (r.args?.length) s.args = r.args.map((a) => ({ ...a }));
    out.syscalls!.push(s);
  }
  return out;
}
