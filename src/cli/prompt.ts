/** docker's prompt.Confirm: "<message> [y/N] " on stdout, then one line from stdin ("y"/"Y" agrees). */
import type { CliContext } from './context.ts';

export { CancelledError } from './errors.ts';

export function readLine(ctx: CliContext): Promise<string | undefined> {
  const stdin = ctx.in.stream;
  return new Promise((resolve) => {
    let buf = '';
    const done = (v: string | undefined) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onEnd);
      stdin.pause();
      resolve(v);
    };
    function onData(chunk: Buffer | string) {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl).replace(/\r$/, ''));
    }
    function onEnd() {
      done(buf.length ? buf : undefined);
    }
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onEnd);
    stdin.resume();
  });
}

export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  ctx.out.write(`${message || 'Are you sure you want to proceed?'} [y/N] `);
  const answer = await readLine(ctx);
  return answer !== undefined && answer.trim().toLowerCase() === 'y';
}
