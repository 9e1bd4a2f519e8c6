/** System endpoints: version, info, events, data usage, plugins (for inspect's fallback chain). */
import type { Response } from '../http.ts';
import type { EngineClient } from '../client.ts';
import { filtersJson } from './containers.ts';

export function systemVersion(c: EngineClient): Promise<Record<string, any>> {
  return c.json('GET', '/version');
}

export function systemInfo(c: EngineClient): Promise<Record<string, any>> {
  return c.json('GET', '/info');
}

export function systemEvents(c: EngineClient, o: { since?: string; until?: string; filters?: [string, string][] }): Promise<Response> {
  return c.request('GET', '/events', { query: { since: o.since || undefined, until: o.until || undefined, filters: filtersJson(o.filters ?? []) }, fresh: true });
}

export function systemDf(c: EngineClient): Promise<Record<string, any>> {
  return c.json('GET', '/system/df');
}

export interface AuthConfig {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** POST /auth: checks credentials with the registry through the daemon. */
export function systemAuth(c: EngineClient, auth: AuthConfig): Promise<{ Status?: string; IdentityToken?: string }> {
  return c.json('POST', '/auth', { body: auth });
}
