/**
 * The context store, laid out as docker's (cli/context/store) under the client config dir ($BERTH_CONFIG or
 * ~/.berth): contexts/meta/<sha256(name)>/meta.json holds {Name, Metadata, Endpoints: {docker: {Host,
 * SkipTLSVerify}}}, contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem the TLS material, and config.json's
 * "currentContext" the context `context use` chose. The endpoint keeps docker's name, so stores can be copied
 * between the two CLIs. "default" is not stored: it is the environment (-H, BERTH_HOST, DOCKER_HOST).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_CONTEXT = 'default';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;
export const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;

export interface EndpointMeta {
  Host: string;
  SkipTLSVerify: boolean;
}

export interface ContextMeta {
  Name: string;
  Metadata: { Description?: string; [k: string]: unknown };
  Endpoints: { docker?: EndpointMeta; [k: string]: unknown };
}

/** TLS material of an endpoint: file name (ca.pem, cert.pem, key.pem) → contents. */
export type TlsMaterial = Partial<Record<(typeof TLS_FILES)[number], Buffer>>;

export class NotFoundContextError extends Error {
  override name = 'NotFoundContextError';
}

export function validateContextName(name: string): void {
  if (name === '') throw new Error('context name cannot be empty');
  if (name === DEFAULT_CONTEXT) throw new Error(`"${DEFAULT_CONTEXT}" is a reserved context name`);
  if (!NAME_RE.test(name)) throw new Error(`context name "${name}" is invalid, names are validated against regexp "${NAME_RE.source}"`);
}

function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** Writes a file through a temporary name and a rename, so readers never see half of it. */
function writeAtomic(path: string, data: string | Buffer, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

export class ContextStore {
  readonly configDir: string;
  constructor(configDir: string) {
    this.configDir = configDir;
  }

  get metaRoot(): string {
    return join(this.configDir, 'contexts', 'meta');
  }

  get tlsRoot(): string {
    return join(this.configDir, 'contexts', 'tls');
  }

  metaPath(name: string): string {
    return join(this.metaRoot, contextDirName(name));
  }

  tlsPath(name: string): string {
    return join(this.tlsRoot, contextDirName(name));
  }

  /** Every stored context, sorted by name. */
  list(): ContextMeta[] {
    let dirs: string[];
    try {
      dirs = readdirSync(this.metaRoot);
    } catch {
      return [];
    }
    const out: ContextMeta[] = [];
    for (const d of dirs) {
      try {
        out.push(JSON.parse(readFileSync(join(this.metaRoot, d, 'meta.json'), 'utf8')) as ContextMeta);
      } catch {
        // not a context directory
      }
    }
    return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }

  exists(name: string): boolean {
    return existsSync(join(this.metaPath(name), 'meta.json'));
  }

  /** Throws docker's `context "x": context not found: open .../meta.json: no such file or directory`. */
  get(name: string): ContextMeta {
    const file = join(this.metaPath(name), 'meta.json');
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ContextMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundContextError(`context "${name}": context not found: open ${file}: no such file or directory`);
      }
      throw new Error(`context "${name}": ${(err as Error).message}`);
    }
  }

  tls(name: string): TlsMaterial {
    const dir = join(this.tlsPath(name), 'docker');
    const out: TlsMaterial = {};
    for (const f of TLS_FILES) {
      try {
        out[f] = readFileSync(join(dir, f));
      } catch {
        // absent
      }
    }
    return out;
  }

  /** Names of the TLS files stored for the context's endpoint. */
  tlsFileNames(name: string): string[] {
    try {
      return readdirSync(join(this.tlsPath(name), 'docker')).sort();
    } catch {
      return [];
    }
  }

  create(meta: ContextMeta, tls: TlsMaterial): void {
    const dir = this.metaPath(meta.Name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const files = Object.entries(tls).filter(([, v]) => v !== undefined);
    if (files.length > 0) {
      const tdir = join(this.tlsPath(meta.Name), 'docker');
      mkdirSync(tdir, { recursive: true, mode: 0o700 });
      for (const [f, data] of files) writeAtomic(join(tdir, f), data!, 0o600);
    }
    writeAtomic(join(dir, 'meta.json'), JSON.stringify(meta));
  }

  remove(name: string): void {
    rmSync(this.metaPath(name), { recursive: true, force: true });
    rmSync(this.tlsPath(name), { recursive: true, force: true });
  }

  // ---- config.json ----

  #configFile(): string {
    return join(this.configDir, 'config.json');
  }

  readConfig(): Record<string, unknown> {
    try {
      return JSON.parse(readFileSync(this.#configFile(), 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  }

  currentContext(): string {
    const c = this.readConfig().currentContext;
    return typeof c === 'string' && c !== '' ? c : DEFAULT_CONTEXT;
  }

  /** Sets (or, with "default", clears) config.json's currentContext, keeping the rest of the file. */
  setCurrentContext(name: string): void {
    const cfg = this.readConfig();
    if (name === DEFAULT_CONTEXT) delete cfg.currentContext;
    else cfg.currentContext = name;
    mkdirSync(this.configDir, { recursive: true, mode: 0o700 });
    writeAtomic(this.#configFile(), JSON.stringify(cfg, null, '\t'), 0o600);
  }
}
