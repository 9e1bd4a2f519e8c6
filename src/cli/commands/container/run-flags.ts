/** Flags of `run` and `create` that are not container configuration. */
import type { FlagSpec } from '../../flags/spec.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';

export function createOnlyFlags(env: Record<string, string | undefined>, verb: 'run' | 'create'): FlagSpec[] {
  return [
    stringFlag('name', 'Assign a name to the container'),
    stringFlag('pull', verb === 'run' ? 'Pull image before running ("always", "missing", "never")' : 'Pull image before creating ("always", "|missing", "never")', { def: 'missing' }),
    boolFlag('quiet', 'Suppress the pull output', { short: 'q' }),
    boolFlag('use-api-socket', 'Bind mount Docker API socket and required auth'),
    boolFlag('help', 'Print usage'),
    stringFlag('platform', 'Set platform if server is multi-platform capable', { def: env.BERTH_DEFAULT_PLATFORM ?? env.DOCKER_DEFAULT_PLATFORM ?? '' }),
    boolFlag('disable-content-trust', 'Skip image verification', { def: true }),
  ];
}
