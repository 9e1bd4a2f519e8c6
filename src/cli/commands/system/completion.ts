/** `berth completion bash|zsh|fish` and the hidden `berth __complete` the scripts call. */
import { containerList } from '../../../client/api/containers.ts';
import { imageList } from '../../../client/api/images.ts';
import { networkList } from '../../../client/api/networks.ts';
import { volumeList } from '../../../client/api/volumes.ts';
import type { CommandDef } from '../../command.ts';
import { defineCommand, noArgs } from '../../command.ts';
import type { CliContext } from '../../context.ts';
import type { Lister, ObjectKind } from '../../completion.ts';
import { complete, completionScript } from '../../completion.ts';
import type { FlagSpec } from '../../flags/spec.ts';
import { boolFlag } from '../../flags/spec.ts';
import { root } from '../../registry.ts';

const LONG: Record<'bash' | 'zsh' | 'fish', string> = {
  bash: `Generate the autocompletion script for the bash shell.

This script calls {bin} __complete, so {bin} must be on $PATH.

To load completions in your current shell session:

	source <({bin} completion bash)

To load completions for every new session, execute once:

	{bin} completion bash > /etc/bash_completion.d/{bin}`,
  zsh: `Generate the autocompletion script for the zsh shell.

To load completions in your current shell session:

	source <({bin} completion zsh)

To load completions for every new session, execute once:

	{bin} completion zsh > "\${fpath[1]}/_{bin}"`,
  fish: `Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

	{bin} completion fish | source

To load completions for every new session, execute once:

	{bin} completion fish > ~/.config/fish/completions/{bin}.fish`,
};

export function forShell(shell: 'bash' | 'zsh' | 'fish'): CommandDef {
  return defineCommand<{ noDescriptions: boolean }>({
    usage: '',
    short: `Generate the autocompletion script for ${shell}`,
    long: LONG[shell].replaceAll('{bin}', 'berth'),
    args: noArgs,
    flags: [boolFlag('no-descriptions', 'disable completion descriptions')],
    async run(ctx) {
      ctx.out.write(completionScript(shell, ctx.bin));
    },
  });
}

function lister(ctx: CliContext): Lister {
  return async (kind: ObjectKind) => {
    try {
      if (kind === 'context') {
        const { ContextStore } = await import('../../contexts/store.ts');
        return ['default', ...new ContextStore(ctx.configDir).list().map((c) => c.Name)];
      }
      const client = await ctx.client();
      switch (kind) {
        case 'container':
        case 'running-container': {
          const list = await containerList(client, { all: kind === 'container', limit: -1, size: false, filters: [] });
          return list.flatMap((c) => (c.Names ?? []).map((n) => n.replace(/^\//, '')));
        }
        case 'image': {
          const list = await imageList(client, {});
          return list.flatMap((i) => (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'));
        }
        case 'network':
          return ((await networkList(client, [])) ?? []).map((n) => n.Name);
        case 'volume':
          return ((await volumeList(client, [])).Volumes ?? []).map((v) => v.Name);
      }
    } catch {
      return [];
    }
  };
}

/** `berth __complete WORD… CURRENT`: one candidate per line. */
export function completeCommand(globalFlags: FlagSpec[]): CommandDef {
  return defineCommand({
    usage: '[WORD...] CURRENT',
    short: 'Print completion candidates (used by the completion scripts)',
    interspersed: false,
    flags: [],
    async run(ctx, _o, args) {
      const words = args.slice(0, -1);
      const current = args[args.length - 1] ?? '';
      const out = await complete(root, words, current, async (e) => (await e.load!()).default, lister(ctx), globalFlags);
      if (out.length) ctx.out.write(`${out.join('\n')}\n`);
    },
  });
}
