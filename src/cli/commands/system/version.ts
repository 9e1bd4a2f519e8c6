/** `berth version`: client section, then the server's /version, through docker's version template. */
import { systemVersion } from '../../../client/api/system.ts';
import { CLIENT_MAX_API_VERSION, CLIENT_VERSION } from '../../../client/client.ts';
import { defineCommand, noArgs } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { TabWriter } from '../../format/tabwriter.ts';
import type { Template } from '../../format/template.ts';
import { GO_TYPE, goPrint, parse } from '../../format/template.ts';

const TEMPLATE = `{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:	{{.Version}}
 API version:	{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Node version:	{{.GoVersion}}
 Git commit:	{{.GitCommit}}
 Built:	{{.BuildTime}}
 OS/Arch:	{{.Os}}/{{.Arch}}
 Context:	{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:	{{.Version}}
  API version:	{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:	{{index .Details "GoVersion"}}
  Git commit:	{{index .Details "GitCommit"}}
  Built:	{{index .Details "BuildTime"}}
  OS/Arch:	{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:	{{index .Details "Experimental"}}
  {{- else }}
  Version:	{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:	{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`;

const ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export class ClientVersion {
  readonly [GO_TYPE] = 'system.clientVersion';
  readonly #api: string;
  readonly #context: string;
  constructor(api: string, context: string) {
    this.#api = api;
    this.#context = context;
  }
  Platform(): null {
    return null;
  }
  Version(): string {
    return CLIENT_VERSION;
  }
  APIVersion(): string {
    return this.#api;
  }
  DefaultAPIVersion(): string {
    return CLIENT_MAX_API_VERSION;
  }
  GitCommit(): string {
    return 'unknown';
  }
  GoVersion(): string {
    return process.version;
  }
  Os(): string {
    return process.platform;
  }
  Arch(): string {
    return ARCH[process.arch] ?? process.arch;
  }
  BuildTime(): string {
    return '';
  }
  Context(): string {
    return this.#context;
  }
  MarshalJSON(): Record<string, unknown> {
    return {
      Version: CLIENT_VERSION,
      ApiVersion: this.#api,
      DefaultAPIVersion: CLIENT_MAX_API_VERSION,
      GitCommit: this.GitCommit(),
      GoVersion: this.GoVersion(),
      Os: this.Os(),
      Arch: this.Arch(),
      Context: this.#context,
    };
  }
}

/** The server half: Go's types.Version, so templates use its field names (APIVersion) and JSON its tags. */
export class ServerVersion {
  readonly [GO_TYPE] = '*types.Version';
  readonly #v: Record<string, any>;
  constructor(v: Record<string, any>) {
    this.#v = v;
  }
  Platform(): unknown {
    return this.#v.Platform;
  }
  Components(): unknown {
    return this.#v.Components ?? null;
  }
  Version(): string {
    return this.#v.Version ?? '';
  }
  APIVersion(): string {
    return this.#v.ApiVersion ?? '';
  }
  MinAPIVersion(): string {
    return this.#v.MinAPIVersion ?? '';
  }
  GitCommit(): string {
    return this.#v.GitCommit ?? '';
  }
  GoVersion(): string {
    return this.#v.GoVersion ?? '';
  }
  Os(): string {
    return this.#v.Os ?? '';
  }
  Arch(): string {
    return this.#v.Arch ?? '';
  }
  KernelVersion(): string {
    return this.#v.KernelVersion ?? '';
  }
  Experimental(): boolean {
    return !!this.#v.Experimental;
  }
  BuildTime(): string {
    return this.#v.BuildTime ?? '';
  }
  /** fmt %v of the struct, fields in declaration order. */
  String(): string {
    const comps = (this.Components() ?? []) as { Name?: string; Version?: string; Details?: Record<string, unknown> }[];
    const comp = (c: (typeof comps)[number]) => {
      const d = c.Details ?? {};
      const details = Object.keys(d)
        .sort()
        .map((k) => `${k}:${goPrint(d[k])}`)
        .join(' ');
      return `{${c.Name ?? ''} ${c.Version ?? ''} map[${details}]}`;
    };
    const p = this.Platform() as { Name?: string } | undefined;
    const fields = [`{${p?.Name ?? ''}}`, `[${comps.map(comp).join(' ')}]`, this.Version(), this.APIVersion(), this.MinAPIVersion(), this.GitCommit()];
    fields.push(this.GoVersion(), this.Os(), this.Arch(), this.KernelVersion(), String(this.Experimental()), this.BuildTime());
    return `{${fields.join(' ')}}`;
  }
  MarshalJSON(): Record<string, unknown> {
    const v = this.#v;
    const out: Record<string, unknown> = {
      Platform: v.Platform,
      Components: v.Components ?? null,
      Version: this.Version(),
      ApiVersion: this.APIVersion(),
      MinAPIVersion: v.MinAPIVersion,
      GitCommit: this.GitCommit(),
      GoVersion: this.GoVersion(),
      Os: this.Os(),
      Arch: this.Arch(),
    };
    if (out.MinAPIVersion === undefined || out.MinAPIVersion === '') delete out.MinAPIVersion;
    if (this.KernelVersion()) out.KernelVersion = this.KernelVersion();
    if (this.Experimental()) out.Experimental = true;
    if (this.BuildTime()) out.BuildTime = this.BuildTime();
    return out;
  }
}

