/**
 * The test token server (fixtures.ts) as a program, for tests that run it somewhere else than in their own
 * process, e.g. inside a sandbox's network namespace:
 *
 *   node token-server-main.ts <signing key> <signing cert> <host> <port> [user:password …]
 *
 * Prints `realm=<url> service=<name> issuer=<name>` once it listens; stops on SIGTERM or SIGINT.
 */
import { startTokenServer } from './fixtures.ts';

const [key, cert, host, port, ...pairs] = process.argv.slice(2);
if (!key || !cert || !host || !port) {
  process.stderr.write('usage: token-server-main.ts <key> <cert> <host> <port> [user:password …]\n');
  process.exit(2);
}
const users: Record<string, string> = {};
for (const p of pairs) {
  const i = p.indexOf(':');
  if (i > 0) users[p.slice(0, i)] = p.slice(i + 1);
}
const server = await startTokenServer(key, cert, users, { host, port: Number(port) });
process.stdout.write(`realm=${server.realm} service=${server.service} issuer=${server.issuer}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
