/**
 * `berth system dial-stdio` (hidden): proxies stdin/stdout to a raw connection to the daemon this CLI is
 * configured for (unix socket, TCP/TLS, even ssh). The other end of an `ssh://` host: the local berth or docker
 * CLI runs it on the remote host through ssh. As docker's: stdin's EOF half-closes the connection (the daemon
 * sees the end of the request or of the attached stdin) and the command then waits for the daemon to finish;
 * when the daemon closes its side, it returns at once (stdin of a terminal never ends).
 */
import { defineCommand, noArgs } from '../../command.ts';

export default defineCommand<Record<string, never>>({
  usage: '',
  short: 'Proxy the stdio stream to the daemon connection. Should not be invoked manually.',
  args: noArgs,
  flags: [],
  async run(ctx) {
    const client = await ctx.client();
    let conn: Awaited<ReturnType<typeof client.transport.dial>>;
    try {
      conn = await client.transport.dial();
    } catch (err) {
      throw new Error(`failed to open the raw stream connection: ${describe(err, client.endpoint.url)}`);
    }
    const stdin = ctx.in.stream;
    const stdout = ctx.out.stream;
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        stdin.removeListener('data', onIn);
        stdin.removeListener('end', onInEnd);
        stdin.removeListener('error', onInEnd);
        stdin.pause();
        if (err) reject(err);
        else resolve();
      };
      // stdin → connection, with back-pressure
      const onIn = (chunk: Buffer | string) => {
        if (!conn.write(chunk)) {
          stdin.pause();
          conn.once('drain', () => stdin.resume());
        }
      };
      const onInEnd = () => conn.end();
      stdin.on('data', onIn);
      stdin.once('end', onInEnd);
      stdin.once('error', onInEnd);
      // connection → stdout, with back-pressure
      conn.on('data', (chunk: Buffer) => {
        if (!stdout.write(chunk)) {
          conn.pause();
          stdout.once('drain', () => conn.resume());
        }
      });
      conn.once('end', () => finish());
      conn.once('error', (err) => finish(new Error(`error while Copy (stream to stdout): ${err.message}`)));
      conn.once('close', () => finish());
      stdin.resume();
    });
    conn.destroy();
  },
});

function describe(err: unknown, url: string): string {
  const e = err as NodeJS.ErrnoException;
  if (url.startsWith('unix://')) return `dial unix ${url.slice(7)}: connect: ${errnoText(e)}`;
  if (url.startsWith('tcp://')) return `dial tcp ${url.slice(6)}: connect: ${errnoText(e)}`;
  return e.message;
}

function errnoText(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EACCES':
      return 'permission denied';
    default:
      return e.message;
  }
}
