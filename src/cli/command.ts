/**
 * The shape of one CLI command module (src/cli/commands/<noun>/<verb>.ts) and the positional-argument checks,
 * whose messages copy docker/cli's cli/required.go (including its "See" vs "Run" inconsistency).
 */
import type { CliContext } from './context.ts';
import type { FlagSpec } from './flags/spec.ts';

export interface CommandInfo {
  /** "berth container ls" */
  path: string;
  /** "berth container ls [OPTIONS]" */
  useLine: string;
  /** The name the command was invoked as ("ps", "ls", "list"). */
  calledAs: string;
  /** Names of the flags given on the command line. */
  changed: Set<string>;
}

export type ArgsCheck = (args: string[], info: CommandInfo, bin: string) => string | undefined;

export interface CommandDef<O = any> {
  /** Usage after the command name: "[OPTIONS] CONTAINER [CONTAINER...]". */
  usage: string;
  short: string;
  /** Longer description shown by --help instead of short. */
  long?: string;
  /** The "Aliases:" line of help, with "{bin}" for the program name. */
  aliases?: string;
  args?: ArgsCheck;
  /** false for run/create/exec: flags after the first positional argument belong to the container command. */
  interspersed?: boolean;
  flags: FlagSpec[];
  run(ctx: CliContext, opts: O, args: string[], info: CommandInfo): Promise<void>;
}

export function defineCommand<O>(def: CommandDef<O>): CommandDef<O> {
  return def;
}

function plural(word: string, n: number): string {
  return n === 1 ? word : `${word}s`;
}

export const noArgs: ArgsCheck = (args, info, bin) =>
  args.length === 0
    ? undefined
    : `${bin}: '${info.path}' accepts no arguments\n\nUsage:  ${info.useLine}\n\nRun '${info.path} --help' for more information`;

export function minArgs(n: number): ArgsCheck {
  return (args, info, bin) =>
    args.length >= n
      ? undefined
      : `${bin}: '${info.path}' requires at least ${n} ${plural('argument', n)}\n\nUsage:  ${info.useLine}\n\nSee '${info.path} --help' for more information`;
}

export function maxArgs(n: number): ArgsCheck {
  return (args, info, bin) =>
    args.length <= n
      ? undefined
      : `${bin}: '${info.path}' requires at most ${n} ${plural('argument', n)}\n\nUsage:  ${info.useLine}\n\nSRun '${info.path} --help' for more information`;
}

export function exactArgs(n: number): ArgsCheck {
  return (args, info, bin) =>
    args.length === n
      ? undefined
      : `${bin}: '${info.path}' requires ${n} ${plural('argument', n)}\n\nUsage:  ${info.useLine}\n\nRun '${info.path} --help' for more information`;
}

export function rangeArgs(min: number, max: number): ArgsCheck {
  return (args, info, bin) =>
    args.length >= min && args.length <= max
      ? undefined
      : `${bin}: '${info.path}' requires at least ${min} and at most ${max} ${plural('argument', max)}\n\nUsage:  ${info.useLine}\n\nRun '${info.path} --help' for more information`;
}
