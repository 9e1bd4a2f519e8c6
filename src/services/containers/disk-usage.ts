import type { ContainerRecord } from '../../domain/container/types.ts';
import { dirSize } from '../volumes/volume-service.ts';
import type { ContainerService } from './container-service.ts';

/**
 * A container's writable layer size (dockerd's SizeRw: the regular files of its overlay upper dir, hard links
 * once); 0 when the layer cannot be read (a container being removed).
 */
export async function containerSizeRw(cs: ContainerService, rec: ContainerRecord): Promise<number> {
  try {
    const { layout } = await cs.rootfsOf(rec.Id);
    return await dirSize(layout.upperDir);
  } catch {
    return 0;
  }
}

/** The `prune` event of `docker container prune` / `system prune` (no actor id, the reclaimed bytes). */
export function prunedEvent(reclaimed: number): { type: 'container'; action: 'prune'; id: string; attributes: Record<string, string> } {
  return { type: 'container', action: 'prune', id: '', attributes: { reclaimed: String(reclaimed) } };
}
