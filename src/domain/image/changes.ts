import { posix } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { ImageConfig } from './config.ts';
import { parseGoDuration } from './timestamp.ts';

/**
 * The `changes` of `docker import -c` / `docker commit -c`: Dockerfile instructions applied to an image config, as
 * moby's dockerfile.BuildFromConfig does. Only the instructions Docker accepts there are allowed.
 */
const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

const bad = (msg: string): InvalidArgumentError => new InvalidArgumentError(msg);

interface Instruction {
  cmd: string;
  args: string;
  original: string;
}

/** Splits the change lines into instructions (backslash continuations joined, comments and blanks skipped). */
export function parseInstructions(changes: readonly string[]): Instruction[] {
  const lines = changes.join('\n').split('\n');
  const out: Instruction[] = [];
  let cur = '';
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (cur === '' && /^\s*(#|$)/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      cur += line.replace(/\\\s*$/, '');
      continue;
    }
    cur += line;
    const m = /^\s*(\S+)\s*([\s\S]*?)\s*$/.exec(cur);
    cur = '';
    if (!m) continue;
    out.push({ cmd: m[1]!.toLowerCase(), args: m[2]!, original: m[0].trim() });
  }
  if (cur.trim() !== '') {
    const m = /^\s*(\S+)\s*([\s\S]*?)\s*$/.exec(cur)!;
    out.push({ cmd: m[1]!.toLowerCase(), args: m[2]!, original: m[0].trim() });
  }
  return out;
}

function lookupEnv(env: readonly string[], name: string): string | undefined {
  for (let i = env.length - 1; i >= 0; i--) {
    const e = env[i]!;
    const eq = e.indexOf('=');
    if ((eq === -1 ? e : e.slice(0, eq)) === name) return eq === -1 ? '' : e.slice(eq + 1);
  }
  return undefined;
}

/**
 * Shell-like word splitting with quote removal and $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} expansion (the subset of
 * the Dockerfile shell lexer that instructions use). `expand=false` keeps `$` literal.
 */
export function shellWords(s: string, env: readonly string[], expand = true): string[] {
  const words: string[] = [];
  let w = '';
  let inWord = false;
  let i = 0;
  const expandVar = (): string => {
    // at s[i] === '$'
    i++;
    if (s[i] === '{') {
      const end = s.indexOf('}', i);
      if (end === -1) throw bad(`missing '}' in '${s}'`);
      const body = s.slice(i + 1, end);
      i = end + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(body);
      if (!m) throw bad(`failed to process "${s}": unsupported modifier in \${${body}}`);
      const v = lookupEnv(env, m[1]!);
      if (m[2] === '-') return v === undefined || v === '' ? m[3]! : v;
      if (m[2] === '+') return v === undefined || v === '' ? '' : m[3]!;
      return v ?? '';
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (!m) return '$';
    i += m[0].length;
    return lookupEnv(env, m[0]) ?? '';
  };
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(w);
      w = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === '\\') {
      if (i + 1 < s.length) w += s[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end === -1) throw bad(`unexpected end of statement while looking for matching single-quote`);
      w += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw bad(`unexpected end of statement while looking for matching double-quote`);
        const d = s[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < s.length && '"\\$'.includes(s[i + 1]!)) {
          w += s[i + 1];
          i += 2;
        } else if (d === '$' && expand) {
          w += expandVar();
        } else {
          w += d;
          i++;
        }
      }
    } else if (c === '$' && expand) {
      w += expandVar();
    } else {
      w += c;
      i++;
    }
  }
  if (inWord) words.push(w);
  return words;
}

/** JSON exec form (`["a","b"]`) or undefined when the text is not a JSON array of strings. */
function jsonArgs(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  try {
    const v = JSON.parse(args) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // shell form
  }
  return undefined;
}

/** `k=v k2="v 2"` or the legacy `k value with spaces`. */
function nameValues(cmd: string, args: string, env: readonly string[]): [string, string][] {
  const upper = cmd.toUpperCase();
  if (args.trim() === '') throw bad(`${upper} requires at least one argument`);
  const first = /^\S+/.exec(args)![0];
  if (!first.includes('=')) {
    const rest = args.slice(first.length).trim();
    if (rest === '') throw bad(`${upper} must have two arguments`);
    const key = shellWords(first, env)[0] ?? '';
    return [[key, shellWords(rest, env).join(' ')]];
  }
  return shellWords(args, env).map((word) => {
    const eq = word.indexOf('=');
    if (eq === -1) throw bad(`Syntax error - can't find = in "${word}". Must be of the form: name=value`);
    const k = word.slice(0, eq);
    if (k === '') throw bad(`${upper} names can not be blank`);
    return [k, word.slice(eq + 1)] as [string, string];
  });
}

