/**
 * `berth login`: checks the credentials through the daemon (POST /auth), then keeps them in config.json as docker
 * does without a credential helper. Interactive prompts on a terminal; --password-stdin for scripts.
 */
import { systemAuth } from '../../../client/api/system.ts';
import { defineCommand, maxArgs } from '../../command.ts';
import type { CliContext } from '../../context.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { readLine } from '../../prompt.ts';
import { INDEX_SERVER, serverKey, storeCredentials, storedUser } from '../../registry-auth.ts';

async function readAllStdin(ctx: CliContext): Promise<string> {
  let text = '';
  for await (const chunk of ctx.in.stream) text += chunk.toString();
  return text;
}

async function promptPassword(ctx: CliContext): Promise<string> {
  ctx.out.write('Password: ');
  const stdin = ctx.in.stream;
  stdin.setRawMode?.(true);
  try {
    let pw = '';
    for await (const chunk of stdin) {
      const s = chunk.toString();
      for (const c of s) {
        if (c === '\r' || c === '\n') return pw;
        if (c === '\x03') throw new Error('interrupted');
        if (c === '\x7f') pw = pw.slice(0, -1);
        else pw += c;
      }
    }
    return pw;
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    ctx.out.write('\n');
  }
}

export default defineCommand<{ username: string; password: string; passwordStdin: boolean }>({
  usage: '[OPTIONS] [SERVER]',
  short: 'Authenticate to a registry',
  long: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
  args: maxArgs(1),
  flags: [
    stringFlag('password', 'Password or Personal Access Token (PAT)', { short: 'p' }),
    boolFlag('password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin'),
    stringFlag('username', 'Username', { short: 'u' }),
  ],
  async run(ctx, o, args) {
    if (o.password !== '' && o.passwordStdin) throw new Error('conflicting options: cannot specify both --password and --password-stdin');
    if (o.passwordStdin && o.username === '') throw new Error('the --password-stdin option requires --username to be set');
    if (o.password !== '') ctx.err.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    let password = o.password;
    if (o.passwordStdin) {
      password = (await readAllStdin(ctx)).replace(/\n$/, '').replace(/\r$/, '');
    }
    const server = args[0] ?? '';
    const key = serverKey(server);
    let username = o.username.trim();
    if (username === '' || password === '') {
      if (!ctx.in.isTTY) throw new Error('Error: Cannot perform an interactive login from a non TTY device');
      if (key === INDEX_SERVER) ctx.out.write("Log in with your Docker ID or email address to push and pull images from Docker Hub. If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.\n");
      if (username === '') {
        const prev = storedUser(ctx.configDir, key);
        ctx.out.write(prev ? `Username (${prev}): ` : 'Username: ');
        username = ((await readLine(ctx)) ?? '').trim() || prev || '';
        if (username === '') throw new Error('Error: Non-null Username Required');
      }
      if (password === '') password = await promptPassword(ctx);
      if (password === '') throw new Error('Error: Password Required');
    }
    const client = await ctx.client();
    const res = await systemAuth(client, { username, password, serveraddress: key === INDEX_SERVER ? INDEX_SERVER : server || key });
    storeCredentials(ctx.configDir, key, { username, password, identityToken: res?.IdentityToken || undefined });
    ctx.err.write(
      `WARNING! Your credentials are stored unencrypted in '${ctx.configDir}/config.json'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
    );
    ctx.out.write('Login Succeeded\n');
  },
});
