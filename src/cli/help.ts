/** `--help` text in the docker CLI's layout (cli/cobra.go usageTemplate). */
import type { CommandDef } from './command.ts';
import type { FlagSpec } from './flags/spec.ts';
import { flagUsagesWrapped } from './flags/usage.ts';
import type { Entry } from './registry.ts';

const MIN_NAME_PADDING = 11;

function namePadding(entries: Entry[]): number {
  return Math.max(MIN_NAME_PADDING, ...entries.map((e) => e.name.length));
}

function rpad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function listBlock(title: string, entries: Entry[], pad: number): string {
  if (entries.length === 0) return '';
  return `\n\n${title}:${entries.map((e) => `\n  ${rpad(e.name, pad)} ${e.short}`).join('')}`;
}

export function leafHelp(path: string, def: CommandDef, entry: Entry, usage: string | undefined, flags: FlagSpec[], width: number, bin: string): string {
  const parentPath = path.slice(0, path.lastIndexOf(' ') + 1);
  let s = `Usage:  ${parentPath}${entry.name} ${usage ?? def.usage}`.trimEnd();
  s += `\n\n${(def.long ?? def.short).trim()}`;
  if (def.aliases) s += `\n\nAliases:\n  ${def.aliases.replaceAll('{bin}', bin)}`;
  else if (entry.aliases?.length) s += `\n\nAliases:\n  ${[path, ...entry.aliases.map((a) => parentPath + a)].join(', ')}`;
  if (flags.some((f) => !f.hidden)) s += `\n\nOptions:\n${flagUsagesWrapped(flags, width - 1).trimEnd()}`;
  return `${s}\n`;
}

export function groupHelp(path: string, group: Entry): string {
  const kids = (group.children ?? []).filter((e) => !e.hidden);
  const pad = namePadding(kids);
  let s = `Usage:  ${path} COMMAND\n\n${group.short}`;
  s += listBlock('Commands', kids, pad);
  s += `\n\nRun '${path} COMMAND --help' for more information on a command.`;
  return `${s}\n`;
}

export function rootHelp(root: Entry, globalFlags: FlagSpec[], width: number, bin: string): string {
  const kids = (root.children ?? []).filter((e) => !e.hidden);
  const pad = namePadding(kids);
  const top = kids.filter((e) => e.top !== undefined).sort((a, b) => a.top! - b.top!);
  const mgmt = kids.filter((e) => e.children);
  const ops = kids.filter((e) => e.top === undefined && !e.children).sort((a, b) => (a.name < b.name ? -1 : 1));
  let s = `Usage:  ${bin} [OPTIONS] COMMAND\n\n${root.short}`;
  s += listBlock('Common Commands', top, pad);
  s += listBlock('Management Commands', mgmt, pad);
  s += listBlock('Commands', ops, pad);
  s += `\n\nGlobal Options:\n${flagUsagesWrapped(globalFlags, width - 1).trimEnd()}`;
  s += `\n\nRun '${bin} COMMAND --help' for more information on a command.`;
  return `${s}\n`;
}
