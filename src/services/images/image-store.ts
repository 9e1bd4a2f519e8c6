import { mkdir, readdir, rm } from 'node:fs/promises';
import { InvalidArgumentError } from '../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import type { Logger } from '../../common/log.ts';
import { chainIds, hexOf, type ImageConfigBlob } from '../../domain/image/config.ts';
import type { ContentStore } from './content-store.ts';

export interface ImageRecord {
  /** "sha256:<hex>" of the config blob. */
  id: string;
  config: ImageConfigBlob;
  configSize: number;
  /** Top chain id (undefined for an image without layers). */
  topChain?: string;
  /** The image this one was committed from. */
  parent?: string;
  lastTagTime?: string;
}

interface Meta {
  parent?: string;
  lastTagTime?: string;
}

export function parseImageConfig(bytes: Uint8Array): ImageConfigBlob {
  let c: ImageConfigBlob;
  try {
    c = JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageConfigBlob;
  } catch (err) {
    throw new InvalidArgumentError(`invalid image config: ${(err as Error).message}`);
  }
  if (!c || typeof c !== 'object' || !c.rootfs || !Array.isArray(c.rootfs.diff_ids)) throw new InvalidArgumentError('invalid image config: no rootfs');
  return c;
}

/**
 * Image records: the config blob lives in the content store (its digest is the image id), local metadata (parent,
 * last tag time) in `<root>/imagedb/<hex>.json`.
 */
export class ImageStore {
  readonly #dir: string;
  readonly #content: ContentStore;
  readonly #images = new Map<string, ImageRecord>();

  constructor(root: string, content: ContentStore) {
    this.#dir = `${root}/imagedb`;
    this.#content = content;
  }

  async init(log: Logger): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const f of await readdir(this.#dir)) {
      if (!f.endsWith('.json')) continue;
      const id = `sha256:${f.slice(0, -5)}`;
      try {
        const meta = (await readJson<Meta>(`${this.#dir}/${f}`)) ?? {};
        const bytes = await this.#content.read(id);
        this.#images.set(id, this.#record(id, bytes, meta));
      } catch (err) {
        log.warn('skipping unreadable image', { id, error: String(err) });
      }
    }
  }

  #record(id: string, bytes: Uint8Array, meta: Meta): ImageRecord {
    const config = parseImageConfig(bytes);
    const chain = chainIds(config.rootfs.diff_ids);
    const rec: ImageRecord = { id, config, configSize: bytes.length };
    if (chain.length > 0) rec.topChain = chain[chain.length - 1];
    if (meta.parent) rec.parent = meta.parent;
    if (meta.lastTagTime) rec.lastTagTime = meta.lastTagTime;
    return rec;
  }

  async #saveMeta(r: ImageRecord): Promise<void> {
    const meta: Meta = {};
    if (r.parent) meta.parent = r.parent;
    if (r.lastTagTime) meta.lastTagTime = r.lastTagTime;
    await writeJsonAtomic(`${this.#dir}/${hexOf(r.id)}.json`, meta);
  }

  get(id: string): ImageRecord | undefined {
    return this.#images.get(id);
  }

  all(): ImageRecord[] {
    return [...this.#images.values()];
  }

  /** Full or unique-prefix id lookup ("sha256:" optional), as dockerd's digest set; ambiguous → undefined. */
  search(term: string): ImageRecord | undefined {
    const hex = term.startsWith('sha256:') ? term.slice(7) : term;
    if (!/^[a-f0-9]+$/.test(hex)) return undefined;
    const exact = this.#images.get(`sha256:${hex}`);
    if (exact) return exact;
    let found: ImageRecord | undefined;
    for (const r of this.#images.values()) {
      if (r.id.startsWith(`sha256:${hex}`)) {
        if (found) return undefined;
        found = r;
      }
    }
    return found;
  }

  /** Stores an image config (its layers must already be registered). Returns the record, existing or new. */
  async create(configBytes: Uint8Array, parent?: string): Promise<ImageRecord> {
    const { digest } = await this.#content.put(configBytes);
    const have = this.#images.get(digest);
    if (have) {
      if (parent && !have.parent) {
        have.parent = parent;
        await this.#saveMeta(have);
      }
      return have;
    }
    const rec = this.#record(digest, configBytes, parent ? { parent } : {});
    await this.#saveMeta(rec);
    this.#images.set(digest, rec);
    return rec;
  }

  async setLastTagTime(id: string, time: string): Promise<void> {
    const r = this.#images.get(id);
    if (!r) return;
    r.lastTagTime = time;
    await this.#saveMeta(r);
  }

  children(id: string): ImageRecord[] {
    return this.all().filter((r) => r.parent === id);
  }

  async delete(id: string): Promise<void> {
    this.#images.delete(id);
    await rm(`${this.#dir}/${hexOf(id)}.json`, { force: true });
    await this.#content.delete(id);
  }
}
