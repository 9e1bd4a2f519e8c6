import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../../../../common/errors.ts';
import type { ApiResponse } from '../../router.ts';

/**
 * A JSON progress stream (pull, load, import): 200, Content-Type application/json, one object per line ending in
 * "\r\n". Headers go out with the first message, so an error before that is still a normal HTTP error.
 */
export class JsonProgress {
  readonly #res: ApiResponse;
  #out: ServerResponse | Duplex | undefined;

  constructor(res: ApiResponse) {
    this.#res = res;
  }

  get started(): boolean {
    return this.#out !== undefined;
  }

  write(msg: unknown): void {
    this.#out ??= this.#res.stream('application/json');
    this.#out.write(JSON.stringify(msg) + '\r\n');
  }

  /** An error line as dockerd's streamformatter writes it (`errorDetail` plus the deprecated `error`). */
  writeError(err: unknown): void {
    const message = errorMessage(err);
    this.write({ errorDetail: { message }, error: message });
  }

  end(): void {
    this.#out ??= this.#res.stream('application/json');
    this.#out.end();
  }
}
