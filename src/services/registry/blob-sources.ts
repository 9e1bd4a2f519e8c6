import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import type { Logger } from '../../common/log.ts';

/** Where a layer's blob is known to live: its (compressed) digest in a repository ("127.0.0.1:5000/bb"). */
export interface BlobSource {
  digest: string;
  size: number;
  mediaType: string;
  repository: string;
  /** URLs of a foreign layer. */
  urls?: string[];
}

const MAX_PER_LAYER = 32;

/**
 * dockerd's V2MetadataService in small: diff id → blobs known in remote repositories. Push uses it to find a
 * layer already in the target repository ("Layer already exists") or in another repository of the same registry
 * (cross-repository mount, "Mounted from …"), and to reuse the compressed digest of a layer pushed before.
 * Persisted as one JSON file; losing it only costs extra uploads.
 */
export class BlobSources {
  readonly #file: string | undefined;
  readonly #log: Logger;
  #map = new Map<string, BlobSource[]>();
  #loaded = false;
  #saving: Promise<void> = Promise.resolve();

  constructor(file: string | undefined, log: Logger) {
    this.#file = file;
    this.#log = log;
  }

  async #load(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    if (!this.#file) return;
    try {
      const d = await readJson<Record<string, BlobSource[]>>(this.#file);
      for (const [k, v] of Object.entries(d ?? {})) if (Array.isArray(v)) this.#map.set(k, v);
    } catch (err) {
      this.#log.warn('ignoring unreadable blob source metadata', { file: this.#file, error: String(err) });
    }
  }

  async get(diffId: string): Promise<BlobSource[]> {
    await this.#load();
    return [...(this.#map.get(diffId) ?? [])];
  }

  /** Records a source (most recent first). */
  async add(diffId: string, src: BlobSource): Promise<void> {
    await this.#load();
    const list = (this.#map.get(diffId) ?? []).filter((s) => !(s.digest === src.digest && s.repository === src.repository));
    list.unshift(src);
    this.#map.set(diffId, list.slice(0, MAX_PER_LAYER));
    await this.#save();
  }

  async remove(diffId: string, src: Pick<BlobSource, 'digest' | 'repository'>): Promise<void> {
    await this.#load();
    const list = this.#map.get(diffId);
    if (!list) return;
    this.#map.set(
      diffId,
      list.filter((s) => !(s.digest === src.digest && s.repository === src.repository)),
    );
    await this.#save();
  }

  #save(): Promise<void> {
    const file = this.#file;
    if (!file) return Promise.resolve();
    this.#saving = this.#saving.then(() => writeJsonAtomic(file, Object.fromEntries(this.#map))).catch((err: unknown) => this.#log.warn('cannot save blob source metadata', { error: String(err) }));
    return this.#saving;
  }
}
