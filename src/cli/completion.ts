/**
 * Shell completion, cobra style: the scripts `berth completion bash|zsh|fish` print are thin; they call the hidden
 * `berth __complete WORD… CURRENT`, which walks the command tree, offers subcommands, flags (from the command's
 * own definition) or, for positional arguments, the names of containers, images, networks, volumes or contexts.
 */
import type { CommandDef } from './command.ts';
import type { FlagSpec } from './flags/spec.ts';
import type { Entry } from './registry.ts';
import { findChild } from './registry.ts';

/** Global flags that take a value (their value is skipped while walking). */
const GLOBAL_VALUE_FLAGS = new Set(['-H', '--host', '--config', '-c', '--context', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']);

export type ObjectKind = 'container' | 'running-container' | 'image' | 'network' | 'volume' | 'context';

/** Lists names of one kind of object; errors (no daemon) give no candidates. */
export type Lister = (kind: ObjectKind) => Promise<string[]>;

export interface CompletionState {
  /** The command tree node reached. */
  entry: Entry;
  /** Positional arguments given to a leaf so far. */
  positional: string[];
  /** The flag (of the leaf) whose value is being completed, if any. */
  valueOf?: FlagSpec;
}

/** Commands whose CONTAINER arguments must be running. */
const RUNNING_ONLY = new Set(['attach', 'exec', 'kill', 'pause', 'stop', 'top', 'port']);

export function kindForUsage(name: string, usage: string, argIndex: number): ObjectKind | undefined {
  const words = usage
    .replace(/\[OPTIONS\]/g, '')
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => w.replace(/[[\].]/g, '').replace(/[:@].*$/, ''));
  const word = words[Math.min(argIndex, words.length - 1)] ?? '';
  if (word === 'CONTAINER') return RUNNING_ONLY.has(name) ? 'running-container' : 'container';
  if (word === 'IMAGE' || word === 'SOURCE_IMAGE' || word === 'REPOSITORY') return 'image';
  if (word === 'NETWORK') return 'network';
  if (word === 'VOLUME') return 'volume';
  if (word === 'CONTEXT') return 'context';
  return undefined;
}

function flagWords(flags: FlagSpec[]): string[] {
  const out: string[] = [];
  for (const f of flags) {
    if (f.hidden) continue;
    out.push(`--${f.name}`);
    if (f.short && !f.shorthandDeprecated) out.push(`-${f.short}`);
  }
  return out;
}

/**
 * Candidates for `current` after `words` (the words typed after the program name). `load` gives a leaf's
 * definition (its flags and usage), `list` the object names.
 */
export async function complete(
  root: Entry,
  words: string[],
  current: string,
  load: (e: Entry) => Promise<CommandDef>,
  list: Lister,
  globalFlags: FlagSpec[],
): Promise<string[]> {
  let entry = root;
  let def: CommandDef | undefined;
  const positional: string[] = [];
  let pendingValue: FlagSpec | undefined;
  let skipGlobalValue = false;
  let afterDashDash = false;
  for (const w of words) {
    if (skipGlobalValue) {
      skipGlobalValue = false;
      continue;
    }
    if (pendingValue) {
      pendingValue = undefined;
      continue;
    }
    if (!def) {
      if (w.startsWith('-')) {
        if (GLOBAL_VALUE_FLAGS.has(w)) skipGlobalValue = true;
        continue;
      }
      const child = findChild(entry, w);
      if (!child) return [];
      entry = child;
      if (!child.children) def = await load(child);
      continue;
    }
    if (!afterDashDash && w === '--') {
      afterDashDash = true;
      continue;
    }
    if (!afterDashDash && w.startsWith('-') && w !== '-') {
      const f = w.startsWith('--') ? def.flags.find((x) => x.name === w.slice(2)) : def.flags.find((x) => x.short === w.slice(-1));
      if (f && f.type !== 'bool' && !w.includes('=')) pendingValue = f;
      continue;
    }
    positional.push(w);
  }
  const filter = (xs: string[]) => [...new Set(xs)].filter((x) => x.startsWith(current)).sort();
  if (skipGlobalValue) {
    // the value of --context/-c is a context name; other global values complete to nothing
    const flag = words[words.length - 1];
    return flag === '-c' || flag === '--context' ? filter(await list('context')) : [];
  }
  if (!def) {
    if (current.startsWith('-')) return filter(entry === root ? flagWords(globalFlags) : ['--help']);
    return filter((entry.children ?? []).map((c) => c.name));
  }
  if (pendingValue) {
    if (pendingValue.name === 'network' || pendingValue.name === 'net') return filter(await list('network'));
    if (pendingValue.name === 'volume' && pendingValue.short === 'v') return [];
    return [];
  }
  if (current.startsWith('-') && !afterDashDash) return filter([...flagWords(def.flags), '--help']);
  // run/create/exec: only the first positional (image or container) is ours; the rest is the container's command
  if (def.interspersed === false && positional.length >= 1 && !['tag', 'network'].includes(entry.name)) return [];
  const usage = entry.usage ?? def.usage;
  const kind = kindForUsage(entry.name, usage, positional.length);
  return kind ? filter(await list(kind)) : [];
}

/** The scripts `berth completion <shell>` prints; each calls `<bin> __complete <words…> <current>`. */
export function completionScript(shell: 'bash' | 'zsh' | 'fish', bin: string): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`;
  switch (shell) {
    case 'bash':
      return `# bash completion for ${bin}                                  -*- shell-script -*-
# Load it with:  source <(${bin} completion bash)
${fn}() {
    local cur=\${COMP_WORDS[COMP_CWORD]}
    local IFS=$'\\n'
    COMPREPLY=( $(${bin} __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) )
    if [ \${#COMPREPLY[@]} -eq 0 ] && [[ $cur != -* ]]; then
        COMPREPLY=( $(compgen -f -- "$cur") )
    fi
}
complete -o default -F ${fn} ${bin}
`;
    case 'zsh':
      return `#compdef ${bin}
# zsh completion for ${bin}
# Load it with:  source <(${bin} completion zsh)   (or save it as _${bin} in a directory of $fpath)
${fn}() {
    local -a candidates
    candidates=("\${(@f)$(${bin} __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null)}")
    if (( \${#candidates[@]} )) && [[ -n "\${candidates[1]}" ]]; then
        compadd -- "\${candidates[@]}"
    else
        _files
    fi
}
compdef ${fn} ${bin}
`;
    case 'fish':
      return `# fish completion for ${bin}
# Load it with:  ${bin} completion fish | source
function __${fn}_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    ${bin} __complete $tokens (commandline -ct) 2>/dev/null
end
complete -c ${bin} -f -a '(__${fn}_complete)'
`;
  }
}
