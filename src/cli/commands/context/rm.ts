/** `berth context rm` */
import { defineCommand, minArgs } from '../../command.ts';
import { joinErrors } from '../../container/parallel.ts';
import { ContextStore, DEFAULT_CONTEXT } from '../../contexts/store.ts';
import { boolFlag } from '../../flags/spec.ts';

export default defineCommand<{ force: boolean }>({
  usage: 'CONTEXT [CONTEXT...]',
  short: 'Remove one or more contexts',
  args: minArgs(1),
  flags: [boolFlag('force', 'Force the removal of a context in use', { short: 'f' })],
  async run(ctx, o, args) {
    const store = new ContextStore(ctx.configDir);
    const current = ctx.contextName();
    const stored = store.currentContext();
    const errs: Error[] = [];
    for (const name of args) {
      if (name === DEFAULT_CONTEXT) {
        errs.push(new Error(`context "${DEFAULT_CONTEXT}" cannot be removed`));
        continue;
      }
      if (!store.exists(name)) {
        errs.push(new Error(`context "${name}" does not exist`));
        continue;
      }
      if (name === current && !o.force) {
        errs.push(new Error(`context "${name}" is in use, set -f flag to force remove`));
        continue;
      }
      store.remove(name);
      if (name === stored) store.setCurrentContext(DEFAULT_CONTEXT);
      ctx.out.write(`${name}\n`);
    }
    const err = joinErrors(errs);
    if (err) throw err;
  },
});
