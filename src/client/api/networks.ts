/** Network endpoints. */
import type { EngineClient } from '../client.ts';
import { readAll } from '../streams.ts';
import type { NetworkSummary } from '../types.ts';
import { filtersJson } from './containers.ts';

export function networkList(c: EngineClient, filters: [string, string][]): Promise<NetworkSummary[]> {
  return c.json('GET', '/networks', { query: { filters: filtersJson(filters) } });
}

export async function networkInspectRaw(c: EngineClient, id: string, o: { verbose?: boolean; scope?: string } = {}): Promise<{ value: NetworkSummary; raw: string }> {
  const res = await c.request('GET', `/networks/${id}`, { query: { verbose: o.verbose, scope: o.scope || undefined } });
  const raw = (await readAll(res)).toString('utf8');
  return { value: JSON.parse(raw) as NetworkSummary, raw };
}

export function networkCreate(c: EngineClient, body: unknown): Promise<{ Id: string; Warning?: string }> {
  return c.json('POST', '/networks/create', { body });
}

export function networkRemove(c: EngineClient, id: string): Promise<number> {
  return c.call('DELETE', `/networks/${id}`);
}

export function networkConnect(c: EngineClient, id: string, body: unknown): Promise<number> {
  return c.call('POST', `/networks/${id}/connect`, { body });
}

export function networkDisconnect(c: EngineClient, id: string, container: string, force: boolean): Promise<number> {
  return c.call('POST', `/networks/${id}/disconnect`, { body: { Container: container, Force: force } });
}

export function networkPrune(c: EngineClient, filters: [string, string][]): Promise<{ NetworksDeleted: string[] | null }> {
  return c.json('POST', '/networks/prune', { query: { filters: filtersJson(filters) } });
}
