/** Volume endpoints. */
import type { EngineClient } from '../client.ts';
import { readAll } from '../streams.ts';
import type { Volume } from '../types.ts';
import { filtersJson } from './containers.ts';

export function volumeList(c: EngineClient, filters: [string, string][]): Promise<{ Volumes: Volume[] | null; Warnings: string[] | null }> {
  return c.json('GET', '/volumes', { query: { filters: filtersJson(filters) } });
}

export async function volumeInspectRaw(c: EngineClient, name: string): Promise<{ value: Volume; raw: string }> {
  const res = await c.request('GET', `/volumes/${name}`);
  const raw = (await readAll(res)).toString('utf8');
  return { value: JSON.parse(raw) as Volume, raw };
}

export function volumeCreate(c: EngineClient, body: unknown): Promise<Volume> {
  return c.json('POST', '/volumes/create', { body });
}

export function volumeRemove(c: EngineClient, name: string, force: boolean): Promise<number> {
  return c.call('DELETE', `/volumes/${name}`, { query: { force } });
}

export function volumePrune(c: EngineClient, filters: [string, string][]): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
  return c.json('POST', '/volumes/prune', { query: { filters: filtersJson(filters) } });
}
