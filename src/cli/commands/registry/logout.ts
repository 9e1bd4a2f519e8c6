/** `berth logout`: forgets the credentials config.json keeps for a registry. */
import { defineCommand, maxArgs } from '../../command.ts';
import { eraseCredentials, serverKey } from '../../registry-auth.ts';

export default defineCommand({
  usage: '[SERVER]',
  short: 'Log out from a registry',
  long: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
  args: maxArgs(1),
  flags: [],
  async run(ctx, _o, args) {
    const key = serverKey(args[0] ?? '');
    ctx.out.write(`Removing login credentials for ${key}\n`);
    eraseCredentials(ctx.configDir, key);
  },
});