const SIGNALS = new Set('ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ'.split(' '));

/** signal.ParseSignal: "SIGTERM", "TERM", "15", "RTMIN+3". */
export function validateSignal(sig: string): void {
  const s = sig.toUpperCase().replace(/^SIG/, '');
  if (/^[0-9]+$/.test(s) && Number(s) > 0 && Number(s) <= 64) return;
  if (SIGNALS.has(s) || /^RTM(IN|AX)([+-]\d+)?$/.test(s)) return;
  throw bad(`Invalid signal: ${sig}`);
}

function exposedPorts(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const [port, proto = 'tcp'] = w.split('/', 2) as [string, string?];
    const p = proto.toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(p)) throw bad(`invalid proto: ${proto}`);
    const m = /^(\d+)(?:-(\d+))?$/.exec(port);
    if (!m) throw bad(`invalid containerPort: ${port}`);
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    if (lo > 65535 || hi > 65535 || hi < lo) throw bad(`invalid containerPort: ${port}`);
    for (let i = lo; i <= hi; i++) out.push(`${i}/${p}`);
  }
  return out;
}

function healthcheck(args: string): ImageConfig['Healthcheck'] {
  let rest = args.trim();
  const hc: NonNullable<ImageConfig['Healthcheck']> = {};
  for (;;) {
    const m = /^--([a-z-]+)=(\S*)\s*/.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
    const [, flag, val] = m as unknown as [string, string, string];
    const dur = (): number => {
      const ns = parseGoDuration(val);
      if (ns !== 0 && ns < 1e6) throw bad(`${flag} cannot be less than 1ms`);
      return ns;
    };
    if (flag === 'interval') hc.Interval = dur();
    else if (flag === 'timeout') hc.Timeout = dur();
    else if (flag === 'start-period') hc.StartPeriod = dur();
    else if (flag === 'start-interval') hc.StartInterval = dur();
    else if (flag === 'retries') {
      const n = Number(val);
      if (!Number.isInteger(n) || n < 0) throw bad(`--retries cannot be negative (${val})`);
      hc.Retries = n;
    } else throw bad(`unknown flag: --${flag}`);
  }
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  if (!m) throw bad('HEALTHCHECK requires an argument');
  const type = m[1]!.toUpperCase();
  if (type === 'NONE') {
    if (m[2] !== '') throw bad('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (type !== 'CMD') throw bad(`Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  if (m[2] === '') throw bad('Missing command after HEALTHCHECK CMD');
  const json = jsonArgs(m[2]!);
  hc.Test = json ? ['CMD', ...json] : ['CMD-SHELL', m[2]!];
  return hc;
}

/**
 * Applies `changes` to a copy of `base`. As in a Dockerfile, ENTRYPOINT resets CMD unless a CMD is given among
 * the changes. Throws InvalidArgumentError with Docker's messages.
 */
export function applyChanges(base: ImageConfig, changes: readonly string[]): ImageConfig {
  const cfg: ImageConfig = structuredClone(base);
  let cmdSet = false;
  const shell = (): string[] => cfg.Shell ?? ['/bin/sh', '-c'];
  for (const ins of parseInstructions(changes)) {
    if (!VALID.has(ins.cmd)) throw bad(`${ins.cmd} is not a valid change command`);
    const env = cfg.Env ?? [];
    const U = ins.cmd.toUpperCase();
    switch (ins.cmd) {
      case 'cmd': {
        cfg.Cmd = jsonArgs(ins.args) ?? [...shell(), ins.args];
        cmdSet = true;
        break;
      }
      case 'entrypoint': {
        const json = jsonArgs(ins.args);
        if (json) cfg.Entrypoint = json;
        else if (ins.args === '') cfg.Entrypoint = [...shell()];
        else cfg.Entrypoint = [...shell(), ins.args];
        if (!cmdSet) cfg.Cmd = null;
        break;
      }
      case 'env': {
        const next = [...env];
        for (const [k, v] of nameValues(ins.cmd, ins.args, env)) {
          const i = next.findIndex((e) => e === k || e.startsWith(`${k}=`));
          if (i >= 0) next[i] = `${k}=${v}`;
          else next.push(`${k}=${v}`);
        }
        cfg.Env = next;
        break;
      }
      case 'label': {
        cfg.Labels = { ...(cfg.Labels ?? {}) };
        for (const [k, v] of nameValues(ins.cmd, ins.args, env)) cfg.Labels[k] = v;
        break;
      }
      case 'expose': {
        const words = shellWords(ins.args, env);
        if (words.length === 0) throw bad('EXPOSE requires at least one argument');
        cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of exposedPorts(words)) cfg.ExposedPorts[p] = {};
        break;
      }
      case 'user': {
        const words = shellWords(ins.args, env);
        if (words.length !== 1) throw bad('USER requires exactly one argument');
        cfg.User = words[0]!;
        break;
      }
      case 'workdir': {
        const words = shellWords(ins.args, env);
        if (words.length !== 1) throw bad('WORKDIR requires exactly one argument');
        const p = words[0]!;
        cfg.WorkingDir = p.startsWith('/') ? posix.normalize(p) : posix.join('/', cfg.WorkingDir ?? '', p);
        if (cfg.WorkingDir.length > 1) cfg.WorkingDir = cfg.WorkingDir.replace(/\/$/, '');
        break;
      }
      case 'volume': {
        const vols = jsonArgs(ins.args) ?? shellWords(ins.args, env);
        if (vols.length === 0) throw bad('VOLUME requires at least one argument');
        cfg.Volumes = { ...(cfg.Volumes ?? {}) };
        for (const v of vols) {
          if (v.trim() === '') throw bad('VOLUME specified can not be an empty string');
          cfg.Volumes[v.trim()] = {};
        }
        break;
      }
      case 'stopsignal': {
        const words = shellWords(ins.args, env);
        if (words.length !== 1) throw bad('STOPSIGNAL requires exactly one argument');
        validateSignal(words[0]!);
        cfg.StopSignal = words[0]!;
        break;
      }
      case 'onbuild': {
        const trigger = /^\S*/.exec(ins.args)![0].toUpperCase();
        if (trigger === '') throw bad('ONBUILD requires at least one argument');
        if (trigger === 'ONBUILD') throw bad('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
        if (trigger === 'FROM' || trigger === 'MAINTAINER') throw bad(`${trigger} isn't allowed as an ONBUILD trigger`);
        cfg.OnBuild = [...(cfg.OnBuild ?? []), ins.args];
        break;
      }
      case 'healthcheck': {
        cfg.Healthcheck = healthcheck(ins.args);
        break;
      }
      default:
        throw bad(`${U} is not a valid change command`);
    }
  }
  return cfg;
}

/**
 * moby's commit merge(): fill what the user's config leaves empty from the container's config.
 */
export function mergeCommitConfig(user: ImageConfig, ctr: ImageConfig): ImageConfig {
  const u: ImageConfig = structuredClone(user);
  if (!u.User) u.User = ctr.User;
  if (!u.ExposedPorts || Object.keys(u.ExposedPorts).length === 0) u.ExposedPorts = ctr.ExposedPorts;
  else for (const p of Object.keys(ctr.ExposedPorts ?? {})) u.ExposedPorts[p] ??= {};
  if (!u.Env || u.Env.length === 0) u.Env = ctr.Env;
  else {
    for (const e of ctr.Env ?? []) {
      const k = e.split('=', 1)[0];
      if (!u.Env.some((x) => x.split('=', 1)[0] === k)) u.Env.push(e);
    }
  }
  const labels = { ...(u.Labels ?? {}) };
  for (const [k, v] of Object.entries(ctr.Labels ?? {})) if (!(k in labels)) labels[k] = v;
  u.Labels = labels;
  if (!u.Entrypoint || u.Entrypoint.length === 0) {
    if (!u.Cmd || u.Cmd.length === 0) u.Cmd = ctr.Cmd;
    if (u.Entrypoint === undefined || u.Entrypoint === null) u.Entrypoint = ctr.Entrypoint;
  }
  if (ctr.Healthcheck) {
    if (!u.Healthcheck) u.Healthcheck = ctr.Healthcheck;
    else {
      const h = u.Healthcheck;
      if (!h.Test || h.Test.length === 0) h.Test = ctr.Healthcheck.Test;
      h.Interval ||= ctr.Healthcheck.Interval;
      h.Timeout ||= ctr.Healthcheck.Timeout;
      h.StartPeriod ||= ctr.Healthcheck.StartPeriod;
      h.Retries ||= ctr.Healthcheck.Retries;
    }
  }
  if (!u.WorkingDir) u.WorkingDir = ctr.WorkingDir;
  if (!u.Volumes || Object.keys(u.Volumes).length === 0) u.Volumes = ctr.Volumes;
  else Object.assign(u.Volumes, ctr.Volumes ?? {});
  if (!u.StopSignal) u.StopSignal = ctr.StopSignal;
  for (const k of Object.keys(u) as (keyof ImageConfig)[]) if (u[k] === undefined) delete u[k];
  return u;
}

/** Keeps only the image-config fields of a container config (which has Hostname, Image, Tty, …). */
export function pickImageConfig(c: ImageConfig & Record<string, unknown>): ImageConfig {
  const keys: (keyof ImageConfig)[] = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell', 'ArgsEscaped'];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (c[k] !== undefined) out[k] = c[k];
  return out as ImageConfig;
}
