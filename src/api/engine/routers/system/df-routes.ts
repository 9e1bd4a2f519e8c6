import { InvalidArgumentError } from '../../../../common/errors.ts';
import type { ContainerService } from '../../../../services/containers/container-service.ts';
import { containerSizeRw } from '../../../../services/containers/disk-usage.ts';
import { listView } from '../../../../services/containers/views.ts';
import type { EventsService } from '../../../../services/events/events.ts';
import type { ImageService } from '../../../../services/images/image-service.ts';
import type { VolumesService } from '../../../../services/volumes/volume-service.ts';
import { listEntryView } from '../images/views.ts';
import type { Router } from '../../router.ts';

export interface DiskUsageDeps {
  containers: ContainerService;
  images: ImageService;
  volumes: VolumesService;
  events: EventsService;
}

const TYPES = ['container', 'image', 'volume', 'build-cache'] as const;
type UsageType = (typeof TYPES)[number];

/**
 * `docker system df` (GET /system/df: images with their shared sizes and container counts, containers with the
 * size of their writable layer, local volumes with their usage, an empty build cache; `type=` picks sections from
 * API 1.42) and POST /build/prune (berth keeps no build cache: nothing to remove, still the `prune` event).
 */
export function registerDiskUsageRoutes(router: Router, d: DiskUsageDeps): void {
  router.get('/system/df', async (req, res) => {
    const asked = req.query.getAll('type');
    const want = new Set<UsageType>(req.version < 1.42 || asked.length === 0 ? TYPES : []);
    if (req.version >= 1.42) {
      for (const t of asked) {
        if (!(TYPES as readonly string[]).includes(t)) throw new InvalidArgumentError(`unknown object type: ${t}`);
        want.add(t as UsageType);
      }
    }
    const body: Record<string, unknown> = { LayersSize: 0, Images: null, Containers: null, Volumes: null, BuildCache: null };
    const recs = d.containers.store.all();
    const imageSizes = new Map<string, number>();
    if (want.has('image') || want.has('container')) {
      const du = d.images.diskUsage();
      for (const i of du.images) imageSizes.set(i.record.id, i.size);
      if (want.has('image')) {
        body.LayersSize = du.layersSize;
        body.Images = du.images.map((i) => ({ ...listEntryView(i, req.version), Containers: i.containers, SharedSize: i.sharedSize }));
      }
    }
    if (want.has('container')) {
      body.Containers = await Promise.all(
        recs.map(async (rec) => {
          const sizeRw = await containerSizeRw(d.containers, rec);
          return { ...listView(rec, (id) => id), SizeRw: sizeRw, SizeRootFs: sizeRw + (imageSizes.get(rec.Image) ?? 0) };
        }),
      );
    }
    if (want.has('volume')) body.Volumes = await d.volumes.usage();
    if (want.has('build-cache')) body.BuildCache = [];
    res.json(200, body);
  });

  router.post('/build/prune', (_req, res) => {
    d.events.emit({ type: 'builder', action: 'prune', id: '', attributes: { reclaimed: '0' } });
    res.json(200, { CachesDeleted: null, SpaceReclaimed: 0 });
  });
}
