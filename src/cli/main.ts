/**
 * Entry logic of the `berth` CLI: global flags, command lookup (both `berth ps` and `berth container ls`),
 * per-command flag parsing, help, and the error → stderr/exit-code mapping of the docker CLI:
 * flag errors exit 125, argument-count errors and daemon errors exit 1 (run/create use 125/126/127).
 */
import { join } from 'node:path';
import type { CommandDef, CommandInfo } from './command.ts';
import type { CliSetup } from './context.ts';
import { Cli } from './context.ts';
import { CancelledError, StatusError, exitCodeOf } from './errors.ts';
import { FlagError, FlagSet, HelpRequested } from './flags/parser.ts';
import type { FlagSpec } from './flags/spec.ts';
import { boolFlag, listFlag, stringFlag } from './flags/spec.ts';
import type { Entry } from './registry.ts';
import { findChild, root } from './registry.ts';

export const BERTH_VERSION = '0.1.0';
const BIN = 'berth';

type Env = Record<string, string | undefined>;

export function globalFlags(env: Env): FlagSpec[] {
  // node:os only when HOME is unset: every module loaded at start costs start-up time
  const home = env.HOME || process.getBuiltinModule('node:os').homedir();
  const configDir = env.BERTH_CONFIG || join(home, '.berth');
  const certDir = env.BERTH_CERT_PATH || env.DOCKER_CERT_PATH || join(home, '.docker');
  return [
    stringFlag('config', 'Location of client config files', { def: configDir }),
    stringFlag('context', `Name of the context to use to connect to the daemon (overrides BERTH_HOST env var and default context set with "${BIN} context use")`, { short: 'c' }),
    boolFlag('debug', 'Enable debug mode', { short: 'D' }),
    listFlag('host', 'Daemon socket to connect to', { short: 'H' }),
    stringFlag('log-level', 'Set the logging level ("debug", "info", "warn", "error", "fatal")', { short: 'l', def: 'info' }),
    boolFlag('tls', 'Use TLS; implied by --tlsverify', { def: !!(env.BERTH_TLS || env.DOCKER_TLS) }),
    stringFlag('tlscacert', 'Trust certs signed only by this CA', { def: join(certDir, 'ca.pem') }),
    stringFlag('tlscert', 'Path to TLS certificate file', { def: join(certDir, 'cert.pem') }),
    stringFlag('tlskey', 'Path to TLS key file', { def: join(certDir, 'key.pem') }),
    boolFlag('tlsverify', 'Use TLS and verify the remote', { def: !!(env.BERTH_TLS_VERIFY || env.DOCKER_TLS_VERIFY) }),
    boolFlag('version', 'Print version information and quit', { short: 'v' }),
    boolFlag('help', 'Print usage', { short: 'h', hidden: true, shorthandDeprecated: 'use --help' }),
  ];
}

function helpFlag(def: CommandDef): FlagSpec[] {
  if (def.flags.some((f) => f.name === 'help')) return [];
  const shortTaken = def.flags.some((f) => f.short === 'h');
  return [boolFlag('help', 'Print usage', { short: shortTaken ? undefined : 'h', hidden: true, shorthandDeprecated: 'use --help' })];
}

export interface MainIo {
  out: CliSetup['out'];
  err: CliSetup['err'];
  in: CliSetup['in'];
  env: Env;
  /** The process exits as soon as main() resolves: connections are left to the exit instead of closed one by one. */
  exitAfter?: boolean;
}

/** Runs the CLI; resolves with the exit status. */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const gflags = globalFlags(io.env);
  const gset = new FlagSet(gflags);
  const rootUsage = `${BIN} [OPTIONS] COMMAND [ARG...]`;
  let g: ReturnType<FlagSet['parse']>;
  try {
    g = gset.parse(argv, false);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.out.write((await import('./help.ts')).rootHelp(root, gflags, 80, BIN));
      return 0;
    }
    io.err.write(`${(err as Error).message}\n\nUsage:  ${rootUsage}\n\nRun '${BIN} --help' for more information\n`);
    return 125;
  }
  for (const w of g.warnings) io.out.write(`${w}\n`);
  const go = g.opts as Record<string, any>;
  const tlsverify = go.tlsverify as boolean;
  const cli = new Cli({
    bin: BIN,
    out: io.out,
    err: io.err,
    in: io.in,
    env: io.env,
    configDir: go.config,
    context: go.context ?? '',
    host: {
      hosts: go.host,
      tls: go.tls || tlsverify || g.changed.has('tlsverify'),
      tlsverify,
      tlscacert: g.changed.has('tlscacert') ? go.tlscacert : undefined,
      tlscert: g.changed.has('tlscert') ? go.tlscert : undefined,
      tlskey: g.changed.has('tlskey') ? go.tlskey : undefined,
    },
  });
  try {
    if (go.version) {
      io.out.write(`${BIN} version ${BERTH_VERSION}, build unknown\n`);
      return 0;
    }
    if (go.context && go.host.length > 0) throw new Error('conflicting options: cannot specify both --host and --context');
    const args = g.args;
    if (go.help) {
      io.out.write((await import('./help.ts')).rootHelp(root, gflags, cli.helpWidth(), BIN));
      return 0;
    }
    if (args.length === 0) {
      io.err.write((await import('./help.ts')).rootHelp(root, gflags, cli.helpWidth(), BIN));
      return 0;
    }
    const untrap = trapTermination(cli);
    try {
      return await dispatch(cli, args, gflags);
    } finally {
      untrap();
    }
  } catch (err) {
    return report(cli, err);
  } finally {
    if (!io.exitAfter) cli.close();
  }
}

