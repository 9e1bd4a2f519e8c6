/** What `context ls` and `context inspect` show for each context, the built-in "default" included. */
import type { CliContext } from '../context.ts';
import { GO_TYPE } from '../format/template.ts';
import { headerContext } from '../format/formatter.ts';
import type { ContextMeta, ContextStore } from './store.ts';
import { DEFAULT_CONTEXT } from './store.ts';

export const DEFAULT_DESCRIPTION = 'Current DOCKER_HOST based configuration';

export interface ContextRow {
  name: string;
  description: string;
  endpoint: string;
  current: boolean;
  error: string;
}

export async function contextRows(ctx: CliContext, store: ContextStore): Promise<ContextRow[]> {
  const current = ctx.contextName();
  const rows: ContextRow[] = [{ name: DEFAULT_CONTEXT, description: DEFAULT_DESCRIPTION, endpoint: await ctx.defaultHostUrl(), current: current === DEFAULT_CONTEXT, error: '' }];
  for (const m of store.list()) {
    rows.push({ name: m.Name, description: m.Metadata?.Description ?? '', endpoint: m.Endpoints?.docker?.Host ?? '', current: m.Name === current, error: '' });
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function contextFormat(source: string, quiet: boolean): string {
  if (quiet) return '{{.Name}}';
  if (source === '' || source === 'table') return 'table {{.Name}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}';
  return source;
}

export function contextHeader(): object {
  return headerContext({ Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR', Current: 'CURRENT' });
}

/** docker's clientContextContext: the current context's name gets " *" in tables. */
export class ContextItem {
  readonly [GO_TYPE] = '*context.clientContextContext';
  readonly #r: ContextRow;
  readonly #table: boolean;
  constructor(r: ContextRow, table: boolean) {
    this.#r = r;
    this.#table = table;
  }
  Current(): boolean {
    return this.#r.current;
  }
  Name(): string {
    return this.#r.current && this.#table ? `${this.#r.name} *` : this.#r.name;
  }
  Description(): string {
    return this.#r.description;
  }
  DockerEndpoint(): string {
    return this.#r.endpoint;
  }
  Error(): string {
    return this.#r.error;
  }
  MarshalJSON(): Record<string, unknown> {
    return { Current: this.Current(), Description: this.Description(), DockerEndpoint: this.DockerEndpoint(), Error: this.Error(), Name: this.#r.name };
  }
}

/** The JSON `context inspect` prints for one context (Go's json.Marshal escapes <, > and &). */
export async function inspectJson(ctx: CliContext, store: ContextStore, name: string): Promise<string> {
  let doc: Record<string, unknown>;
  if (name === DEFAULT_CONTEXT) {
    doc = {
      Name: DEFAULT_CONTEXT,
      Metadata: {},
      Endpoints: { docker: { Host: await ctx.defaultHostUrl(), SkipTLSVerify: false } },
      TLSMaterial: {},
      Storage: { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' },
    };
  } else {
    const m: ContextMeta = store.get(name);
    const tls = store.tlsFileNames(name);
    doc = {
      Name: m.Name,
      Metadata: m.Metadata ?? {},
      Endpoints: m.Endpoints ?? {},
      TLSMaterial: tls.length > 0 ? { docker: tls } : {},
      Storage: { MetadataPath: store.metaPath(name), TLSPath: store.tlsPath(name) },
    };
  }
  return JSON.stringify(doc).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}
