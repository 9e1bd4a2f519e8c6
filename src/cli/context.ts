/**
 * What a command receives: the standard streams, the environment, the (lazily created) Engine API client and the
 * client config file. Built once per invocation in src/cli/main.ts; nothing here is module-level state.
 */
import { readFileSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { EngineClient } from '../client/client.ts';
import type { HostOptions } from '../client/host.ts';
import { resolveContextName } from './contexts/resolve.ts';

export interface OutStream {
  write(chunk: string | Uint8Array): void;
  readonly isTTY: boolean;
  /** [rows, columns] of the terminal, [0, 0] when not a terminal. */
  size(): [number, number];
  /** The underlying stream, for raw-mode handling and drain waits. */
  readonly stream: NodeJS.WritableStream;
  /** Resolves once everything written so far has reached the file, pipe or terminal (pipes are asynchronous). */
  drain(): Promise<void>;
}

export interface InStream {
  readonly stream: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly isTTY: boolean;
}

/** The parts of the client config file (config.json) the CLI uses. */
export interface CliConfig {
  currentContext?: string;
  detachKeys?: string;
  psFormat?: string;
  imagesFormat?: string;
  networksFormat?: string;
  volumesFormat?: string;
}

export interface CliContext {
  /** Program name used in messages ("berth"). */
  readonly bin: string;
  readonly out: OutStream;
  readonly err: OutStream;
  readonly in: InStream;
  readonly env: Record<string, string | undefined>;
  /** The daemon address as shown in messages ("unix:///run/berth/berth.sock"). */
  hostUrl(): string;
  /** The context in use: --context, else "default" when -H/BERTH_HOST/DOCKER_HOST is set, else BERTH_CONTEXT, DOCKER_CONTEXT, config.json. */
  contextName(): string;
  /** The client config dir ($BERTH_CONFIG, ~/.berth or --config). */
  readonly configDir: string;
  /** The daemon address of the "default" context (-H, BERTH_HOST, DOCKER_HOST or the default socket). */
  defaultHostUrl(): Promise<string>;
  client(): Promise<EngineClient>;
  config(): CliConfig;
  /** Terminal width for help text (docker measures fd 0). */
  helpWidth(): number;
  /**
   * While true, SIGINT/SIGTERM do not end the CLI (attached run/start/attach forward them to the container);
   * the third one always forces an exit, as in docker.
   */
  keepRunningOnSignal: boolean;
}

function mapTls(t: Record<string, Buffer | undefined>): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return { ca: t['ca.pem'], cert: t['cert.pem'], key: t['key.pem'] };
}

export function nodeOut(stream: NodeJS.WriteStream): OutStream {
  return {
    write: (chunk) => {
      stream.write(chunk);
    },
    get isTTY() {
      return !!stream.isTTY;
    },
    size: () => (stream.isTTY ? [stream.rows ?? 0, stream.columns ?? 0] : [0, 0]),
    stream,
    drain: () =>
      stream.writableLength === 0 || stream.destroyed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            stream.write('', () => resolve());
          }),
  };
}

/**
 * Standard output (fd 1) or error (fd 2) written with synchronous write(2) calls, as Go's os.Stdout is: Node's
 * process.stdout object (a tty.WriteStream, a net.Socket on a pipe, ...) is only built when a command asks for
 * `.stream` (raw terminal mode, terminal size, back-pressure of a large copy) — building it costs ~2 ms of every
 * start otherwise. From then on every write goes through the stream, so the order is kept. A non-blocking fd that
 * would block (EAGAIN) also switches to the stream. `onError` gets write errors (EPIPE: the reader went away).
 */
export function fdOut(fd: 1 | 2, onError: (err: NodeJS.ErrnoException) => void): OutStream {
  let stream: NodeJS.WriteStream | undefined;
  let tty: boolean | undefined;
  const getStream = (): NodeJS.WriteStream => {
    if (!stream) {
      stream = fd === 1 ? process.stdout : process.stderr;
      stream.on('error', onError);
    }
    return stream;
  };
  const isTTY = () => (tty ??= isatty(fd));
  return {
    write: (chunk) => {
      if (stream) {
        stream.write(chunk);
        return;
      }
      let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      while (buf.length > 0) {
        try {
          buf = buf.subarray(writeSync(fd, buf));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') getStream().write(buf);
          else onError(err as NodeJS.ErrnoException);
          return;
        }
      }
    },
    get isTTY() {
      return isTTY();
    },
    size: () => {
      if (!isTTY()) return [0, 0];
      const s = getStream();
      return [s.rows ?? 0, s.columns ?? 0];
    },
    get stream() {
      return getStream();
    },
    drain: () =>
      !stream || stream.writableLength === 0 || stream.destroyed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            stream!.write('', () => resolve());
          }),
  };
}

