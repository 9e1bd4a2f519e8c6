/** `berth context use` */
import { defineCommand, exactArgs } from '../../command.ts';
import { ContextStore, DEFAULT_CONTEXT, validateContextName } from '../../contexts/store.ts';

export default defineCommand({
  usage: 'CONTEXT',
  short: 'Set the current berth context',
  args: exactArgs(1),
  flags: [],
  async run(ctx, _o, args) {
    const name = args[0]!;
    const store = new ContextStore(ctx.configDir);
    if (name !== DEFAULT_CONTEXT) {
      validateContextName(name);
      store.get(name);
    }
    store.setCurrentContext(name);
    ctx.out.write(`${name}\n`);
    ctx.err.write(`Current context is now "${name}"\n`);
    const hostVar = ctx.env.BERTH_HOST ? 'BERTH_HOST' : ctx.env.DOCKER_HOST ? 'DOCKER_HOST' : '';
    if (name !== DEFAULT_CONTEXT && hostVar) {
      ctx.err.write(
        `Warning: ${hostVar} environment variable overrides the active context. To use "${name}", either set the global --context flag, or unset ${hostVar} environment variable.\n`,
      );
    }
  },
});