function reformatDate(s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\dT/.test(s)) return s;
  const d = new Date(t);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function getDetailsOrder(component: unknown): string[] {
  const details = (component as { Details?: Record<string, unknown> }).Details ?? {};
  return Object.keys(details).sort();
}

export default defineCommand<{ format: string }>({
  usage: '[OPTIONS]',
  short: 'Show the berth version information',
  args: noArgs,
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f')],
  async run(ctx, o) {
    let format = o.format;
    if (format === '') format = TEMPLATE;
    else if (format === 'json') format = '{{json .}}';
    // the request goes out first and the daemon answers while the template is parsed; errors keep docker's
    // order all the same (a template error, then the client's, then the daemon's)
    const clientP = ctx.client();
    const serverP = clientP.then((c) => systemVersion(c));
    serverP.catch(() => {});
    let tmpl: Template;
    try {
      tmpl = parse(format, { getDetailsOrder: (c) => getDetailsOrder(c) }, 'version');
    } catch (err) {
      throw new StatusError(`template parsing error: ${(err as Error).message}`, 64);
    }
    const client = await clientP;
    let server: Record<string, any> | null = null;
    let serverErr: unknown;
    try {
      server = await serverP;
    } catch (err) {
      serverErr = err;
    }
    if (server) {
      const comps = (server.Components ?? []) as { Name: string; Details?: Record<string, string> }[];
      let found = false;
      for (const c of comps) {
        if (c.Name === 'Engine') {
          found = true;
          if (c.Details?.BuildTime) c.Details.BuildTime = reformatDate(c.Details.BuildTime);
        }
      }
      if (!found) {
        comps.push({
          Name: 'Engine',
          Version: server.Version,
          Details: {
            ApiVersion: server.ApiVersion,
            MinAPIVersion: server.MinAPIVersion,
            GitCommit: server.GitCommit,
            GoVersion: server.GoVersion,
            Os: server.Os,
            Arch: server.Arch,
            BuildTime: reformatDate(server.BuildTime ?? ''),
            Experimental: String(!!server.Experimental),
          },
        } as never);
      }
      server.Components = comps;
      server.Platform ??= { Name: '' };
    }
    const data = { Client: new ClientVersion(client.version, ctx.contextName()), Server: server ? new ServerVersion(server) : null };
    const w = new TabWriter(20, 1, ' ');
    let text = '';
    let tmplErr: unknown;
    try {
      text = tmpl.execute(data);
    } catch (err) {
      tmplErr = err;
    }
    w.write(text);
    w.write('\n');
    ctx.out.write(w.flush());
    if (serverErr) throw serverErr;
    if (tmplErr) throw tmplErr;
  },
});