export interface CliSetup {
  bin: string;
  out: OutStream;
  err: OutStream;
  in: InStream;
  env: Record<string, string | undefined>;
  host: HostOptions;
  configDir: string;
  /** The --context flag ("" when not given). */
  context: string;
}

/** The real context: the client module is imported on first use so `--help` and flag errors stay fast. */
export class Cli implements CliContext {
  readonly bin: string;
  readonly out: OutStream;
  readonly err: OutStream;
  readonly in: InStream;
  readonly env: Record<string, string | undefined>;
  readonly configDir: string;
  keepRunningOnSignal = false;
  readonly #setup: CliSetup;
  #client: Promise<EngineClient> | undefined;
  #clientValue: EngineClient | undefined;
  #config: CliConfig | undefined;
  #hostUrl: string | undefined;

  constructor(setup: CliSetup) {
    this.#setup = setup;
    this.bin = setup.bin;
    this.out = setup.out;
    this.err = setup.err;
    this.in = setup.in;
    this.env = setup.env;
    this.configDir = setup.configDir;
  }

  contextName(): string {
    return resolveContextName({ context: this.#setup.context, hosts: this.#setup.host.hosts }, this.env, () => this.config().currentContext || 'default');
  }

  async defaultHostUrl(): Promise<string> {
    const { parseHost } = await import('../client/host.ts');
    const h = this.#setup.host;
    return parseHost(h.hosts[0] ?? (this.env.BERTH_HOST || this.env.DOCKER_HOST || ''), h.tls || h.tlsverify);
  }

  hostUrl(): string {
    return this.#hostUrl ?? this.#clientValue?.endpoint.url ?? '';
  }

  client(): Promise<EngineClient> {
    if (!this.#client) {
      this.#client = (async () => {
        const [{ EngineClient }, { resolveEndpoint, endpointFromContext }] = await Promise.all([import('../client/client.ts'), import('../client/host.ts')]);
        let endpoint: ReturnType<typeof resolveEndpoint>;
        try {
          const name = this.contextName();
          if (name === 'default') {
            endpoint = resolveEndpoint(this.#setup.host, this.env);
          } else {
            const { ContextStore } = await import('./contexts/store.ts');
            const store = new ContextStore(this.configDir);
            const ep = store.get(name).Endpoints.docker;
            if (!ep?.Host) throw new Error(`context "${name}" has no berth endpoint`);
            endpoint = endpointFromContext(ep.Host, !!ep.SkipTLSVerify, mapTls(store.tls(name)));
          }
        } catch (err) {
          // a malformed ssh:// address is reported as docker's connection helper reports it
          if ((err as Error).name === 'SshUrlError') throw new Error(`Failed to initialize: ${(err as Error).message}`);
          throw new Error(`Failed to initialize: unable to resolve berth endpoint: ${(err as Error).message}`);
        }
        this.#hostUrl = endpoint.url;
        // docker's WithAPIVersionFromEnv: a pinned version, used without negotiation
        const pinned = (this.env.BERTH_API_VERSION || this.env.DOCKER_API_VERSION || '').replace(/^v/, '');
        this.#clientValue = new EngineClient(endpoint, pinned ? { version: pinned } : {});
        return this.#clientValue;
      })();
    }
    return this.#client;
  }

  config(): CliConfig {
    if (!this.#config) {
      try {
        this.#config = JSON.parse(readFileSync(`${this.#setup.configDir}/config.json`, 'utf8')) as CliConfig;
      } catch {
        this.#config = {};
      }
    }
    return this.#config;
  }

  helpWidth(): number {
    if (!this.in.isTTY) return 80;
    const cols = (this.out.stream as NodeJS.WriteStream).columns || (this.err.stream as NodeJS.WriteStream).columns;
    return cols || 80;
  }

  close(): void {
    this.#clientValue?.close();
  }
}
