export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  level: LogLevel;
}

/** A small logfmt-style logger writing to a stream (stderr by default), like dockerd's text logs. */
export class StreamLogger implements Logger {
  level: LogLevel;
  readonly #out: NodeJS.WritableStream;
  readonly #fields: Record<string, unknown>;
  constructor(level: LogLevel = 'info', out: NodeJS.WritableStream = process.stderr, fields: Record<string, unknown> = {}) {
    this.level = level;
    this.#out = out;
    this.#fields = fields;
  }
  #write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (order[level] < order[this.level]) return;
    const all = { ...this.#fields, ...fields };
    let line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
    for (const [k, v] of Object.entries(all)) {
      line += ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null)}`;
    }
    this.#out.write(line + '\n');
  }
  debug(msg: string, f?: Record<string, unknown>): void {
    this.#write('debug', msg, f);
  }
  info(msg: string, f?: Record<string, unknown>): void {
    this.#write('info', msg, f);
  }
  warn(msg: string, f?: Record<string, unknown>): void {
    this.#write('warn', msg, f);
  }
  error(msg: string, f?: Record<string, unknown>): void {
    this.#write('error', msg, f);
  }
  child(fields: Record<string, unknown>): Logger {
    const c = new StreamLogger(this.level, this.#out, { ...this.#fields, ...fields });
    // children follow the parent's level (SIGHUP may change it)
    Object.defineProperty(c, 'level', {
      get: () => this.level,
      set: (l: LogLevel) => {
        this.level = l;
      },
    });
    return c;
  }
}

export const nullLogger: Logger = {
  level: 'fatal',
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nullLogger;
  },
};
