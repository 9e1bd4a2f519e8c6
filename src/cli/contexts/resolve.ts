/** Which context a command uses; kept apart from the store so resolving "default" loads nothing else. */

/**
 * docker's resolveContextName: --context, then -H (or BERTH_HOST/DOCKER_HOST) meaning "default", then
 * BERTH_CONTEXT/DOCKER_CONTEXT, then config.json's currentContext.
 */
export function resolveContextName(o: { context?: string; hosts: string[] }, env: Record<string, string | undefined>, current: () => string): string {
  if (o.context) return o.context;
  if (o.hosts.length > 0) return 'default';
  if (env.BERTH_HOST || env.DOCKER_HOST) return 'default';
  const fromEnv = env.BERTH_CONTEXT || env.DOCKER_CONTEXT;
  if (fromEnv) return fromEnv;
  return current();
}
