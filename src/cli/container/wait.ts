/** docker's waitExitOrRemoved: opens POST /wait (headers awaited before returning) and maps the outcome to a status. */
import { containerWaitStart } from '../../client/api/containers.ts';
import type { EngineClient } from '../../client/client.ts';
import type { CliContext } from '../context.ts';

export interface ExitWait {
  /** Resolves with the container's exit status (125 when waiting failed). */
  status: Promise<number>;
  cancel(): void;
}

function logError(ctx: CliContext, msg: string): void {
  if (ctx.err.isTTY) ctx.err.write(`\x1b[31mERRO\x1b[0m[0000] ${msg}\n`);
  else ctx.err.write(`time="${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}" level=error msg=${JSON.stringify(msg)}\n`);
}

export async function waitExitOrRemoved(ctx: CliContext, client: EngineClient, id: string, waitRemove: boolean): Promise<ExitWait> {
  const ac = new AbortController();
  let cancelled = false;
  const { result } = await containerWaitStart(client, id, waitRemove ? 'removed' : 'next-exit', ac.signal);
  const status = result.then(
    (r) => {
      if (r.Error?.Message) {
        logError(ctx, `Error waiting for container: ${r.Error.Message}`);
        return 125;
      }
      return r.StatusCode;
    },
    (err: Error) => {
      if (cancelled) return 0;
      logError(ctx, `error waiting for container: ${err.message}`);
      return 125;
    },
  );
  return {
    status,
    cancel() {
      cancelled = true;
      ac.abort();
    },
  };
}
