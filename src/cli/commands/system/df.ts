/** `berth system df`: disk usage by images, containers, local volumes and build cache (docker's DiskUsageContext). */
import type { ContainerSummary, ImageSummary, Volume } from '../../../client/types.ts';
import { defineCommand, noArgs } from '../../command.ts';
import { formatFlag } from '../../flags/common.ts';
import { boolFlag } from '../../flags/spec.ts';
import { ContainerContext } from '../../format/contexts/container.ts';
import { ImageContext } from '../../format/contexts/image.ts';
import { headerContext, isTable, renderList } from '../../format/formatter.ts';
import { GO_TYPE } from '../../format/template.ts';
import { humanSize } from '../../format/units.ts';
import { parseNormalizedNamed, familiarName } from '../../../client/reference.ts';
import { VolumeContext } from '../../format/contexts/volume.ts';

interface DiskUsage {
  LayersSize?: number;
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: Volume[] | null;
  BuildCache?: { Size?: number; Shared?: boolean; InUse?: boolean }[] | null;
}

const SUMMARY_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const SUMMARY_RAW = 'type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n';

/** "<size> (<pct>%)" with Go's integer percentage, or just the size when there is nothing in total. */
function withPercent(reclaimable: number, total: number): string {
  return total > 0 ? `${humanSize(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : humanSize(reclaimable);
}

const ACTIVE_STATES = new Set(['running', 'paused', 'restarting']);

/** One row of the summary (diskUsage{Images,Containers,Volumes,Builder}Context). */
class UsageRow {
  readonly [GO_TYPE] = '*formatter.diskUsageContext';
  readonly #type: string;
  readonly #total: number;
  readonly #active: number;
  readonly #size: string;
  readonly #reclaimable: string;
  constructor(type: string, total: number, active: number, size: string, reclaimable: string) {
    this.#type = type;
    this.#total = total;
    this.#active = active;
    this.#size = size;
    this.#reclaimable = reclaimable;
  }
  Type(): string {
    return this.#type;
  }
  TotalCount(): string {
    return String(this.#total);
  }
  Active(): string {
    return String(this.#active);
  }
  Size(): string {
    return this.#size;
  }
  Reclaimable(): string {
    return this.#reclaimable;
  }
}

export function summaryRows(du: DiskUsage): UsageRow[] {
  const images = du.Images ?? [];
  const layers = du.LayersSize ?? 0;
  let usedImages = 0;
  for (const i of images) if ((i.Containers ?? 0) !== 0 && i.Size !== -1 && i.SharedSize !== -1) usedImages += (i.Size ?? 0) - (i.SharedSize ?? 0);
  const ctrs = du.Containers ?? [];
  const ctrTotal = ctrs.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const ctrFree = ctrs.filter((c) => !ACTIVE_STATES.has(c.State ?? '')).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const vols = (du.Volumes ?? []).filter((v) => v.UsageData);
  const volTotal = vols.filter((v) => v.UsageData!.Size !== -1).reduce((n, v) => n + v.UsageData!.Size, 0);
  const volFree = vols.filter((v) => v.UsageData!.Size !== -1 && v.UsageData!.RefCount === 0).reduce((n, v) => n + v.UsageData!.Size, 0);
  const cache = du.BuildCache ?? [];
  const cacheSize = cache.filter((b) => !b.Shared).reduce((n, b) => n + (b.Size ?? 0), 0);
  const cacheInUse = cache.filter((b) => b.InUse && !b.Shared).reduce((n, b) => n + (b.Size ?? 0), 0);
  return [
    new UsageRow('Images', images.length, images.filter((i) => (i.Containers ?? 0) > 0).length, humanSize(layers), withPercent(layers - usedImages, layers)),
    new UsageRow('Containers', ctrs.length, ctrs.filter((c) => ACTIVE_STATES.has(c.State ?? '')).length, humanSize(ctrTotal), withPercent(ctrFree, ctrTotal)),
    new UsageRow('Local Volumes', du.Volumes?.length ?? 0, vols.filter((v) => v.UsageData!.RefCount > 0).length, humanSize(volTotal), withPercent(volFree, volTotal)),
    new UsageRow('Build Cache', cache.length, cache.filter((b) => b.InUse).length, humanSize(cacheSize), humanSize(cacheSize - cacheInUse)),
  ];
}

function imageRow(i: ImageSummary): ImageContext {
  let repo = '<none>';
  let tag = '<none>';
  const first = i.RepoTags?.[0];
  if (first && first !== '<none>:<none>') {
    try {
      const r = parseNormalizedNamed(first);
      if (r.tag !== undefined) {
        repo = familiarName(r);
        tag = r.tag;
      }
    } catch {
      // shown as <none>, as docker does
    }
  }
  return new ImageContext(i, true, repo, tag, '');
}

/** The -v table: a section per kind (verboseWriteTable). */
function verboseTable(du: DiskUsage): string {
  let s = 'Images space usage:\n\n';
  const img = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
  s += renderList(img, headerContext({ Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', Containers: 'CONTAINERS' }), (du.Images ?? []).map(imageRow));
  s += '\nContainers space usage:\n\n';
  const ctr = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
  const ctrHeader = headerContext({ ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', LocalVolumes: 'LOCAL VOLUMES', Size: 'SIZE', RunningFor: 'CREATED', Status: 'STATUS', Names: 'NAMES' });
  s += renderList(ctr, ctrHeader, (du.Containers ?? []).map((c) => new ContainerContext({ ...c, SizeRootFs: 0 }, true)));
  s += '\nLocal Volumes space usage:\n\n';
  s += renderList('table {{.Name}}\t{{.Links}}\t{{.Size}}', headerContext({ Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' }), (du.Volumes ?? []).map((v) => new VolumeContext(v)));
  const cacheSize = (du.BuildCache ?? []).filter((b) => !b.Shared).reduce((n, b) => n + (b.Size ?? 0), 0);
  s += `\nBuild cache usage: ${humanSize(cacheSize)}\n\n`;
  s += renderList(
    'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}',
    headerContext({ ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' }),
    [],
  );
  return s;
}

export default defineCommand<{ verbose: boolean; format: string }>({
  usage: '[OPTIONS]',
  short: 'Show berth disk usage',
  args: noArgs,
  flags: [boolFlag('verbose', 'Show detailed information on space usage', { short: 'v' }), formatFlag()],
  async run(ctx, o) {
    const client = await ctx.client();
    const du = (await client.json<DiskUsage>('GET', '/system/df')) ?? {};
    const format = o.format || 'table';
    if (o.verbose) {
      if (format === 'table') {
        ctx.out.write(verboseTable(du));
        return;
      }
      // a template over the whole result (docker: {{range .Images}}… for raw, else the user's template)
      const data = { Images: (du.Images ?? []).map(imageRow), Containers: (du.Containers ?? []).map((c) => new ContainerContext(c, !isTable(format))), Volumes: (du.Volumes ?? []).map((v) => new VolumeContext(v)), BuildCache: [] };
      // docker writes this one without a newline after it
      ctx.out.write(renderList(format === 'json' ? '{{json .}}' : format, headerContext({}), [data]).replace(/\n$/, ''));
      return;
    }
    const f = format === 'table' ? SUMMARY_TABLE : format === 'raw' ? SUMMARY_RAW : format;
    const header = headerContext({ Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' });
    ctx.out.write(renderList(f, header, summaryRows(du)));
  },
});
