/** `berth inspect`: any object; tries container, image, network, volume, (swarm objects,) plugin in turn. */
import type { EngineClient } from '../../../client/client.ts';
import { containerPath } from '../../../client/api/containers.ts';
import { systemInfo } from '../../../client/api/system.ts';
import { ApiError } from '../../../client/errors.ts';
import { readAll } from '../../../client/streams.ts';
import { defineCommand, minArgs } from '../../command.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../../flags/common.ts';
import { boolFlag, stringFlag } from '../../flags/spec.ts';
import { inspectRefs } from '../../inspect.ts';

const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

interface Kind {
  type: string;
  swarm?: boolean;
  size?: boolean;
  path: (ref: string) => string;
  query?: (size: boolean) => Record<string, string | boolean | undefined>;
}

const KINDS: Kind[] = [
  { type: 'container', size: true, path: (r) => containerPath(r, '/json'), query: (size) => ({ size }) },
  { type: 'image', path: (r) => `/images/${r}/json` },
  { type: 'network', path: (r) => `/networks/${r}` },
  { type: 'volume', path: (r) => `/volumes/${r}` },
  { type: 'service', swarm: true, path: (r) => `/services/${r}`, query: () => ({ insertDefaults: true }) },
  { type: 'task', swarm: true, path: (r) => `/tasks/${r}` },
  { type: 'node', swarm: true, path: (r) => `/nodes/${r}` },
  { type: 'plugin', path: (r) => `/plugins/${r}/json` },
  { type: 'secret', swarm: true, path: (r) => `/secrets/${r}` },
  { type: 'config', swarm: true, path: (r) => `/configs/${r}` },
];

function skippable(err: unknown): boolean {
  if (err instanceof ApiError && err.status === 404) return true;
  const msg = err instanceof Error ? err.message : '';
  return msg.includes('not supported') || msg.includes('invalid reference format');
}

async function getRaw(client: EngineClient, kind: Kind, ref: string, size: boolean): Promise<string> {
  const res = await client.request('GET', kind.path(ref), { query: kind.query?.(size) });
  return (await readAll(res)).toString('utf8');
}

export default defineCommand<{ format: string; type: string; size: boolean }>({
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on berth objects',
  args: minArgs(1),
  flags: [
    formatFlag(INSPECT_FORMAT_HELP, 'f'),
    boolFlag('size', 'Display total file sizes if the type is container', { short: 's' }),
    stringFlag('type', 'Only inspect objects of the given type'),
  ],
  async run(ctx, o, args, info) {
    if (info.changed.has('type') && o.type === '') throw new Error(`type is empty: must be one of "${ALL_TYPES.join('", "')}"`);
    if (o.type !== '' && !ALL_TYPES.includes(o.type)) throw new Error(`unknown type: ${JSON.stringify(o.type)}: must be one of "${ALL_TYPES.join('", "')}"`);
    const client = await ctx.client();
    const isSwarmManager = async () => {
      try {
        const i = await systemInfo(client);
        return !!i.Swarm?.ControlAvailable;
      } catch (err) {
        ctx.err.write(`${(err as Error).message}\n`);
        return false;
      }
    };
    await inspectRefs(ctx, args, o.format, async (ref) => {
      let swarm: boolean | undefined;
      for (const kind of KINDS) {
        if (o.type !== '' && kind.type !== o.type) continue;
        if (o.type === '' && kind.swarm) {
          swarm ??= await isSwarmManager();
          if (!swarm) continue;
        }
        try {
          const raw = await getRaw(client, kind, ref, o.size);
          if (o.size && !kind.size) ctx.err.write(`WARNING: --size ignored for ${kind.type}\n`);
          return raw;
        } catch (err) {
          if (o.type === '' && skippable(err)) continue;
          throw err;
        }
      }
      throw new Error(`Error: No such object: ${ref}`);
    });
  },
});
