import { ConflictError, InvalidArgumentError } from '../../common/errors.ts';
import { readJson, writeJsonAtomic } from '../../common/fs.ts';
import { familiarName, familiarString, parseReference, type Reference, refName, refString, tagNameOnly } from '../../domain/image/reference.ts';

interface OnDisk {
  Repositories: Record<string, Record<string, string>>;
}

/**
 * Repository references (tags and digests) → image ids, persisted as `<root>/repositories.json` in dockerd's
 * shape, keyed by fully qualified names ("docker.io/library/bb" → {"docker.io/library/bb:latest": "sha256:…"}).
 */
export class ReferenceStore {
  readonly #file: string;
  /** full reference string → image id */
  readonly #refs = new Map<string, string>();

  constructor(root: string) {
    this.#file = `${root}/repositories.json`;
  }

  async init(): Promise<void> {
    const d = await readJson<OnDisk>(this.#file);
    for (const repo of Object.values(d?.Repositories ?? {})) for (const [ref, id] of Object.entries(repo)) this.#refs.set(ref, id);
  }

  async #save(): Promise<void> {
    const out: OnDisk = { Repositories: {} };
    for (const [s, id] of this.#refs) {
      const name = refName(parseReference(s));
      (out.Repositories[name] ??= {})[s] = id;
    }
    await writeJsonAtomic(this.#file, out);
  }

  /** The image a reference points at; a bare name means :latest, and with both tag and digest the digest wins. */
  get(ref: Reference): string | undefined {
    let r = ref;
    if (r.tag !== undefined && r.digest !== undefined) r = { domain: r.domain, path: r.path, digest: r.digest };
    return this.#refs.get(refString(tagNameOnly(r)));
  }

  /**
   * Points `ref` at `id`. Tags move when `force` (Docker's tag and import always force); digests never move.
   * Returns the id the reference pointed at before, if another.
   */
  async add(ref: Reference, id: string, force = true): Promise<string | undefined> {
    if (familiarName(ref) === 'sha256') throw new InvalidArgumentError('refusing to create an ambiguous tag using digest algorithm as name');
    if (ref.tag !== undefined && ref.digest !== undefined) throw new InvalidArgumentError('cannot add a reference with both a tag and a digest');
    const key = refString(ref);
    const old = this.#refs.get(key);
    if (old === id) return undefined;
    if (old !== undefined) {
      if (ref.digest !== undefined) throw new ConflictError(`Cannot overwrite digest ${ref.digest}`);
      if (!force) throw new ConflictError(`tag ${familiarString(ref)} is already associated to image ${old}, use the force option to replace it`);
    }
    this.#refs.set(key, id);
    await this.#save();
    return old;
  }

  async delete(ref: Reference): Promise<boolean> {
    const had = this.#refs.delete(refString(ref));
    if (had) await this.#save();
    return had;
  }

  /** References to an image, sorted by their familiar string (as dockerd's lexicalRefs). */
  referencesTo(id: string): Reference[] {
    const out: Reference[] = [];
    for (const [s, i] of this.#refs) if (i === id) out.push(parseReference(s));
    return out.sort((a, b) => (familiarString(a) < familiarString(b) ? -1 : familiarString(a) > familiarString(b) ? 1 : 0));
  }

  /** All references of one repository (`bb` → every bb:tag and bb@digest), sorted. */
  byName(name: Reference): { ref: Reference; id: string }[] {
    const want = refName(name);
    const out: { ref: Reference; id: string }[] = [];
    for (const [s, id] of this.#refs) {
      const r = parseReference(s);
      if (refName(r) === want) out.push({ ref: r, id });
    }
    return out.sort((a, b) => (familiarString(a.ref) < familiarString(b.ref) ? -1 : 1));
  }
}
