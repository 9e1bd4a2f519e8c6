/** The fields `images --format` exposes (docker's formatter imageContext) and the default formats. */
import { familiarName, parseNormalizedNamed, truncateId } from '../../../client/reference.ts';
import type { ImageSummary } from '../../../client/types.ts';
import { headerContext } from '../formatter.ts';
import { GO_TYPE } from '../template.ts';
import { unixString } from '../time.ts';
import { humanSize, humanSizeWithPrecision, sinceAgo } from '../units.ts';

const TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const TABLE_DIGEST = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

export function imageFormat(source: string, quiet: boolean, digest: boolean): string {
  if (source === 'table') return quiet ? '{{.ID}}' : digest ? TABLE_DIGEST : TABLE;
  if (source === 'raw') {
    if (quiet) return 'image_id: {{.ID}}';
    return digest
      ? 'repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n'
      : 'repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';
  }
  if (source.startsWith('table') && digest && !source.includes('{{.Digest}}')) return `${source}\t{{.Digest}}`;
  return source;
}

export function imageHeader(): object {
  return headerContext({
    ID: 'IMAGE ID',
    Repository: 'REPOSITORY',
    Tag: 'TAG',
    Digest: 'DIGEST',
    CreatedSince: 'CREATED',
    CreatedAt: 'CREATED AT',
    Size: 'SIZE',
    Containers: 'CONTAINERS',
    VirtualSize: 'SIZE',
    SharedSize: 'SHARED SIZE',
    UniqueSize: 'UNIQUE SIZE',
  });
}

export class ImageContext {
  readonly [GO_TYPE] = '*formatter.imageContext';
  readonly #i: ImageSummary;
  readonly #trunc: boolean;
  readonly #repo: string;
  readonly #tag: string;
  readonly #digest: string;

  constructor(i: ImageSummary, trunc: boolean, repo: string, tag: string, digest: string) {
    this.#i = i;
    this.#trunc = trunc;
    this.#repo = repo;
    this.#tag = tag;
    this.#digest = digest;
  }

  ID(): string {
    return this.#trunc ? truncateId(this.#i.Id) : this.#i.Id;
  }
  Repository(): string {
    return this.#repo;
  }
  Tag(): string {
    return this.#tag;
  }
  Digest(): string {
    return this.#digest;
  }
  CreatedSince(): string {
    return sinceAgo(this.#i.Created ?? 0);
  }
  CreatedAt(): string {
    return unixString(this.#i.Created ?? 0);
  }
  Size(): string {
    return humanSizeWithPrecision(this.#i.Size ?? 0, 3);
  }
  Containers(): string {
    const c = this.#i.Containers ?? -1;
    return c === -1 ? 'N/A' : String(c);
  }
  VirtualSize(): string {
    return humanSize(this.#i.Size ?? 0);
  }
  SharedSize(): string {
    const s = this.#i.SharedSize ?? -1;
    return s === -1 ? 'N/A' : humanSize(s);
  }
  UniqueSize(): string {
    const size = this.#i.Size ?? -1;
    const shared = this.#i.SharedSize ?? -1;
    return size === -1 || shared === -1 ? 'N/A' : humanSize(size - shared);
  }
}

function isDangling(i: ImageSummary): boolean {
  const tags = i.RepoTags ?? [];
  const digests = i.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

/** One row per repository:tag (and per digest with --digests), as docker's imageFormat does. */
export function imageRows(images: ImageSummary[], trunc: boolean, showDigests: boolean, format: string): ImageContext[] {
  const needDigest = showDigests || format.includes('{{.Digest}}');
  const rows: ImageContext[] = [];
  for (const img of images) {
    if (isDangling(img)) {
      rows.push(new ImageContext(img, trunc, '<none>', '<none>', '<none>'));
      continue;
    }
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const ref of img.RepoTags ?? []) {
      try {
        const r = parseNormalizedNamed(ref);
        if (r.tag === undefined) continue;
        const name = familiarName(r);
        repoTags.set(name, [...(repoTags.get(name) ?? []), r.tag]);
      } catch {
        // skipped, as docker does
      }
    }
    for (const ref of img.RepoDigests ?? []) {
      try {
        const r = parseNormalizedNamed(ref);
        if (r.digest === undefined) continue;
        const name = familiarName(r);
        repoDigests.set(name, [...(repoDigests.get(name) ?? []), r.digest]);
      } catch {
        // skipped
      }
    }
    for (const [repo, tags] of repoTags) {
      let digests = repoDigests.get(repo) ?? [];
      repoDigests.delete(repo);
      if (!needDigest) digests = [];
      for (const tag of tags) {
        if (digests.length === 0) {
          rows.push(new ImageContext(img, trunc, repo, tag, '<none>'));
          continue;
        }
        for (const d of digests) rows.push(new ImageContext(img, trunc, repo, tag, d));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (showDigests) for (const d of digests) rows.push(new ImageContext(img, trunc, repo, '<none>', d));
      else rows.push(new ImageContext(img, trunc, repo, '<none>', ''));
    }
  }
  return rows;
}
