import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import type { ContainerRecord } from '../../domain/container/types.ts';

/**
 * Containers in memory, persisted one JSON file per container (`<root>/<id>/config.v2.json`, as dockerd).
 * Names are unique; lookups accept a full id, a name (with or without "/") or a unique id prefix.
 */
export class ContainerStore {
  readonly #root: string;
  readonly #byId = new Map<string, ContainerRecord>();
  readonly #names = new Map<string, string>();

  constructor(root: string) {
    this.#root = root;
  }

  dir(id: string): string {
    return join(this.#root, id);
  }

  async load(): Promise<ContainerRecord[]> {
    let ids: string[] = [];
    try {
      ids = await readdir(this.#root);
    } catch {
      return [];
    }
    for (const id of ids) {
      const rec = await readJson<ContainerRecord>(join(this.#root, id, 'config.v2.json'));
      if (!rec) continue;
      this.#byId.set(rec.Id, rec);
      this.#names.set(rec.Name, rec.Id);
    }
    return [...this.#byId.values()];
  }

  all(): ContainerRecord[] {
    return [...this.#byId.values()];
  }

  /** Reserves a name; ConflictError with Docker's message when taken. */
  reserveName(name: string, id: string): void {
    const owner = this.#names.get(name);
    if (owner && owner !== id) {
      throw new ConflictError(`Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.#names.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.#names.get(name) === id) this.#names.delete(name);
  }

  /** Finds by full id, name, or unique id prefix. */
  find(ref: string): ContainerRecord | undefined {
    const byId = this.#byId.get(ref);
    if (byId) return byId;
    const byName = this.#names.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (byName) return this.#byId.get(byName);
    if (/^[0-9a-f]+$/.test(ref)) {
      const matches = [...this.#byId.keys()].filter((id) => id.startsWith(ref));
      if (matches.length === 1) return this.#byId.get(matches[0]!);
      if (matches.length > 1) throw new NotFoundError(`No such container: ${ref}`); // ambiguous: Docker reports it as not found
    }
    return undefined;
  }

  get(ref: string): ContainerRecord {
    const c = this.find(ref);
    if (!c) throw new NotFoundError(`No such container: ${ref}`);
    return c;
  }

  async save(rec: ContainerRecord): Promise<void> {
    this.#byId.set(rec.Id, rec);
    await writeJsonAtomic(join(this.#root, rec.Id, 'config.v2.json'), rec, false);
  }

  async remove(rec: ContainerRecord): Promise<void> {
    this.#byId.delete(rec.Id);
    this.releaseName(rec.Name, rec.Id);
    await rm(join(this.#root, rec.Id), { recursive: true, force: true });
  }
}
