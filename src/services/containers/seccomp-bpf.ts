import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Ctx } from '../../common/ctx.ts';
import { errorMessage } from '../../common/errors.ts';
import { writeFileAtomic } from '../../common/fs.ts';
import type { Logger } from '../../common/log.ts';
import type { OciSeccomp } from '../../domain/oci-spec/types.ts';
import { run } from '../../system/exec/exec.ts';

/**
 * Compiles an OCI seccomp section to the BPF program the kernel loads, with the host's libseccomp — the same
 * calls, in the same order, as crun's libcrun_generate_seccomp (unknown syscalls skipped, rules with the default
 * action skipped, several conditions on one argument split into rules) — through a short Python ctypes helper.
 * crun 1.8 compiles the profile at every `create` (about 30 ms for Docker's default profile, on a start of
 * about 60 ms); given the program in the `run.oci.seccomp_bpf_data` annotation it loads it as is. The result is
 * cached in memory and on disk by content. Without python3 or libseccomp the cache stays empty and crun
 * compiles the section itself, as before.
 */
const HELPER = `
import ctypes, json, sys, os, base64, tempfile
lib = ctypes.CDLL('libseccomp.so.2')
lib.seccomp_init.restype = ctypes.c_void_p
lib.seccomp_init.argtypes = [ctypes.c_uint32]
lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_arch_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
class Arg(ctypes.Structure):
    _fields_ = [('arg', ctypes.c_uint), ('op', ctypes.c_int), ('datum_a', ctypes.c_uint64), ('datum_b', ctypes.c_uint64)]
lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(Arg)]
lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
OPS = {'NE': 1, 'LT': 2, 'LE': 3, 'EQ': 4, 'GE': 5, 'GT': 6, 'MASKED_EQ': 7}
ACTS = {'ALLOW': 0x7fff0000, 'KILL': 0, 'KILL_THREAD': 0, 'KILL_PROCESS': 0x80000000, 'TRAP': 0x00030000, 'LOG': 0x7ffc0000}
def action(name, errno):
    n = name[len('SCMP_ACT_'):]
    if n == 'ERRNO': return 0x00050000 | (errno & 0xffff)
    if n == 'TRACE': return 0x7ff00000 | (errno & 0xffff)
    if n not in ACTS: sys.exit('unsupported seccomp action ' + name)
    return ACTS[n]
s = json.load(sys.stdin)
default = action(s['defaultAction'], s.get('defaultErrnoRet', 1))
ctx = lib.seccomp_init(default)
if not ctx: sys.exit('seccomp_init failed')
for a in s.get('architectures') or []:
    tok = lib.seccomp_arch_resolve_name(a.lower().replace('scmp_arch_', '', 1).encode())
    if tok == 0: sys.exit('seccomp unknown architecture ' + a)
    r = lib.seccomp_arch_add(ctx, tok)
    if r < 0 and r != -17: sys.exit('seccomp adding architecture %s: %d' % (a, r))
for rule in s.get('syscalls') or []:
    act = action(rule['action'], rule.get('errnoRet', 1))
    if act == default: continue
    args = rule.get('args') or []
    cmps = [Arg(x['index'], OPS[x['op'][len('SCMP_CMP_'):]], x.get('value', 0), x.get('valueTwo', 0)) for x in args[:6]]
    idx = [x['index'] for x in args[:6]]
    split = len(set(idx)) != len(idx)
    for n in rule['names']:
        nr = lib.seccomp_syscall_resolve_name(n.encode())
        if nr == -1: continue
        groups = [[c] for c in cmps] if split else [cmps]
        for g in groups:
            r = lib.seccomp_rule_add_array(ctx, act, nr, len(g), (Arg * max(len(g), 1))(*g))
            if r < 0: sys.exit('seccomp_rule_add %s: %d' % (n, r))
fd, path = tempfile.mkstemp()
os.unlink(path)
r = lib.seccomp_export_bpf(ctx, fd)
if r < 0: sys.exit('seccomp_export_bpf: %d' % r)
os.lseek(fd, 0, 0)
out = b''
while True:
    b = os.read(fd, 65536)
    if not b: break
    out += b
sys.stdout.write(base64.b64encode(out).decode())
`;

export class SeccompBpfCache {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #mem = new Map<string, Promise<string | undefined>>();
  #unavailable = false;

  constructor(dir: string, log: Logger) {
    this.#dir = dir;
    this.#log = log;
  }

  /** The compiled program (base64), or undefined when it cannot be compiled here. */
  get(ctx: Ctx, sec: OciSeccomp): Promise<string | undefined> {
    if (this.#unavailable) return Promise.resolve(undefined);
    const json = JSON.stringify(sec);
    const key = createHash('sha256').update(`${process.arch}\0${os.release()}\0${json}`).digest('hex');
    let p = this.#mem.get(key);
    if (!p) {
      p = this.#load(ctx, key, json);
      this.#mem.set(key, p);
    }
    return p;
  }

  async #load(ctx: Ctx, key: string, json: string): Promise<string | undefined> {
    const file = join(this.#dir, `${key}.b64`);
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      // not compiled yet
    }
    const r = await run(ctx, 'python3', ['-c', HELPER], { input: json, allowFail: true }).catch((err) => ({ code: -1, stdout: '', stderr: errorMessage(err) }));
    if (r.code !== 0 || !/^[A-Za-z0-9+/]+=*$/.test(r.stdout)) {
      this.#unavailable = true;
      this.#log.info('seccomp profiles are compiled by the OCI runtime at each start', { reason: r.stderr.trim().split('\n').pop() ?? `exit ${r.code}` });
      return undefined;
    }
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, r.stdout, 0o600).catch(() => {});
    return r.stdout;
  }
}
