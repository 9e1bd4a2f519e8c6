/** The fields `network ls --format` exposes (docker's networkContext). */
import { truncateId } from '../../../client/reference.ts';
import type { NetworkSummary } from '../../../client/types.ts';
import { headerContext } from '../formatter.ts';
import { GO_TYPE } from '../template.ts';
import { rfc3339ToGoString } from '../time.ts';

export function networkFormat(source: string, quiet: boolean): string {
  if (source === 'table') return quiet ? '{{.ID}}' : 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
  if (source === 'raw') return quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
  return source;
}

export function networkHeader(): object {
  return headerContext({
    ID: 'NETWORK ID',
    Name: 'NAME',
    Driver: 'DRIVER',
    Scope: 'SCOPE',
    IPv4: 'IPV4',
    IPv6: 'IPV6',
    Internal: 'INTERNAL',
    Labels: 'LABELS',
    CreatedAt: 'CREATED AT',
  });
}

export class NetworkContext {
  readonly [GO_TYPE] = '*network.networkContext';
  readonly #n: NetworkSummary;
  readonly #trunc: boolean;
  constructor(n: NetworkSummary, trunc: boolean) {
    this.#n = n;
    this.#trunc = trunc;
  }
  ID(): string {
    return this.#trunc ? truncateId(this.#n.Id) : this.#n.Id;
  }
  Name(): string {
    return this.#n.Name;
  }
  Driver(): string {
    return this.#n.Driver ?? '';
  }
  Scope(): string {
    return this.#n.Scope ?? '';
  }
  IPv4(): string {
    return String(!!this.#n.EnableIPv4);
  }
  IPv6(): string {
    return String(!!this.#n.EnableIPv6);
  }
  Internal(): string {
    return String(!!this.#n.Internal);
  }
  Labels(): string {
    const l = this.#n.Labels;
    if (!l) return '';
    return Object.entries(l)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }
  Label(name: string): string {
    return this.#n.Labels?.[name] ?? '';
  }
  CreatedAt(): string {
    return rfc3339ToGoString(this.#n.Created ?? '');
  }
}