const SIGNO: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

/** docker's termination handling: exit 128+signal, or (while attached) keep running; the third signal forces exit. */
function trapTermination(cli: Cli): () => void {
  let count = 0;
  const restoreTerminal = () => {
    try {
      if (cli.in.isTTY) cli.in.stream.setRawMode?.(false);
    } catch {
      // ignore
    }
  };
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count >= 3) {
      cli.err.write('\ngot 3 SIGTERM/SIGINTs, forcefully exiting\n');
      restoreTerminal();
      process.exit(1);
    }
    if (cli.keepRunningOnSignal) return;
    restoreTerminal();
    cli.close();
    process.exit(128 + (SIGNO[sig] ?? 0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

function report(cli: Cli, err: unknown): number {
  if (err instanceof CancelledError) return 0;
  const msg = err instanceof Error ? err.message : String(err);
  if (msg !== '') cli.err.write(`${msg}\n`);
  return exitCodeOf(err);
}

async function dispatch(cli: Cli, args: string[], gflags: FlagSpec[]): Promise<number> {
  const [name, ...rest] = args as [string, ...string[]];
  if (name === 'help') {
    cli.out.write((await import('./help.ts')).rootHelp(root, gflags, cli.helpWidth(), BIN));
    return 0;
  }
  let entry = findChild(root, name);
  if (name === '__complete') {
    entry = { name, short: '', hidden: true, load: async () => ({ default: (await import('./commands/system/completion.ts')).completeCommand(gflags) }) };
  }
  if (!entry) throw new StatusError(`${BIN}: unknown command: ${BIN} ${name}\n\nRun '${BIN} --help' for more information`, 1);
  let path = `${BIN} ${entry.name}`;
  let calledAs = name;
  let remaining = rest;
  if (entry.children) {
    const group: Entry = entry;
    const next = remaining[0];
    if (next === undefined) {
      cli.err.write((await import('./help.ts')).groupHelp(path, group));
      return 0;
    }
    if (next.startsWith('-')) {
      const set = new FlagSet([boolFlag('help', 'Print usage', { short: 'h', hidden: true, shorthandDeprecated: 'use --help' })]);
      try {
        const p = set.parse(remaining, false);
        for (const w of p.warnings) cli.out.write(`${w}\n`);
        if (p.opts.help || p.args.length === 0) {
          (p.opts.help ? cli.out : cli.err).write((await import('./help.ts')).groupHelp(path, group));
          return 0;
        }
        remaining = p.args;
      } catch (err) {
        if (err instanceof HelpRequested) {
          cli.out.write((await import('./help.ts')).groupHelp(path, group));
          return 0;
        }
        throw new StatusError(`${(err as Error).message}\n\nUsage:  ${path}\n\nRun '${path} --help' for more information`, 125);
      }
    }
    const subName = remaining[0]!;
    const sub = findChild(group, subName);
    if (!sub) {
      throw new StatusError(`${BIN}: unknown command: ${path} ${subName}\n\nUsage:  ${path}\n\nRun '${path} --help' for more information`, 1);
    }
    entry = sub;
    path = `${path} ${sub.name}`;
    calledAs = subName;
    remaining = remaining.slice(1);
  }
  return runLeaf(cli, entry, path, calledAs, remaining);
}

async function runLeaf(cli: Cli, entry: Entry, path: string, calledAs: string, argv: string[]): Promise<number> {
  const def = (await entry.load!()).default;
  const usage = entry.usage ?? def.usage;
  const useLine = `${path} ${usage}`.trimEnd();
  const flags = [...def.flags, ...helpFlag(def)];
  const set = new FlagSet(flags);
  let parsed: ReturnType<FlagSet['parse']>;
  try {
    parsed = set.parse(argv, def.interspersed !== false);
  } catch (err) {
    if (err instanceof HelpRequested) {
      cli.out.write((await import('./help.ts')).leafHelp(path, def, entry, usage, flags, cli.helpWidth(), BIN));
      return 0;
    }
    if (err instanceof FlagError) {
      throw new StatusError(`${err.message}\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`, 125);
    }
    throw err;
  }
  for (const w of parsed.warnings) cli.out.write(`${w}\n`);
  if (parsed.opts.help) {
    cli.out.write((await import('./help.ts')).leafHelp(path, def, entry, usage, flags, cli.helpWidth(), BIN));
    return 0;
  }
  const info: CommandInfo = { path, useLine, calledAs, changed: parsed.changed };
  const argErr = def.args?.(parsed.args, info, BIN);
  if (argErr) throw new StatusError(argErr, 1);
  await def.run(cli, parsed.opts, parsed.args, info);
  return 0;
}
